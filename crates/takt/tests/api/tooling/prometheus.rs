//! A reader of Prometheus's text exposition format, written from its description, to check
//! `/metrics` by its samples rather than by its text.

use std::collections::{BTreeMap, BTreeSet};

/// One sample: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A whole answer: its samples, and the type each family was declared with.
#[derive(Debug, Clone)]
pub struct Exposition {
    pub samples: Vec<Sample>,
    pub types: BTreeMap<String, String>,
}

impl Exposition {
    /// Reads `text`, panicking on anything the format does not allow.
    pub fn parse(text: &str) -> Exposition {
        let mut samples = Vec::new();
        let mut types = BTreeMap::new();
        for line in text.lines() {
            if line.trim().is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let words: Vec<&str> = comment.split_whitespace().collect();
                if words.first() == Some(&"TYPE") {
                    assert_eq!(words.len(), 3, "a TYPE line names a family and a type: {line}");
                    let kind = words[2];
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "unknown type in {line}"
                    );
                    assert!(types.insert(words[1].to_owned(), kind.to_owned()).is_none(), "two TYPE lines: {line}");
                }
                continue;
            }
            samples.push(sample(line));
        }
        for sample in &samples {
            let family = family_of(&sample.name, &types);
            assert!(family.is_some(), "{} has no TYPE line", sample.name);
        }
        Exposition { samples, types }
    }

    /// The samples named `name` whose labels include every one of `labels`.
    pub fn matching<'a>(&'a self, name: &'a str, labels: &'a [(&str, &str)]) -> impl Iterator<Item = &'a Sample> {
        self.samples.iter().filter(move |s| {
            s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The value of the one sample named `name` with exactly these labels (and, for a histogram's
    /// buckets, `le`); `None` when there is none.
    #[track_caller]
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let found: Vec<&Sample> = self.matching(name, labels).filter(|s| s.labels.len() == labels.len()).collect();
        assert!(found.len() <= 1, "several samples {name} {labels:?}: {found:?}");
        found.first().map(|s| s.value)
    }

    /// Like [`value`](Self::value), but the sample must exist.
    #[track_caller]
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels).unwrap_or_else(|| panic!("no sample {name} {labels:?} in {:#?}", self.names()))
    }

    /// The sum of every sample named `name` whose labels include `labels`.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// Every value label `label` takes on samples named `name`.
    pub fn label_values(&self, name: &str, label: &str) -> BTreeSet<String> {
        self.samples.iter().filter(|s| s.name == name).filter_map(|s| s.labels.get(label).cloned()).collect()
    }

    fn names(&self) -> BTreeSet<&str> {
        self.samples.iter().map(|s| s.name.as_str()).collect()
    }
}

/// The family a sample belongs to: its own name, or a histogram's or summary's without the
/// `_bucket`, `_sum` or `_count` suffix.
fn family_of<'a>(name: &'a str, types: &BTreeMap<String, String>) -> Option<&'a str> {
    if types.contains_key(name) {
        return Some(name);
    }
    ["_bucket", "_sum", "_count"]
        .iter()
        .filter_map(|suffix| name.strip_suffix(suffix))
        .find(|base| types.get(*base).is_some_and(|t| t == "histogram" || t == "summary"))
}

fn sample(line: &str) -> Sample {
    let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value in {line}"));
    let name = &line[..name_end];
    assert!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
        "bad metric name in {line}"
    );
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut at = 0;
        loop {
            let next = inner[at..].chars().next().unwrap_or_else(|| panic!("unclosed labels in {line}"));
            if next == '}' {
                at += 1;
                break;
            }
            if next == ',' {
                at += 1;
                continue;
            }
            let eq = at + inner[at..].find('=').unwrap_or_else(|| panic!("a label without = in {line}"));
            let key = inner[at..eq].to_owned();
            assert!(inner[eq + 1..].starts_with('"'), "an unquoted label value in {line}");
            at = eq + 2;
            let mut value = String::new();
            let mut escaped = false;
            loop {
                let c = inner[at..].chars().next().unwrap_or_else(|| panic!("an unclosed label value in {line}"));
                at += c.len_utf8();
                match (escaped, c) {
                    (false, '"') => break,
                    (false, '\\') => escaped = true,
                    (true, 'n') => {
                        value.push('\n');
                        escaped = false;
                    }
                    (_, c) => {
                        value.push(c);
                        escaped = false;
                    }
                }
            }
            assert!(labels.insert(key, value).is_none(), "a label twice in {line}");
        }
        rest = &inner[at..];
    }
    let value = rest.trim();
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        number => number.parse().unwrap_or_else(|_| panic!("a value that is not a number in {line}")),
    };
    Sample { name: name.to_owned(), labels, value }
}

#[test]
fn the_reader_reads_the_format() {
    let text = "# HELP a_total A counter.\n# TYPE a_total counter\na_total{x=\"1\",y=\"q\\\"uote\"} 3\n\
                # TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 0.5\nh_count 2\n# TYPE g gauge\ng 1e3\n";
    let exposition = Exposition::parse(text);
    assert_eq!(exposition.get("a_total", &[("x", "1"), ("y", "q\"uote")]), 3.0);
    assert_eq!(exposition.get("h_bucket", &[("le", "+Inf")]), 2.0);
    assert_eq!(exposition.get("h_count", &[]), 2.0);
    assert_eq!(exposition.get("g", &[]), 1000.0);
}
