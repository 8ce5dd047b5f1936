//! Reading a body's JSON text into a [`Value`], refusing any object that gives one key twice.
//!
//! `serde_json` keeps the last of two equal keys silently; a second pass over the same text,
//! which builds nothing but a set of keys per object, finds them. Both passes are linear in the
//! size of the text.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{FieldError, Invalid, LISTED_AT_MOST};

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The text is not JSON (or not one JSON value).
    Syntax(serde_json::Error),
    /// An object gives a key twice: the first repeats by their JSON paths (at most
    /// [`LISTED_AT_MOST`], as many as an answer lists), and how many more there were.
    Repeated { listed: Invalid, more: usize },
}

/// Parses a JSON text, refusing any object in it that gives a key twice.
pub fn from_slice(bytes: &[u8]) -> Result<Value, BodyError> {
    let value: Value = serde_json::from_slice(bytes).map_err(BodyError::Syntax)?;
    let repeats = RefCell::new(Repeats::default());
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    Check { at: &At::ROOT, repeats: &repeats }.deserialize(&mut deserializer).map_err(BodyError::Syntax)?;
    let Repeats { found, more } = repeats.into_inner();
    if found.is_empty() { Ok(value) } else { Err(BodyError::Repeated { listed: Invalid(found), more }) }
}

/// What a repeated key is told.
pub const REPEATED: &str = "is given more than once in the same object";

#[derive(Default)]
struct Repeats {
    found: Vec<FieldError>,
    more: usize,
}

/// Where a value sits, as a chain back to the body: rendered only when a repeat is found.
struct At<'a> {
    parent: Option<&'a At<'a>>,
    step: Step<'a>,
}

enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl At<'_> {
    const ROOT: At<'static> = At { parent: None, step: Step::Root };

    /// The JSON path: `parts[0].operations[1].cell_name`.
    fn path(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(here) = at {
            steps.push(&here.step);
            at = here.parent;
        }
        let mut path = String::new();
        for step in steps.into_iter().rev() {
            match step {
                Step::Root => {}
                Step::Key(key) if path.is_empty() => path.push_str(key),
                Step::Key(key) => {
                    path.push('.');
                    path.push_str(key);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        path
    }
}

/// Walks one value, recording every repeated key of every object in it.
struct Check<'a> {
    at: &'a At<'a>,
    repeats: &'a RefCell<Repeats>,
}

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let at = At { parent: Some(self.at), step: Step::Index(index) };
            if seq.next_element_seed(Check { at: &at, repeats: self.repeats })?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(key) = map.next_key_seed(Key)? {
            if seen.contains(&key) {
                let mut repeats = self.repeats.borrow_mut();
                if repeats.found.len() < LISTED_AT_MOST {
                    let path = At { parent: Some(self.at), step: Step::Key(&key) }.path();
                    repeats.found.push(FieldError::new(path, REPEATED));
                } else {
                    repeats.more += 1;
                }
            }
            let at = At { parent: Some(self.at), step: Step::Key(&key) };
            map.next_value_seed(Check { at: &at, repeats: self.repeats })?;
            seen.insert(key);
        }
        Ok(())
    }
}

/// A key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(key.to_owned()))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(key))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn repeats(text: &str) -> Vec<(String, String)> {
        match from_slice(text.as_bytes()) {
            Err(BodyError::Repeated { listed, .. }) => listed.0.into_iter().map(|e| (e.field, e.message)).collect(),
            Ok(_) => Vec::new(),
            Err(BodyError::Syntax(e)) => panic!("{e}"),
        }
    }

    #[test]
    fn finds_every_repeated_key_by_its_path() {
        assert_eq!(repeats(r#"{"a": 1, "b": {"c": [1, 2.5e3, "x", null, true]}}"#), []);
        assert_eq!(
            repeats(r#"{"external_id": "A", "external_id": "B"}"#),
            [("external_id".to_owned(), REPEATED.to_owned())]
        );
        let nested = r#"{"parts": [{}, {"operations": [{"n\u0061me": 1, "name": 2, "name": 3}]}], "x": 1, "x": 2}"#;
        let fields: Vec<_> = repeats(nested).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["parts[1].operations[0].name", "parts[1].operations[0].name", "x"]);
        assert_eq!(repeats(r#"[{"a": 1, "a": 1}]"#)[0].0, "[0].a");
        // Keys that differ only in case are for the reader to judge (the master-data API folds them).
        assert_eq!(repeats(r#"{"a": 1, "A": 1}"#), []);
    }

    #[test]
    fn keeps_numbers_and_syntax_errors_as_they_were() {
        let value = from_slice(br#"{"cost": 0.1000000000000000055511151231}"#).unwrap();
        assert_eq!(value["cost"].to_string(), "0.1000000000000000055511151231");
        assert_eq!(from_slice(br#"{"a": [1, {"b": 2}]}"#).unwrap(), json!({"a": [1, {"b": 2}]}));
        assert!(matches!(from_slice(b"{"), Err(BodyError::Syntax(_))));
        assert!(matches!(from_slice(br#"{"a": 1} 2"#), Err(BodyError::Syntax(_))));
    }

    #[test]
    fn counts_repeats_past_the_recorded_ones() {
        let text = format!("{{{}}}", (0..1500).map(|_| r#""k": 1"#).collect::<Vec<_>>().join(","));
        let Err(BodyError::Repeated { listed, more }) = from_slice(text.as_bytes()) else { panic!("repeats") };
        assert_eq!((listed.0.len(), more), (100, 1399));
        assert_eq!(listed.0[0].field, "k");
    }
}
