//! Tenants, API keys and shared rate-limit buckets.

use chrono::{DateTime, Utc};
use takt_domain::api_key::ApiKey;
use takt_domain::master_data;
use takt_domain::rate_limit::{RateDecision, RatePolicy, TokenBucket};
use takt_domain::text::fold;
use uuid::Uuid;

use super::query::like_literal;
use super::{Query, Row, RowExt, Tx};
use crate::error::{Entity, Lookup};
use crate::{KeyInfo, StoreError, StoredKey, TenantId};

const KEY_COLUMNS: &str = "k.id, t.name, k.name, k.lookup_prefix, k.created_at, k.last_used_at, k.revoked_at FROM api_keys k JOIN tenants t ON t.id = k.tenant_id";

fn key_info(row: &impl Row) -> Result<KeyInfo, StoreError> {
    Ok(KeyInfo {
        id: row.get(0)?,
        tenant: row.get(1)?,
        name: row.opt(2)?,
        lookup_prefix: row.get(3)?,
        created_at: row.get(4)?,
        last_used_at: row.opt(5)?,
        revoked_at: row.opt(6)?,
    })
}

/// Finds a tenant by name (case-insensitively), creating it with its built-in records. Two
/// processes creating one tenant at once end up with the same one.
pub async fn ensure_tenant<T: Tx>(tx: &mut T, name: &str, at: DateTime<Utc>) -> Result<TenantId, StoreError> {
    let tenant = TenantId(Uuid::now_v7());
    let inserted = tx
        .fetch_optional(
            &Query::new(
                "INSERT INTO tenants (id, name, name_folded, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name_folded) DO NOTHING RETURNING id",
            )
            .arg(tenant.0)
            .arg(name)
            .arg(fold(name))
            .arg(at),
        )
        .await?;
    if inserted.is_none() {
        let existing = tx
            .fetch_optional(&Query::new("SELECT id FROM tenants WHERE name_folded = $1").arg(fold(name)))
            .await?
            .ok_or_else(|| StoreError::Busy(format!("tenant '{name}' is being created elsewhere")))?;
        return Ok(TenantId(existing.get(0)?));
    }
    for spec in master_data::ALL.iter().filter(|s| !s.built_in.is_empty()) {
        for built_in in spec.built_in {
            let id = tx.next_id().await?;
            let sql = format!(
                "INSERT INTO {} (id, tenant_id, name, name_folded, built_in, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, TRUE, $5, $5)",
                spec.table
            );
            tx.execute(&Query::new(sql).arg(id).arg(tenant.0).arg(*built_in).arg(fold(built_in)).arg(at)).await?;
        }
    }
    Ok(tenant)
}

