//! Signing deliveries as Standard Webhooks defines it (<https://www.standardwebhooks.com/>), plus
//! the reference system's `X-Eryxon-Signature` for receivers written for it.

use std::fmt;

use base64::Engine;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// How many random bytes a generated secret has.
pub const GENERATED_SECRET_BYTES: usize = 32;
/// The fewest bytes a parsed secret may decode to.
pub const MIN_SECRET_BYTES: usize = 24;
/// The most bytes a parsed secret may decode to, Standard Webhooks' upper bound.
pub const MAX_SECRET_BYTES: usize = 64;

/// The message id header: the event's `id`, the same on every attempt.
pub const HEADER_WEBHOOK_ID: &str = "webhook-id";
/// The Unix-seconds timestamp header that is part of the signed content.
pub const HEADER_WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying [`signature_header`].
pub const HEADER_WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// The reference system's header naming the event type.
pub const HEADER_ERYXON_EVENT: &str = "X-Eryxon-Event";
/// The reference system's header carrying [`eryxon_signature`].
pub const HEADER_ERYXON_SIGNATURE: &str = "X-Eryxon-Signature";

const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

/// A webhook's signing secret: `whsec_` and the standard base64 of its key bytes.
#[derive(Clone)]
pub struct WebhookSecret {
    text: String,
    key: Vec<u8>,
}

/// Why a text is not a usable secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret must start with `whsec_`")]
    MissingPrefix,
    #[error("a webhook secret must be `whsec_` followed by standard base64")]
    NotBase64,
    #[error("a webhook secret must decode to {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, this one has {len}")]
    BadLength { len: usize },
}

impl WebhookSecret {
    /// A new secret of 32 bytes from the operating system's random source.
    pub fn generate() -> WebhookSecret {
        let mut key = vec![0u8; GENERATED_SECRET_BYTES];
        rand::rng().fill_bytes(&mut key);
        WebhookSecret::from_key(key)
    }

