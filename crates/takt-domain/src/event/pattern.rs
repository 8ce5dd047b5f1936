//! Event-type patterns such as `job.*`, `*.created` or `operation.started`, as the feed, the
//! stream and webhook subscriptions take them. `*` stands for any run of characters, dots
//! included, possibly empty; everything else matches itself, case included.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The longest pattern accepted, in bytes.
pub const MAX_PATTERN_LEN: usize = 100;
/// The most patterns one list may hold.
pub const MAX_PATTERNS: usize = 20;

/// Why a pattern or a list of patterns is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("an event type pattern must not be empty")]
    Empty,
    #[error("an event type pattern may be at most {MAX_PATTERN_LEN} bytes long, this one has {len}")]
    TooLong { len: usize },
    #[error("event type pattern `{pattern}` contains {character:?}; only a-z, 0-9, `_`, `.` and `*` are allowed")]
    BadCharacter { pattern: String, character: char },
    #[error("a list of event type patterns must not contain an empty item")]
    EmptyItem,
    #[error("at most {MAX_PATTERNS} event type patterns are allowed, {count} were given")]
    TooMany { count: usize },
}

/// One well-formed event-type pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TypePattern(String);

impl TypePattern {
    /// Parses a pattern: 1 to 100 bytes of `a-z`, `0-9`, `_`, `.` and `*`.
    pub fn parse(text: &str) -> Result<TypePattern, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        if text.len() > MAX_PATTERN_LEN {
            return Err(PatternError::TooLong { len: text.len() });
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '*');
        if let Some(character) = text.chars().find(|&c| !allowed(c)) {
            return Err(PatternError::BadCharacter { pattern: text.to_owned(), character });
        }
        Ok(TypePattern(text.to_owned()))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the pattern is made of `*` alone and so matches every type.
    pub fn matches_everything(&self) -> bool {
        self.0.bytes().all(|b| b == b'*')
    }

    /// Whether `event_type` matches, in time linear in both lengths.
    pub fn matches(&self, event_type: &str) -> bool {
        let mut parts = self.0.split('*');
        let first = parts.next().unwrap_or_default();
        let Some(last) = parts.next_back() else {
            return event_type == first;
        };
        let Some(rest) = event_type.strip_prefix(first) else {
            return false;
        };
        if rest.len() < last.len() {
            return false;
        }
        let Some(mut rest) = rest.strip_suffix(last) else {
            return false;
        };
        // Taking each middle literal at its leftmost place is optimal for `*`-only globs, and
        // every search starts where the previous one ended, so the text is scanned once.
        for literal in parts.filter(|p| !p.is_empty()) {
            match rest.find(literal) {
                Some(at) => rest = &rest[at + literal.len()..],
                None => return false,
            }
        }
        true
    }

    /// The pattern as an SQL `LIKE` pattern whose escape character is `\`: `job.*` is `job.%`.
    /// Use it as `type LIKE ? ESCAPE '\'`; SQLite needs the `ESCAPE` clause to honour `\`.
    pub fn to_sql_like(&self) -> String {
        let mut like = String::with_capacity(self.0.len() + 4);
        for c in self.0.chars() {
            match c {
                '*' => like.push('%'),
                '_' | '%' | '\\' => {
                    like.push('\\');
                    like.push(c);
                }
                _ => like.push(c),
            }
        }
        like
    }
}

impl fmt::Display for TypePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TypePattern {
    type Err = PatternError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TypePattern::parse(text)
    }
}

impl TryFrom<String> for TypePattern {
    type Error = PatternError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        TypePattern::parse(&text)
    }
}

impl From<TypePattern> for String {
    fn from(pattern: TypePattern) -> String {
        pattern.0
    }
}

/// One to twenty patterns; an event type is wanted when any of them matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypePatterns(Vec<TypePattern>);

impl TypePatterns {
    /// Parses a comma-separated list such as `job.*, part.created`; blanks around items are
    /// ignored, empty items are refused.
    pub fn parse(text: &str) -> Result<TypePatterns, PatternError> {
        TypePatterns::from_items(text.split(','))
    }

