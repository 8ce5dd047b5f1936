//! API keys: `ery_live_` + 32 lowercase hex characters (128 random bits). Takt keeps only a
//! SHA-256 hash and a short lookup prefix, and compares hashes in constant time.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What every key starts with.
pub const KEY_PREFIX: &str = "ery_live_";
/// How many hex characters of the secret part are stored in clear to find the key.
pub const LOOKUP_HEX_CHARS: usize = 12;
const SECRET_HEX_CHARS: usize = 32;

/// A well-formed API key, as a client presents it. Never logged, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKey({}…)", self.lookup_prefix())
    }
}

/// Why a presented key is not even well-formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedKey;

impl ApiKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> ApiKey {
        let mut bytes = [0u8; SECRET_HEX_CHARS / 2];
        rand::rng().fill_bytes(&mut bytes);
        ApiKey(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
    }

    /// Parses a key as presented in `Authorization: Bearer <key>`.
    pub fn parse(text: &str) -> Result<ApiKey, MalformedKey> {
        let secret = text.strip_prefix(KEY_PREFIX).ok_or(MalformedKey)?;
        let well_formed = secret.len() == SECRET_HEX_CHARS
            && secret.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if well_formed { Ok(ApiKey(text.to_owned())) } else { Err(MalformedKey) }
    }

    /// The part stored in clear to find the key's row: `ery_live_` and 12 hex characters.
    pub fn lookup_prefix(&self) -> &str {
        &self.0[..KEY_PREFIX.len() + LOOKUP_HEX_CHARS]
    }

    /// The SHA-256 of the whole key, which is all Takt stores of it.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// Whether this key hashes to `stored`, compared in constant time.
    pub fn matches(&self, stored: &[u8]) -> bool {
        self.hash().as_slice().ct_eq(stored).into()
    }

    /// The key itself, to show once to the person who created it.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

/// Normalises what an operator typed to revoke a key (a prefix with or without `ery_live_`, or a
/// whole key) into the start of a lookup prefix.
pub fn prefix_query(text: &str) -> Option<String> {
    let hex = text.trim().strip_prefix(KEY_PREFIX).unwrap_or(text.trim());
    let hex = &hex[..hex.len().min(LOOKUP_HEX_CHARS)];
    let ok = !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| format!("{KEY_PREFIX}{}", hex.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_match_their_hash() {
        let key = ApiKey::generate();
        assert_eq!(key.reveal().len(), 41);
        let parsed = ApiKey::parse(key.reveal()).unwrap();
        assert!(parsed.matches(&key.hash()));
        assert!(!ApiKey::generate().matches(&key.hash()));
        assert_eq!(parsed.lookup_prefix().len(), 21);
        assert!(!format!("{key:?}").contains(&key.reveal()[21..]));
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in [
            "",
            "ery_live_",
            "ery_test_0123456789abcdef0123456789abcdef",
            "ery_live_0123456789ABCDEF0123456789abcdef",
            "ery_live_0123456789abcdef0123456789abcde",
            "ery_live_0123456789abcdef0123456789abcdef0",
            "ery_live_0123456789abcdef0123456789abcdeg",
        ] {
            assert_eq!(ApiKey::parse(bad), Err(MalformedKey), "{bad}");
        }
    }

    #[test]
    fn prefix_queries_accept_what_operators_type() {
        assert_eq!(prefix_query("ery_live_ab12").as_deref(), Some("ery_live_ab12"));
        assert_eq!(prefix_query("AB12").as_deref(), Some("ery_live_ab12"));
        assert_eq!(prefix_query("ery_live_0123456789abcdef0123456789abcdef").as_deref(), Some("ery_live_0123456789ab"));
        assert_eq!(prefix_query("ery_live_"), None);
        assert_eq!(prefix_query("xyz"), None);
    }
}
