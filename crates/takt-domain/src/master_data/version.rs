//! A BoM version's number, `"major.minor"`: stored in two fields, given and shown also as one
//! virtual `version` field.

use super::entities::field;

/// The virtual field that stands for both parts.
pub const FIELD: &str = "version";

/// Whether a field is one of the two parts the number is stored in.
pub fn is_part(name: &str) -> bool {
    name == field::MAJOR_VERSION || name == field::MINOR_VERSION
}

/// Parses `"major.minor"` (`"1.0"`, `"2.13"`).
pub fn parse_version(text: &str) -> Option<(i64, i64)> {
    let (major, minor) = text.split_once('.')?;
    let number = |s: &str| -> Option<i64> {
        let ok = !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| s.parse::<i64>().ok()).flatten().filter(|n| *n <= i64::from(i32::MAX))
    };
    Some((number(major)?, number(minor)?))
}

pub fn format_version(major: i64, minor: i64) -> String {
    format!("{major}.{minor}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.0"), Some((1, 0)));
        assert_eq!(parse_version("2.13"), Some((2, 13)));
        for bad in ["1", "1.", ".1", "1.0.0", "a.b", "-1.0", "1.+1", "99999999999.0"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
        assert!(is_part("majorVersion") && is_part("minorVersion") && !is_part(FIELD));
    }
}