    /// Parses a list whose items arrive separately, such as a JSON array.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<TypePatterns, PatternError> {
        let mut patterns = Vec::new();
        let mut count = 0;
        for item in items {
            count += 1;
            if count > MAX_PATTERNS {
                continue;
            }
            let item = item.trim();
            if item.is_empty() {
                return Err(PatternError::EmptyItem);
            }
            patterns.push(TypePattern::parse(item)?);
        }
        match count {
            0 => Err(PatternError::Empty),
            n if n > MAX_PATTERNS => Err(PatternError::TooMany { count: n }),
            _ => Ok(TypePatterns(patterns)),
        }
    }

    /// Whether any pattern matches `event_type`.
    pub fn matches_any(&self, event_type: &str) -> bool {
        self.0.iter().any(|p| p.matches(event_type))
    }

    /// Whether some pattern matches every type, so that no filter is needed.
    pub fn matches_everything(&self) -> bool {
        self.0.iter().any(TypePattern::matches_everything)
    }

    /// The patterns, in the order given.
    pub fn as_slice(&self) -> &[TypePattern] {
        &self.0
    }

    /// Every pattern as an SQL `LIKE` pattern (see [`TypePattern::to_sql_like`]), to be joined
    /// with `OR`.
    pub fn to_sql_like(&self) -> Vec<String> {
        self.0.iter().map(TypePattern::to_sql_like).collect()
    }
}

