//! Idempotency keys (SPEC section 10): a client that retries a write sends the same
//! `Idempotency-Key`, and Takt answers the first answer again instead of writing twice.

use std::time::Duration;

use sha2::{Digest, Sha256};

/// How long a key and its answer are kept.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 3600);

/// How long a claimed key stays "in use" without an answer: past it, the request that claimed
/// it is taken to have died with its process, and a retry runs in its place.
pub const LEASE: Duration = Duration::from_secs(60);

/// The longest key accepted.
pub const MAX_LEN: usize = 255;

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

/// Why a key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("may hold only visible ASCII characters")]
    NotVisibleAscii,
}

impl IdempotencyKey {
    pub fn parse(raw: &[u8]) -> Result<IdempotencyKey, KeyError> {
        if raw.is_empty() {
            return Err(KeyError::Empty);
        }
        if raw.len() > MAX_LEN {
            return Err(KeyError::TooLong);
        }
        if !raw.iter().all(|b| b.is_ascii_graphic() || *b == b' ') || raw.starts_with(b" ") || raw.ends_with(b" ") {
            return Err(KeyError::NotVisibleAscii);
        }
        Ok(IdempotencyKey(String::from_utf8(raw.to_vec()).map_err(|_| KeyError::NotVisibleAscii)?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What makes two requests the same one: the SHA-256 of method, path with query, and body,
/// as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFingerprint(String);

impl RequestFingerprint {
    pub fn of(method: &str, path_and_query: &str, body: &[u8]) -> RequestFingerprint {
        let mut hash = Sha256::new();
        for part in [method.as_bytes(), path_and_query.as_bytes()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
        hash.update(body);
        RequestFingerprint(hex::encode(hash.finalize()))
    }

    /// A fingerprint as stored.
    pub fn from_stored(hex: String) -> RequestFingerprint {
        RequestFingerprint(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The answer to a request, kept to be answered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    /// The headers that describe the body (`content-type`, `location`), by lowercase name.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or its last holder died): the request runs; `token` completes it.
    Granted { token: uuid::Uuid },
    /// The same request was answered before: answer this again.
    Answered(StoredAnswer),
    /// The key was used for a different request.
    Reused,
    /// The request that claimed the key is still running.
    InUse,
}

/// Whether an answer is kept for its key: every answer the request itself earned. A server
/// error or an unavailable database is not, so that a retry runs the request again.
pub fn keeps_answer(status: u16) -> bool {
    status < 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_up_to_255() {
        assert!(IdempotencyKey::parse(b"7d0c2e1a-order-4711").is_ok());
        assert!(IdempotencyKey::parse("k".repeat(255).as_bytes()).is_ok());
        assert!(IdempotencyKey::parse(b"two words").is_ok());
        assert_eq!(IdempotencyKey::parse(b""), Err(KeyError::Empty));
        assert_eq!(IdempotencyKey::parse("k".repeat(256).as_bytes()), Err(KeyError::TooLong));
        assert_eq!(IdempotencyKey::parse(b"tab\there"), Err(KeyError::NotVisibleAscii));
        assert_eq!(IdempotencyKey::parse(b" padded"), Err(KeyError::NotVisibleAscii));
        assert_eq!(IdempotencyKey::parse("caf\u{e9}".as_bytes()), Err(KeyError::NotVisibleAscii));
    }

    #[test]
    fn fingerprints_tell_method_path_and_body_apart() {
        let base = RequestFingerprint::of("PUT", "/api-jobs/sync", b"{}");
        assert_eq!(base, RequestFingerprint::of("PUT", "/api-jobs/sync", b"{}"));
        assert_ne!(base, RequestFingerprint::of("POST", "/api-jobs/sync", b"{}"));
        assert_ne!(base, RequestFingerprint::of("PUT", "/api-parts/sync", b"{}"));
        assert_ne!(base, RequestFingerprint::of("PUT", "/api-jobs/sync", b"{ }"));
        // Lengths are hashed too, so no split of the same bytes collides.
        assert_ne!(RequestFingerprint::of("PU", "T/a", b""), RequestFingerprint::of("PUT", "/a", b""));
        assert_eq!(base.as_str().len(), 64);
    }
}
