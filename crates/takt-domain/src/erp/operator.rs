use serde_json::Value;

use super::{EXTERNAL_ID, EXTERNAL_SOURCE, SyncKey, limits, read_sync_key, reader};
use crate::error::{Invalid, Path};
use crate::json::Patch;
use crate::schema::{Field, Kind};

/// Fewest and most digits of a PIN.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// A person who works at the machines and signs in at a terminal.
pub const OPERATOR_FIELDS: &[Field] = &[
    EXTERNAL_ID,
    EXTERNAL_SOURCE,
    Field::required("name", Kind::Text { max_bytes: limits::NAME }, "The operator's name as terminals show it."),
    Field::required(
        "employee_number",
        Kind::Text { max_bytes: limits::EXTERNAL_ID },
        "Unique per tenant, case-insensitive; what the operator signs in with.",
    ),
    Field::optional(
        "pin",
        Kind::Text { max_bytes: 8 },
        "4 to 8 digits, as a string. Write-only: stored as an Argon2id hash, never answered. null removes it.",
    ),
    Field::optional("active", Kind::Bool, "Defaults to true; an inactive operator cannot start work."),
];

/// A PIN: as the request gave it, then, before it reaches the store, as its hash.
#[derive(Clone, PartialEq, Eq)]
pub enum Pin {
    Given(String),
    /// The PHC string of its Argon2id hash.
    Hashed(String),
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Pin::Given(_) => "Pin::Given(..)",
            Pin::Hashed(_) => "Pin::Hashed(..)",
        })
    }
}

/// An operator sync request.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorInput {
    pub key: SyncKey,
    pub name: String,
    pub employee_number: String,
    pub pin: Patch<Pin>,
    pub active: Patch<bool>,
}

pub fn parse_operator(value: &Value, path: Path) -> Result<OperatorInput, Invalid> {
    let mut r = reader(value, path, OPERATOR_FIELDS)?;
    let key = read_sync_key(&mut r, None);
    let name = r.required_text("name");
    let employee_number = r.required_text("employee_number");
    let pin = r.text("pin");
    if let Patch::Set(digits) = &pin
        && !(PIN_DIGITS.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
    {
        r.error("pin", "must be 4 to 8 digits");
    }
    let active = r.bool("active");
    r.finish()?;
    Ok(OperatorInput { key, name, employee_number, pin: pin.map(Pin::Given), active })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_pin_is_four_to_eight_digits() {
        let body = |pin: Value| json!({"external_id": "E", "external_source": "HR", "name": "Ann", "employee_number": "7", "pin": pin});
        for good in ["1234", "12345678"] {
            assert_eq!(
                parse_operator(&body(json!(good)), Path::root()).unwrap().pin,
                Patch::Set(Pin::Given(good.into()))
            );
        }
        for bad in [json!("123"), json!("123456789"), json!("12a4"), json!(1234), json!(" 1234")] {
            let invalid = parse_operator(&body(bad.clone()), Path::root()).unwrap_err();
            assert_eq!(invalid.0[0].field, "pin", "{bad}");
        }
        assert_eq!(parse_operator(&body(Value::Null), Path::root()).unwrap().pin, Patch::Null);
    }

    #[test]
    fn a_pin_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", Pin::Given("1234".into())), "Pin::Given(..)");
    }
}
