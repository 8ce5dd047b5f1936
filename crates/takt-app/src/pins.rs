//! Operators' PINs: hashed with Argon2id before a sync's transaction opens, on a blocking
//! thread, since the hashing is slow by design and must hold neither the runtime nor the
//! tenant's lock; and checked against a stored hash.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use takt_domain::erp::{Pin, SyncInput};
use takt_domain::json::Patch;
use takt_store::{BulkItem, StoreError};

/// The PHC string of `pin`'s Argon2id hash (the crate's defaults: 19 MiB, 2 passes, OWASP's
/// recommendation), with a fresh salt.
pub fn hash(pin: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| StoreError::Internal(format!("hashing a PIN failed: {e}")))
}

/// Whether `pin` is the one `stored` (a PHC string) was made from.
pub fn verify(pin: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

/// `input` with every given PIN replaced by its hash; borrowed as is when it carries none.
pub(crate) async fn hashed(input: &SyncInput) -> Result<std::borrow::Cow<'_, SyncInput>, StoreError> {
    if !carries_pin(input) {
        return Ok(std::borrow::Cow::Borrowed(input));
    }
    let mut owned = input.clone();
    owned = tokio::task::spawn_blocking(move || hash_in(&mut owned).map(|()| owned))
        .await
        .map_err(|e| StoreError::Internal(format!("the PIN hashing task failed: {e}")))??;
    Ok(std::borrow::Cow::Owned(owned))
}

/// The same for every valid item of a bulk request.
pub(crate) async fn hashed_items(items: &[BulkItem]) -> Result<std::borrow::Cow<'_, [BulkItem]>, StoreError> {
    if !items.iter().any(|item| matches!(item, BulkItem::Valid(input) if carries_pin(input))) {
        return Ok(std::borrow::Cow::Borrowed(items));
    }
    let mut owned = items.to_vec();
    owned = tokio::task::spawn_blocking(move || {
        for item in &mut owned {
            if let BulkItem::Valid(input) = item {
                hash_in(input)?;
            }
        }
        Ok::<_, StoreError>(owned)
    })
    .await
    .map_err(|e| StoreError::Internal(format!("the PIN hashing task failed: {e}")))??;
    Ok(std::borrow::Cow::Owned(owned))
}

fn carries_pin(input: &SyncInput) -> bool {
    matches!(input, SyncInput::Operator(operator) if matches!(operator.pin, Patch::Set(Pin::Given(_))))
}

/// Hashes the PIN `input` gives, where it is (a PATCH, whose full record is known only inside
/// its transaction).
pub(crate) fn hash_in(input: &mut SyncInput) -> Result<(), StoreError> {
    if let SyncInput::Operator(operator) = input
        && let Patch::Set(Pin::Given(pin)) = &operator.pin
    {
        operator.pin = Patch::Set(Pin::Hashed(hash(pin)?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_pin_only_and_is_salted() {
        let first = hash("1234").unwrap();
        assert!(first.starts_with("$argon2id$"), "{first}");
        assert!(verify("1234", &first));
        assert!(!verify("1235", &first));
        assert!(!verify("1234", "not a hash"));
        assert_ne!(first, hash("1234").unwrap(), "each hash has its own salt");
    }
}
