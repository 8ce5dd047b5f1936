//! Idempotency keys: claimed when a request starts, answered when it ends, pruned a day later.
//! A claim is one statement that either inserts the key or finds it; a claim whose lease ran out
//! (its instance died) or whose key expired is taken over by compare-and-set, so that two
//! instances never both run one key.

use chrono::{DateTime, Utc};
use takt_domain::idempotency::{Claim, IdempotencyKey, KEPT_FOR, LEASE, RequestFingerprint, StoredAnswer};
use uuid::Uuid;

use super::{Query, RowExt, Tx};
use crate::{StoreError, TenantId};

fn after(at: DateTime<Utc>, span: std::time::Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(span).expect("the spans are small")
}

fn internal(what: &str) -> StoreError {
    StoreError::Internal(format!("idempotency key: {what}"))
}

/// Claims `key` for a request with `fingerprint`, or says why it cannot run.
pub async fn claim<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
    at: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    let token = Uuid::now_v7();
    let q = Query::new(
        "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, claim, created_at, expires_at, lease_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, key) DO NOTHING",
    )
    .arg(tenant.0)
    .arg(key.as_str())
    .arg(fingerprint.as_str())
    .arg(token)
    .arg(at)
    .arg(after(at, KEPT_FOR))
    .arg(after(at, LEASE));
    if tx.execute(&q).await? == 1 {
        return Ok(Claim::Granted { token });
    }
    let q = Query::new(
        "SELECT fingerprint, claim, expires_at, lease_until, status, headers, body FROM idempotency_keys \
         WHERE tenant_id = $1 AND key = $2",
    )
    .arg(tenant.0)
    .arg(key.as_str());
    let row = tx.fetch_optional(&q).await?.ok_or_else(|| internal("a conflicting key is gone"))?;
    let held_by: Uuid = row.get(1)?;
    let expires_at: DateTime<Utc> = row.get(2)?;
    let lease_until: Option<DateTime<Utc>> = row.opt(3)?;
    let same_request = RequestFingerprint::from_stored(row.get(0)?) == *fingerprint;
    if expires_at > at {
        if !same_request {
            return Ok(Claim::Reused);
        }
        if let Some(status) = row.opt::<i64>(4)? {
            let headers: String = row.opt(5)?.unwrap_or_default();
            return Ok(Claim::Answered(StoredAnswer {
                status: u16::try_from(status).map_err(|_| internal("a stored status is out of range"))?,
                headers: serde_json::from_str(&headers).map_err(|e| internal(&e.to_string()))?,
                body: row.opt(6)?.unwrap_or_default(),
            }));
        }
        if lease_until.is_some_and(|until| until > at) {
            return Ok(Claim::InUse);
        }
    }
    take_over(tx, tenant, key, fingerprint, held_by, token, at).await
}

/// Claims a key whose first request died or whose day is over, unless another request got to
/// it first.
async fn take_over<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    key: &IdempotencyKey,
    fingerprint: &RequestFingerprint,
    held_by: Uuid,
    token: Uuid,
    at: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    let q = Query::new(
        "UPDATE idempotency_keys SET fingerprint = $4, claim = $5, created_at = $6, expires_at = $7, \
         lease_until = $8, status = NULL, headers = NULL, body = NULL \
         WHERE tenant_id = $1 AND key = $2 AND claim = $3",
    )
    .arg(tenant.0)
    .arg(key.as_str())
    .arg(held_by)
    .arg(fingerprint.as_str())
    .arg(token)
    .arg(at)
    .arg(after(at, KEPT_FOR))
    .arg(after(at, LEASE));
    Ok(if tx.execute(&q).await? == 1 { Claim::Granted { token } } else { Claim::InUse })
}

/// Keeps the answer of the request that holds `token`; answers whether it still held it.
pub async fn answer<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    key: &IdempotencyKey,
    token: Uuid,
    answer: &StoredAnswer,
) -> Result<bool, StoreError> {
    let headers = serde_json::to_string(&answer.headers).map_err(|e| internal(&e.to_string()))?;
    let q = Query::new(
        "UPDATE idempotency_keys SET status = $4, headers = $5, body = $6, lease_until = NULL \
         WHERE tenant_id = $1 AND key = $2 AND claim = $3",
    )
    .arg(tenant.0)
    .arg(key.as_str())
    .arg(token)
    .arg(i64::from(answer.status))
    .arg(headers)
    .arg(answer.body.clone());
    Ok(tx.execute(&q).await? == 1)
}

/// Gives a key up, so that a retry runs the request again.
pub async fn release<T: Tx>(tx: &mut T, tenant: TenantId, key: &IdempotencyKey, token: Uuid) -> Result<(), StoreError> {
    let q = Query::new("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND claim = $3")
        .arg(tenant.0)
        .arg(key.as_str())
        .arg(token);
    tx.execute(&q).await?;
    Ok(())
}

/// Deletes every tenant's keys that expired before `at`; answers how many.
pub async fn prune<T: Tx>(tx: &mut T, at: DateTime<Utc>) -> Result<u64, StoreError> {
    let q = Query::new("DELETE FROM idempotency_keys WHERE expires_at <= $1").arg(at);
    Ok(tx.execute(&q).await?)
}