pub async fn create_key<T: Tx>(
    tx: &mut T,
    tenant: &str,
    label: Option<&str>,
    key: &ApiKey,
    at: DateTime<Utc>,
) -> Result<KeyInfo, StoreError> {
    let tenant_id = ensure_tenant(tx, tenant, at).await?;
    let id = Uuid::now_v7();
    let inserted = tx
        .execute(
            &Query::new(
                "INSERT INTO api_keys (id, tenant_id, lookup_prefix, key_hash, name, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .arg(id)
            .arg(tenant_id.0)
            .arg(key.lookup_prefix())
            .arg(key.hash().to_vec())
            .arg(label)
            .arg(at),
        )
        .await;
    if let Err(super::DbError::Unique { .. }) = inserted {
        return Err(StoreError::Taken { entity: Entity::Key, field: Some("lookup_prefix"), value: None });
    }
    inserted?;
    let row = tx.fetch_optional(&Query::new(format!("SELECT {KEY_COLUMNS} WHERE k.id = $1")).arg(id)).await?;
    key_info(&row.ok_or_else(|| StoreError::Internal("the new key vanished".into()))?)
}

pub async fn list_keys<T: Tx>(tx: &mut T) -> Result<Vec<KeyInfo>, StoreError> {
    let rows =
        tx.fetch_all(&Query::new(format!("SELECT {KEY_COLUMNS} ORDER BY t.name_folded, k.created_at, k.id"))).await?;
    rows.iter().map(key_info).collect()
}

pub async fn revoke_key<T: Tx>(tx: &mut T, prefix: &str, at: DateTime<Utc>) -> Result<KeyInfo, StoreError> {
    let pattern = format!("{}%", like_literal(prefix));
    let rows = tx
        .fetch_all(
            &Query::new(format!(
                "SELECT {KEY_COLUMNS} WHERE k.lookup_prefix LIKE $1 ESCAPE '\\' ORDER BY k.lookup_prefix"
            ))
            .arg(pattern),
        )
        .await?;
    let mut keys: Vec<KeyInfo> = rows.iter().map(key_info).collect::<Result<_, _>>()?;
    match keys.len() {
        0 => Err(StoreError::missing(Entity::Key, Lookup::Prefix(prefix.to_owned()), None)),
        1 => {
            let mut key = keys.remove(0);
            if key.revoked_at.is_none() {
                tx.execute(&Query::new("UPDATE api_keys SET revoked_at = $1 WHERE id = $2").arg(at).arg(key.id))
                    .await?;
                key.revoked_at = Some(at);
            }
            Ok(key)
        }
        _ => Err(StoreError::Ambiguous {
            entity: Entity::Key,
            by: Lookup::Prefix(prefix.to_owned()),
            matches: keys.into_iter().map(|k| k.lookup_prefix).collect(),
            more: false,
            at: None,
        }),
    }
}

pub async fn find_key<T: Tx>(tx: &mut T, lookup_prefix: &str) -> Result<Option<StoredKey>, StoreError> {
    let row = tx
        .fetch_optional(
            &Query::new(
                "SELECT k.id, k.tenant_id, t.name, k.lookup_prefix, k.key_hash, k.revoked_at, k.last_used_at \
                 FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.lookup_prefix = $1",
            )
            .arg(lookup_prefix),
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(StoredKey {
        id: row.get(0)?,
        tenant_id: TenantId(row.get(1)?),
        tenant_name: row.get(2)?,
        lookup_prefix: row.get(3)?,
        key_hash: row.get(4)?,
        revoked: row.opt::<DateTime<Utc>>(5)?.is_some(),
        last_used_at: row.opt(6)?,
    }))
}

pub async fn touch_key<T: Tx>(tx: &mut T, key_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    tx.execute(&Query::new("UPDATE api_keys SET last_used_at = $1 WHERE id = $2").arg(at).arg(key_id)).await?;
    Ok(())
}

/// Takes a token from a bucket kept in the database, so that every process sharing it counts
/// against the same limit. A compare-and-set on `version` keeps concurrent takers honest.
pub async fn take_shared_token<T: Tx>(
    tx: &mut T,
    key_id: Uuid,
    policy: RatePolicy,
    now: DateTime<Utc>,
) -> Result<RateDecision, StoreError> {
    for _ in 0..64 {
        let row = tx
            .fetch_optional(
                &Query::new("SELECT tokens, updated_at_micros, version FROM rate_buckets WHERE key_id = $1")
                    .arg(key_id),
            )
            .await?;
        let Some(row) = row else {
            let (bucket, decision) = TokenBucket::full(policy, now).take(policy, now);
            let inserted = tx
                .execute(
                    &Query::new(
                        "INSERT INTO rate_buckets (key_id, tokens, updated_at_micros, version) VALUES ($1, $2, $3, 1) \
                         ON CONFLICT (key_id) DO NOTHING",
                    )
                    .arg(key_id)
                    .arg(bucket.tokens)
                    .arg(now.timestamp_micros()),
                )
                .await?;
            if inserted == 1 {
                return Ok(decision);
            }
            continue;
        };
        let tokens: f64 = row.get(0)?;
        let updated_at = DateTime::from_timestamp_micros(row.get(1)?).unwrap_or(now);
        let version: i64 = row.get(2)?;
        let (bucket, decision) = TokenBucket { tokens, updated_at: updated_at.min(now) }.take(policy, now);
        let swapped = tx
            .execute(
                &Query::new(
                    "UPDATE rate_buckets SET tokens = $1, updated_at_micros = $2, version = version + 1 \
                     WHERE key_id = $3 AND version = $4",
                )
                .arg(bucket.tokens)
                .arg(bucket.updated_at.timestamp_micros())
                .arg(key_id)
                .arg(version),
            )
            .await?;
        if swapped == 1 {
            return Ok(decision);
        }
    }
    Err(StoreError::Busy("the rate-limit bucket kept changing under this request".into()))
}
