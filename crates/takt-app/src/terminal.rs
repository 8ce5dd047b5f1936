//! The operator terminal's use cases (SPEC section 8): signing in by employee number and PIN,
//! with a lockout after wrong PINs; sessions found by their token's hash; and the reads its pages
//! need beyond the API's. The pages' actions go through [`crate::Service`]'s own use cases.

use std::sync::LazyLock;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use takt_store::sql::Backend;
use takt_store::sql::terminal::{self, LateJob, NamedTenant, Session};
use takt_store::{StoreError, TenantId, now};
use uuid::Uuid;

use crate::{App, pins};

/// Wrong PINs in a row that lock an operator out.
pub const WRONG_PINS_BEFORE_LOCKOUT: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// How a sign-in went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// A new session: its token (for the cookie; only its hash is stored) and what it is.
    Signed { token: String, session: Session },
    /// No operator who may sign in has this employee number and PIN.
    Refused,
    /// Too many wrong PINs: the operator may try again at `until`.
    Locked { until: DateTime<Utc> },
}

/// What the terminal asks of Takt beyond [`crate::Service`]'s API use cases.
#[async_trait]
pub trait Terminal: Send + Sync {
    /// Every tenant, by name.
    async fn terminal_tenants(&self) -> Result<Vec<NamedTenant>, StoreError>;
    /// The tenant of that name, in any case.
    async fn terminal_tenant(&self, name: &str) -> Result<Option<NamedTenant>, StoreError>;
    /// Checks an employee number and PIN; opens a session lasting `shift` when they match an
    /// active operator who is not locked out, and counts a wrong PIN otherwise.
    async fn sign_in(
        &self,
        tenant: TenantId,
        employee_number: &str,
        pin: &str,
        shift: Duration,
    ) -> Result<SignIn, StoreError>;
    /// The live session of a cookie's token.
    async fn terminal_session(&self, token: &str) -> Result<Option<Session>, StoreError>;
    /// Ends the session of a token; whether there was one.
    async fn sign_out(&self, token: &str) -> Result<bool, StoreError>;
    /// The live operations with this external id.
    async fn operations_by_external_id(&self, tenant: TenantId, code: &str) -> Result<Vec<Uuid>, StoreError>;
    /// Since when an operation runs (its earliest open time entry), if it does.
    async fn running_since(&self, tenant: TenantId, operation: Uuid) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Jobs due before `today` that are not completed.
    async fn late_jobs(&self, tenant: TenantId, today: NaiveDate) -> Result<Vec<LateJob>, StoreError>;
}

/// The SHA-256 of a session token: what the database keeps.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// 32 random bytes from the OS, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A hash no PIN is checked against but an unknown employee number's, so that a wrong number
/// takes as long to refuse as a wrong PIN.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| pins::hash(&random_token()).unwrap_or_default());

async fn verify_pin(pin: &str, stored: Option<&str>) -> Result<bool, StoreError> {
    let (pin, stored) = (pin.to_owned(), stored.map(str::to_owned));
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => pins::verify(&pin, &stored),
        None => {
            pins::verify(&pin, &DECOY_HASH);
            false
        }
    })
    .await
    .map_err(|e| StoreError::Internal(format!("the PIN check failed: {e}")))
}

#[async_trait]
impl<B: Backend> Terminal for App<B> {
    async fn terminal_tenants(&self) -> Result<Vec<NamedTenant>, StoreError> {
        self.db
            .read(|mut tx| async move {
                let result = terminal::tenants(&mut tx).await;
                (tx, result)
            })
            .await
    }

    async fn terminal_tenant(&self, name: &str) -> Result<Option<NamedTenant>, StoreError> {
        self.db
            .read(|mut tx| async move {
                let result = terminal::tenant(&mut tx, name).await;
                (tx, result)
            })
            .await
    }

    async fn sign_in(
        &self,
        tenant: TenantId,
        employee_number: &str,
        pin: &str,
        shift: Duration,
    ) -> Result<SignIn, StoreError> {
        let operator = self
            .db
            .read(|mut tx| async move {
                let result = terminal::operator_by_employee_number(&mut tx, tenant, employee_number).await;
                (tx, result)
            })
            .await?;
        let at = now();
        if let Some(until) = operator.as_ref().and_then(|o| o.locked_until).filter(|until| *until > at) {
            return Ok(SignIn::Locked { until });
        }
        let right = verify_pin(pin, operator.as_ref().and_then(|o| o.pin_hash.as_deref())).await?;
        let Some(operator) = operator else { return Ok(SignIn::Refused) };
        let at = now();
        if !right {
            let lock_for = chrono::Duration::from_std(LOCKOUT).unwrap_or_default();
            let locked = self
                .db
                .write(|mut tx| async move {
                    let result = terminal::record_wrong_pin(
                        &mut tx,
                        tenant,
                        operator.id,
                        at,
                        WRONG_PINS_BEFORE_LOCKOUT,
                        lock_for,
                    )
                    .await;
                    (tx, result)
                })
                .await?;
            return Ok(locked.map_or(SignIn::Refused, |until| SignIn::Locked { until }));
        }
        if !operator.active {
            return Ok(SignIn::Refused);
        }
        let token = random_token();
        let hash = token_hash(&token);
        let session = Session {
            tenant,
            operator_id: operator.id,
            operator_name: operator.name.clone(),
            csrf_token: random_token(),
            expires_at: at + chrono::Duration::from_std(shift).unwrap_or(chrono::Duration::hours(12)),
        };
        let stored = &session;
        let hash = &hash;
        self.db
            .write(|mut tx| async move {
                let result = async {
                    terminal::clear_wrong_pins(&mut tx, stored.operator_id).await?;
                    terminal::create_session(
                        &mut tx,
                        tenant,
                        stored.operator_id,
                        hash,
                        &stored.csrf_token,
                        at,
                        stored.expires_at,
                    )
                    .await
                }
                .await;
                (tx, result)
            })
            .await?;
        Ok(SignIn::Signed { token, session })
    }

    async fn terminal_session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let hash = &token_hash(token);
        let at = now();
        self.db
            .read(|mut tx| async move {
                let result = terminal::session(&mut tx, hash, at).await;
                (tx, result)
            })
            .await
    }

    async fn sign_out(&self, token: &str) -> Result<bool, StoreError> {
        let hash = &token_hash(token);
        self.db
            .write(|mut tx| async move {
                let result = terminal::delete_session(&mut tx, hash).await;
                (tx, result)
            })
            .await
    }

    async fn operations_by_external_id(&self, tenant: TenantId, code: &str) -> Result<Vec<Uuid>, StoreError> {
        self.db
            .read(|mut tx| async move {
                let result = terminal::operations_by_external_id(&mut tx, tenant, code).await;
                (tx, result)
            })
            .await
    }

    async fn running_since(&self, tenant: TenantId, operation: Uuid) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.db
            .read(|mut tx| async move {
                let result = terminal::running_since(&mut tx, tenant, operation).await;
                (tx, result)
            })
            .await
    }

    async fn late_jobs(&self, tenant: TenantId, today: NaiveDate) -> Result<Vec<LateJob>, StoreError> {
        self.db
            .read(|mut tx| async move {
                let result = terminal::late_jobs(&mut tx, tenant, today).await;
                (tx, result)
            })
            .await
    }
}