    /// Parses `whsec_<base64>`; padding may be left off. The key must be 24 to 64 bytes.
    pub fn parse(text: &str) -> Result<WebhookSecret, SecretError> {
        let encoded = text.strip_prefix(SECRET_PREFIX).ok_or(SecretError::MissingPrefix)?;
        if encoded.len() > MAX_SECRET_BYTES.div_ceil(3) * 4 {
            return Err(SecretError::BadLength { len: encoded.trim_end_matches('=').len() * 3 / 4 });
        }
        let key = LENIENT_BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&key.len()) {
            return Err(SecretError::BadLength { len: key.len() });
        }
        Ok(WebhookSecret::from_key(key))
    }

    fn from_key(key: Vec<u8>) -> WebhookSecret {
        WebhookSecret { text: format!("{SECRET_PREFIX}{}", STANDARD.encode(&key)), key }
    }

    /// The secret in its canonical text form (padded base64), to store or to show once.
    pub fn reveal(&self) -> &str {
        &self.text
    }

    /// The decoded key bytes, which are what HMAC is keyed with.
    pub fn bytes(&self) -> &[u8] {
        &self.key
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl PartialEq for WebhookSecret {
    fn eq(&self, other: &Self) -> bool {
        self.key.ct_eq(&other.key).into()
    }
}

impl Eq for WebhookSecret {}

/// One Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of
/// `{msg_id}.{timestamp_secs}.{body}`.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let mut mac = secret.mac();
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` value: one signature per secret, separated by spaces, so that during
/// a rotation both the old and the new secret sign.
pub fn signature_header(secrets: &[&WebhookSecret], msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    secrets.iter().map(|s| sign(s, msg_id, timestamp_secs, body)).collect::<Vec<_>>().join(" ")
}

/// Whether any `v1` signature in a `webhook-signature` value was made with `secret`, compared in
/// constant time. The receiver's side, for tests and tooling; checking the timestamp's age is
/// left to the caller.
pub fn verify(secret: &WebhookSecret, msg_id: &str, timestamp_secs: i64, body: &[u8], header: &str) -> bool {
    let expected = sign(secret, msg_id, timestamp_secs, body);
    header
        .split_ascii_whitespace()
        .fold(false, |found, given| found | bool::from(given.as_bytes().ct_eq(expected.as_bytes())))
}

/// The reference system's `X-Eryxon-Signature` value: `sha256=` and the lowercase hex
/// HMAC-SHA256 of the body alone.
pub fn eryxon_signature(secret: &WebhookSecret, body: &[u8]) -> String {
    let mut mac = secret.mac();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const VECTOR_TIMESTAMP: i64 = 1614265330;
    const VECTOR_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const VECTOR_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn vector_secret() -> WebhookSecret {
        WebhookSecret::parse(VECTOR_SECRET).unwrap()
    }

    #[test]
    fn signs_the_standard_webhooks_test_vector() {
        let secret = vector_secret();
        assert_eq!(secret.bytes().len(), 24);
        assert_eq!(sign(&secret, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY), VECTOR_SIGNATURE);
    }

    #[test]
    fn any_change_to_the_signed_content_changes_the_signature() {
        let secret = vector_secret();
        for signature in [
            sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJeK", VECTOR_TIMESTAMP, VECTOR_BODY),
            sign(&secret, VECTOR_ID, VECTOR_TIMESTAMP + 1, VECTOR_BODY),
            sign(&secret, VECTOR_ID, VECTOR_TIMESTAMP, br#"{"test": 2432232315}"#),
            sign(&WebhookSecret::generate(), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY),
        ] {
            assert_ne!(signature, VECTOR_SIGNATURE);
            assert!(signature.starts_with("v1,"));
        }
    }

    #[test]
    fn rotation_header_carries_one_signature_per_secret() {
        let old = vector_secret();
        let new = WebhookSecret::generate();
        let header = signature_header(&[&old, &new], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY);
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts, [VECTOR_SIGNATURE, &sign(&new, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)]);
        assert_eq!(signature_header(&[&old], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY), VECTOR_SIGNATURE);
        assert_eq!(signature_header(&[], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY), "");
    }

    #[test]
    fn verify_accepts_any_matching_signature_and_nothing_else() {
        let old = vector_secret();
        let new = WebhookSecret::generate();
        let header = signature_header(&[&old, &new], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY);
        assert!(verify(&old, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, &header));
        assert!(verify(&new, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, &header));
        assert!(verify(&old, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, VECTOR_SIGNATURE));
        assert!(!verify(&WebhookSecret::generate(), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, &header));
        assert!(!verify(&old, VECTOR_ID, VECTOR_TIMESTAMP + 1, VECTOR_BODY, &header));
        assert!(!verify(&old, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, ""));
        assert!(!verify(&old, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY, "v1,g0hM9SsE"));
    }

    #[test]
    fn eryxon_signature_is_hex_hmac_of_the_body() {
        // Computed independently with Python's `hmac` module over the test vector's body.
        let secret = vector_secret();
        assert_eq!(
            eryxon_signature(&secret, VECTOR_BODY),
            "sha256=e2cb4f5251572539d458bfb8a7adb533b08801e6a794467e06f771debbb0818b"
        );
        assert_ne!(eryxon_signature(&secret, b"{}"), eryxon_signature(&secret, VECTOR_BODY));
    }

    #[test]
    fn generated_secrets_have_32_bytes_and_parse_back() {
        let secret = WebhookSecret::generate();
        assert_eq!(secret.bytes().len(), 32);
        assert!(secret.reveal().starts_with("whsec_"));
        assert_eq!(secret.reveal().len(), "whsec_".len() + 44);
        assert!(secret.reveal().ends_with('='));
        let parsed = WebhookSecret::parse(secret.reveal()).unwrap();
        assert_eq!(parsed, secret);
        assert_eq!(parsed.reveal(), secret.reveal());
        assert_ne!(WebhookSecret::generate(), secret);
    }

    #[test]
    fn parse_accepts_missing_padding_and_reveals_the_canonical_form() {
        let padded = WebhookSecret::generate();
        let unpadded = padded.reveal().trim_end_matches('=');
        let parsed = WebhookSecret::parse(unpadded).unwrap();
        assert_eq!(parsed.bytes(), padded.bytes());
        assert_eq!(parsed.reveal(), padded.reveal());
    }

    #[test]
    fn parse_refuses_malformed_secrets() {
        assert_eq!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(), SecretError::MissingPrefix);
        assert_eq!(
            WebhookSecret::parse("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(),
            SecretError::MissingPrefix
        );
        assert_eq!(WebhookSecret::parse("whsec_MfKQ9r8G!YqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(), SecretError::NotBase64);
        assert_eq!(WebhookSecret::parse("whsec_MfKQ9r8G-YqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(), SecretError::NotBase64);
        assert_eq!(
            WebhookSecret::parse("whsec_ MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(),
            SecretError::NotBase64
        );
        assert_eq!(WebhookSecret::parse("whsec_").unwrap_err(), SecretError::BadLength { len: 0 });
        let short = format!("whsec_{}", STANDARD.encode([7u8; 23]));
        assert_eq!(WebhookSecret::parse(&short).unwrap_err(), SecretError::BadLength { len: 23 });
        let longest = format!("whsec_{}", STANDARD.encode([7u8; 64]));
        assert!(WebhookSecret::parse(&longest).is_ok());
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert!(matches!(WebhookSecret::parse(&long), Err(SecretError::BadLength { .. })));
        let huge = format!("whsec_{}", "A".repeat(1_000_000));
        assert!(matches!(WebhookSecret::parse(&huge), Err(SecretError::BadLength { .. })));
    }

    #[test]
    fn debug_does_not_leak_the_secret() {
        let secret = vector_secret();
        let debug = format!("{secret:?}");
        assert!(!debug.contains("MfKQ"));
    }
}
