//! The body reader under any input: no text, however malformed or hostile, panics it, and its
//! cost grows linearly with the number of keys an object has.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Value, json};
use takt_domain::erp::{ErpEntity, bulk_records, parse_sync};
use takt_domain::error::Path;
use takt_domain::json::{FieldList, KeyStyle, Reader, from_slice};
use takt_domain::master_data::{self, parse_copy, parse_delete, parse_list, parse_upsert};
use takt_domain::schema::Field;

/// A JSON text as a tree, so that objects can repeat keys (a `Value` cannot).
#[derive(Debug, Clone)]
enum Tree {
    /// A scalar's JSON text, as given.
    Raw(String),
    Array(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn render(&self, out: &mut String) {
        match self {
            Tree::Raw(text) => out.push_str(text),
            Tree::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.render(out);
                }
                out.push(']');
            }
            Tree::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(key.as_str()).to_string());
                    out.push(':');
                    value.render(out);
                }
                out.push('}');
            }
        }
    }
}

/// Keys the parsers know, in both dialects' spellings.
const KNOWN: &[&str] = &[
    "external_id",
    "external_source",
    "name",
    "job_number",
    "due_date",
    "priority",
    "parts",
    "operations",
    "part_external_id",
    "job_id",
    "cell_name",
    "cell_id",
    "quantity",
    "status",
    "id",
    "ID",
    "Name",
    "limit",
    "offset",
    "properties",
    "value",
    "version",
    "majorVersion",
    "Product Type",
    "productType",
    "plannedStart",
    "planned start",
    "sourceProductName",
    "srcProductName",
    "suid",
    "jobs",
    "items",
    "cells",
    "color",
    "defaultCostPerUnit",
    "isActive",
];

/// Keys the parsers know, and others.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(KNOWN).prop_map(str::to_owned),
        1 => "[a-zA-Z_ ]{0,10}",
        1 => any::<String>(),
    ]
}

/// Scalars, the hostile ones among them: huge and precise numbers, dates out of range, ids.
fn scalar() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        Just("0000-01-01".to_owned()),
        Just("9999-12-31".to_owned()),
        Just("0000-12-31T23:59:59Z".to_owned()),
        Just("9999-12-31T23:30:00-01:00".to_owned()),
        Just("0193a9a0-0000-7000-8000-000000000000".to_owned()),
        Just("#a0b0c0".to_owned()),
        Just(" ".to_owned()),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        any::<String>(),
    ];
    prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        "-?(0|[1-9][0-9]{0,40})(\\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?",
        text.prop_map(|s| Value::from(s).to_string()),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    scalar().prop_map(Tree::Raw).prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Tree::Array),
            prop::collection::vec((key(), inner), 0..10).prop_map(Tree::Object),
        ]
    })
}

/// Hands a body to every parser of both dialects, also nested where a record nests others.
fn read_everything(bytes: &[u8]) {
    let Ok(value) = from_slice(bytes) else { return };
    let job = json!({
        "external_id": "J", "external_source": "SAP", "job_number": "J",
        "parts": [value.clone(), {"external_id": "P", "operations": [value.clone()]}],
    });
    for body in [&value, &job] {
        for entity in ErpEntity::ALL {
            let _ = parse_sync(entity, body, Path::root());
            let _ = bulk_records(entity, body);
        }
        for spec in master_data::ALL {
            let _ = parse_upsert(spec, body);
            let _ = parse_list(spec, Some(body));
        }
        let _ = parse_delete(body);
        let _ = parse_copy(body);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_json_text_panics_the_reader(tree in tree()) {
        let mut text = String::new();
        tree.render(&mut text);
        read_everything(text.as_bytes());
    }

    #[test]
    fn no_bytes_panic_the_reader(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        read_everything(&bytes);
    }

    #[test]
    fn no_cut_off_text_panics_the_reader(tree in tree(), cut in any::<prop::sample::Index>()) {
        let mut text = String::new();
        tree.render(&mut text);
        let bytes = text.as_bytes();
        read_everything(&bytes[..cut.index(bytes.len() + 1)]);
    }
}

/// A field list that admits any number of keys, so that the reader reads them all.
struct Wide;

impl FieldList for Wide {
    fn field(&self, _: &str) -> Option<&Field> {
        None
    }

    fn field_count(&self) -> usize {
        usize::MAX
    }
}

static WIDE: Wide = Wide;

/// The shortest of a few readings of one object of `n` keys (text to reader to errors), in
/// the dialect that folds keys.
fn reading_time(n: usize) -> Duration {
    let text = format!("{{{}}}", (0..n).map(|i| format!("\"Key {i}\": {i}")).collect::<Vec<_>>().join(","));
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let value = from_slice(text.as_bytes()).expect("valid JSON");
            let errors = Reader::object(&value, Path::root(), &WIDE, KeyStyle::Loose).unwrap().finish().unwrap_err();
            assert_eq!(errors.0.len(), n, "every key is unknown");
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// Ratios within one run, never absolute times: eight times the keys must cost well under
/// 32 times as long (a reader that compares each key with the ones before it costs 64 times).
#[test]
fn reading_time_grows_linearly_with_the_number_of_keys() {
    let small = reading_time(2_000);
    let large = reading_time(16_000);
    eprintln!("2,000 keys: {small:?}; 16,000 keys: {large:?}");
    assert!(large < small * 32, "2,000 keys took {small:?}, 16,000 took {large:?}: not linear");
}
