//! Text rules shared by both dialects: byte-length limits, case folding, forbidden characters.

use icu_casemap::CaseMapper;

/// Folds `text` for case-insensitive comparison with Unicode simple case folding
/// (CaseFolding.txt statuses C and S), one character at a time.
///
/// Every case-insensitive match in Takt compares folded keys that Rust wrote, so SQLite and
/// PostgreSQL agree on every script: `ÄRGER`, `Ärger` and `ärger` all fold to `ärger`.
pub fn fold(text: &str) -> String {
    let mapper = CaseMapper::new();
    text.chars().map(|c| mapper.simple_fold(c)).collect()
}

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// Empty, or only whitespace, where a value is required.
    Blank,
    /// Longer than the limit, in UTF-8 bytes.
    TooLong { max_bytes: usize, actual: usize },
    /// Contains U+0000, which PostgreSQL cannot store in text.
    Nul,
}

impl TextError {
    /// The message that follows the field name in an error's `details`.
    pub fn message(&self) -> String {
        match self {
            TextError::Blank => "must not be blank".to_owned(),
            TextError::TooLong { max_bytes, actual } => {
                format!("must be at most {max_bytes} bytes of UTF-8 (got {actual})")
            }
            TextError::Nul => "must not contain the NUL character (\\u0000)".to_owned(),
        }
    }
}

/// Checks a text value against a byte limit. `required` texts must not be blank.
pub fn check(text: &str, max_bytes: usize, required: bool) -> Result<(), TextError> {
    if required && text.trim().is_empty() {
        return Err(TextError::Blank);
    }
    if text.len() > max_bytes {
        return Err(TextError::TooLong { max_bytes, actual: text.len() });
    }
    if text.contains('\0') {
        return Err(TextError::Nul);
    }
    Ok(())
}

/// Upper-cases the first character: "product type" becomes "Product type".
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_beyond_ascii() {
        assert_eq!(fold("ÄRGER"), "ärger");
        assert_eq!(fold("Ärger"), fold("ärger"));
        assert_eq!(fold("ΣΊΣΥΦΟΣ"), fold("σίσυφος"));
        assert_eq!(fold("ς"), "σ");
        assert_eq!(fold("Straße"), "straße", "simple folding keeps ß one character");
        assert_eq!(fold("ÉCOLE"), "école");
    }

    #[test]
    fn limits_count_bytes_not_characters() {
        assert!(check(&"ä".repeat(10), 20, true).is_ok());
        assert_eq!(check(&"ä".repeat(11), 20, true), Err(TextError::TooLong { max_bytes: 20, actual: 22 }));
        assert_eq!(check("  ", 20, true), Err(TextError::Blank));
        assert!(check("", 20, false).is_ok());
        assert_eq!(check("a\0b", 20, false), Err(TextError::Nul));
    }
}

/// `BomVersion` → `bom_version`: a CamelCase name in snake_case.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod snake_case_tests {
    #[test]
    fn snake_cases_entity_names() {
        assert_eq!(super::snake_case("BomVersion"), "bom_version");
        assert_eq!(super::snake_case("Product"), "product");
        assert_eq!(super::snake_case("UnitOfMeasure"), "unit_of_measure");
    }
}