/// The comma-separated form, which [`TypePatterns::parse`] reads back.
impl fmt::Display for TypePatterns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, pattern) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(pattern.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for TypePatterns {
    type Err = PatternError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TypePatterns::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> TypePattern {
        TypePattern::parse(text).unwrap()
    }

    #[test]
    fn exact_patterns_match_only_themselves() {
        let pattern = p("operation.started");
        assert!(pattern.matches("operation.started"));
        assert!(!pattern.matches("operation.started2"));
        assert!(!pattern.matches("operation.starte"));
        assert!(!pattern.matches("Operation.started"));
        assert!(!pattern.matches(""));
    }

    #[test]
    fn star_matches_any_run_including_dots_and_nothing() {
        assert!(p("job.*").matches("job.created"));
        assert!(p("job.*").matches("job."));
        assert!(p("job.*").matches("job.a.b.c"));
        assert!(!p("job.*").matches("job"));
        assert!(!p("job.*").matches("jobs.created"));
        assert!(!p("job.*").matches("bom_version.job.created"));

        assert!(p("*.created").matches("job.created"));
        assert!(p("*.created").matches(".created"));
        assert!(p("*.created").matches("a.b.created"));
        assert!(!p("*.created").matches("job.created.x"));
        assert!(!p("*.created").matches("created"));

        for t in ["", "job.created", "webhook.delivery_failed", "x"] {
            assert!(p("*").matches(t));
            assert!(p("**").matches(t));
        }
    }

    #[test]
    fn stars_in_the_middle() {
        assert!(p("op*ted").matches("operation.started"));
        assert!(p("op*ted").matches("opted"));
        assert!(!p("op*ted").matches("opte"));
        assert!(p("a*b*c").matches("abc"));
        assert!(p("a*b*c").matches("a.x.b.y.c"));
        assert!(p("a*b*c").matches("abbbc"));
        assert!(!p("a*b*c").matches("acb"));
        assert!(p("*a*b*").matches("xxaxxbxx"));
        assert!(!p("*a*b*").matches("xxbxxaxx"));
        assert!(p("*.quantity_*").matches("operation.quantity_reported"));
    }

    #[test]
    fn prefix_and_suffix_do_not_overlap() {
        assert!(!p("a*a").matches("a"));
        assert!(p("a*a").matches("aa"));
        assert!(!p("ab*ba").matches("aba"));
        assert!(p("ab*ba").matches("abba"));
        assert!(!p("a*b*a").matches("aba.x"));
        assert!(!p("a*bc*c").matches("abc"));
    }

    #[test]
    fn non_ascii_types_neither_match_wrongly_nor_panic() {
        assert!(p("*").matches("jöb.créé"));
        assert!(p("j*.*").matches("jöb.créé"));
        assert!(!p("job.*").matches("jöb.x"));
        assert!(p("*b.c*").matches("ééb.céé"));
        assert!(!p("*b.c").matches("ééb.cé"));
    }

    #[test]
    fn adversarial_input_finishes_quickly() {
        let pattern = p(&format!("{}b", "a*".repeat(49)));
        let text = "a".repeat(1_000_000);
        let started = std::time::Instant::now();
        assert!(!pattern.matches(&text));
        assert!(pattern.matches(&format!("{text}b")));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn parse_refuses_empty_long_and_foreign_characters() {
        assert_eq!(TypePattern::parse(""), Err(PatternError::Empty));
        assert!(TypePattern::parse(&"a".repeat(100)).is_ok());
        assert_eq!(TypePattern::parse(&"a".repeat(101)), Err(PatternError::TooLong { len: 101 }));
        for (text, character) in
            [("Job.*", 'J'), ("job.?", '?'), ("job created", ' '), ("job-x", '-'), ("jöb", 'ö'), ("job%", '%')]
        {
            assert_eq!(
                TypePattern::parse(text),
                Err(PatternError::BadCharacter { pattern: text.to_owned(), character }),
                "{text}"
            );
        }
        assert!(TypePattern::parse("bom_version.*.x_1").is_ok());
    }

    #[test]
    fn errors_read_as_messages() {
        assert_eq!(
            TypePattern::parse("job.X").unwrap_err().to_string(),
            "event type pattern `job.X` contains 'X'; only a-z, 0-9, `_`, `.` and `*` are allowed"
        );
        assert_eq!(
            TypePatterns::parse(&vec!["a"; 21].join(",")).unwrap_err().to_string(),
            "at most 20 event type patterns are allowed, 21 were given"
        );
    }

    #[test]
    fn sql_like_translation_escapes_literals() {
        assert_eq!(p("job.*").to_sql_like(), "job.%");
        assert_eq!(p("*").to_sql_like(), "%");
        assert_eq!(p("*.created").to_sql_like(), "%.created");
        assert_eq!(p("bom_version.*").to_sql_like(), "bom\\_version.%");
        assert_eq!(p("operation.quantity_reported").to_sql_like(), "operation.quantity\\_reported");
        assert_eq!(p("a*b*").to_sql_like(), "a%b%");
    }

    #[test]
    fn lists_are_trimmed_bounded_and_match_any() {
        let list = TypePatterns::parse("job.*, part.created ,*.deleted").unwrap();
        assert_eq!(
            list.as_slice().iter().map(TypePattern::as_str).collect::<Vec<_>>(),
            ["job.*", "part.created", "*.deleted"]
        );
        assert!(list.matches_any("job.started"));
        assert!(list.matches_any("part.created"));
        assert!(list.matches_any("cell.deleted"));
        assert!(!list.matches_any("part.updated"));
        assert!(!list.matches_everything());
        assert!(TypePatterns::parse("job.*,*").unwrap().matches_everything());
        assert_eq!(list.to_string(), "job.*,part.created,*.deleted");
        assert_eq!(list.to_string().parse::<TypePatterns>().unwrap(), list);
        assert_eq!(list.to_sql_like(), ["job.%", "part.created", "%.deleted"]);
    }

    #[test]
    fn lists_refuse_empty_items_too_many_and_bad_items() {
        assert_eq!(TypePatterns::parse(""), Err(PatternError::EmptyItem));
        assert_eq!(TypePatterns::parse("job.*,"), Err(PatternError::EmptyItem));
        assert_eq!(TypePatterns::parse("job.*, ,part.*"), Err(PatternError::EmptyItem));
        assert_eq!(TypePatterns::parse(",job.*"), Err(PatternError::EmptyItem));
        assert!(TypePatterns::parse(&vec!["a"; 20].join(",")).is_ok());
        assert_eq!(TypePatterns::parse(&vec!["a"; 21].join(",")), Err(PatternError::TooMany { count: 21 }));
        assert!(matches!(TypePatterns::parse("job.*,JOB"), Err(PatternError::BadCharacter { .. })));
        assert_eq!(TypePatterns::from_items([]), Err(PatternError::Empty));
        assert_eq!(TypePatterns::from_items(["job.*", "part.*"]).unwrap().as_slice().len(), 2);
    }

    #[test]
    fn serde_goes_through_parse() {
        let pattern: TypePattern = serde_json::from_str("\"job.*\"").unwrap();
        assert_eq!(pattern, p("job.*"));
        assert_eq!(serde_json::to_string(&pattern).unwrap(), "\"job.*\"");
        assert!(serde_json::from_str::<TypePattern>("\"JOB\"").is_err());
    }
}
