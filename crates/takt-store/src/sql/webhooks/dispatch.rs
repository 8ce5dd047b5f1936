//! Delivering webhooks: new events become deliveries, due deliveries are claimed for one
//! attempt under a lease, and each attempt's outcome is recorded.
//!
//! On PostgreSQL several instances share this work: claims skip the rows another instance holds
//! (`FOR UPDATE SKIP LOCKED`), and a claimed delivery is leased, so no two instances attempt it
//! at once; a lease that runs out (the instance died) makes it due again.

use chrono::{DateTime, Utc};
use serde_json::json;
use takt_domain::event::{Actor, Change, TypePatterns};
use takt_domain::webhook::Webhook;
use uuid::Uuid;

use super::read;
use crate::sql::events::{self, EVENT_COLUMNS, read_event};
use crate::sql::{Param, Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// The most webhooks, events and deliveries one step handles.
const WEBHOOKS_PER_STEP: i64 = 100;
const EVENTS_PER_STEP: i64 = 5_000;
const ROWS_PER_INSERT: usize = 500;

/// A delivery claimed for one attempt.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery_id: Uuid,
    pub tenant: TenantId,
    pub webhook_id: Uuid,
    /// This attempt's number, from 1.
    pub attempt: i64,
    pub url: String,
    /// The secrets that sign: the current one first, then the previous one while it lasts.
    pub secrets: Vec<String>,
    pub event_id: Uuid,
    pub event_type: String,
    pub seq: i64,
    /// The event as the feed answers it: the body of the delivery.
    pub body: String,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptResult {
    pub succeeded: bool,
    pub http_status: Option<i64>,
    pub duration_ms: i64,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// Turns the events committed since each active webhook last looked into its deliveries; answers
/// how many deliveries were made.
pub async fn enqueue<T: Tx>(tx: &mut T, at: DateTime<Utc>) -> Result<u64, StoreError> {
    let q = Query::new(format!(
        "SELECT w.id, w.url, w.events, w.active, w.description, w.disabled_reason, w.created_at, w.updated_at, \
         w.cursor_seq, w.tenant_id, s.last_seq FROM webhooks w JOIN event_sequences s ON s.tenant_id = w.tenant_id \
         WHERE w.active AND w.cursor_seq < s.last_seq ORDER BY w.id LIMIT {WEBHOOKS_PER_STEP}{}",
        tx.skip_locked("w")
    ));
    let mut made = 0;
    for row in tx.fetch_all(&q).await? {
        let webhook = read(&row)?;
        let (cursor, tenant, last): (i64, Uuid, i64) = (row.get(8)?, row.get(9)?, row.get(10)?);
        let through = last.min(cursor + EVENTS_PER_STEP);
        made += enqueue_range(tx, TenantId(tenant), &webhook, cursor, through, at).await?;
        let q = Query::new("UPDATE webhooks SET cursor_seq = $1 WHERE id = $2").arg(through).arg(webhook.id);
        tx.execute(&q).await?;
    }
    Ok(made)
}

/// Makes a delivery for each event in `(after, through]` that matches the webhook's patterns,
/// except the webhook's own failure notices (which would feed on themselves).
pub(super) async fn enqueue_range<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    webhook: &Webhook,
    after: i64,
    through: i64,
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let patterns = TypePatterns::from_items(webhook.events.iter().map(String::as_str))
        .map_err(|e| StoreError::Internal(format!("stored webhook patterns: {e}")))?;
    let own = webhook.id.to_string();
    let mut from = after;
    let mut made = 0;
    while from < through {
        let q = Query::new(
            "SELECT seq, id, type, entity, entity_id FROM events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 \
             ORDER BY seq LIMIT $4",
        )
        .arg(tenant.0)
        .arg(from)
        .arg(through)
        .arg(EVENTS_PER_STEP);
        let rows = tx.fetch_all(&q).await?;
        let Some(last) = rows.last() else { break };
        from = last.get(0)?;
        let mut wanted: Vec<(i64, Uuid)> = Vec::new();
        for row in &rows {
            let (event_type, entity, entity_id): (String, String, String) = (row.get(2)?, row.get(3)?, row.get(4)?);
            if patterns.matches_any(&event_type) && !(entity == "webhook" && entity_id == own) {
                wanted.push((row.get(0)?, row.get(1)?));
            }
        }
        for chunk in wanted.chunks(ROWS_PER_INSERT) {
            let mut q = Query::new(
                "INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_seq, event_id, status, attempts, \
                 next_attempt_at, created_at, updated_at) VALUES ",
            );
            for (n, (seq, event_id)) in chunk.iter().enumerate() {
                q.push(if n == 0 { "(" } else { ", (" });
                q.bind_list([
                    Uuid::now_v7().into(),
                    tenant.0.into(),
                    webhook.id.into(),
                    (*seq).into(),
                    (*event_id).into(),
                    "pending".into(),
                    0_i64.into(),
                    at.into(),
                    at.into(),
                    at.into(),
                ]);
                q.push(")");
            }
            made += tx.execute(&q).await?;
        }
    }
    Ok(made)
}

/// Whether a dispatcher round has anything to do at `now`: an active webhook behind its
/// tenant's events, or a delivery due. Meant for a read-only transaction, so that an idle round
/// takes no write transaction (on SQLite, the one writer) from the requests.
pub async fn work_waiting<T: Tx>(tx: &mut T, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let q = Query::new(
        "SELECT 1 FROM webhooks w JOIN event_sequences s ON s.tenant_id = w.tenant_id \
         WHERE w.active AND w.cursor_seq < s.last_seq \
         UNION ALL SELECT 1 FROM webhook_deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
         AND (d.locked_until IS NULL OR d.locked_until <= $1) LIMIT 1",
    )
    .arg(now);
    Ok(tx.fetch_optional(&q).await?.is_some())
}

/// Claims up to `limit` due deliveries for one attempt each, leased until `lease_until`.
pub async fn claim<T: Tx>(
    tx: &mut T,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let q = Query::new(format!(
        "SELECT {EVENT_COLUMNS}, d.id, d.tenant_id, d.webhook_id, d.attempts, w.url, w.secret, w.previous_secret, \
         w.previous_secret_until FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         JOIN events e ON e.tenant_id = d.tenant_id AND e.seq = d.event_seq \
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.locked_until IS NULL OR d.locked_until <= $1) \
         AND w.active ORDER BY d.next_attempt_at, d.id LIMIT $2{}",
        tx.skip_locked("d")
    ))
    .arg(now)
    .arg(limit);
    let mut claimed = Vec::new();
    for row in tx.fetch_all(&q).await? {
        let event = read_event(&row)?;
        let mut secrets = vec![row.get::<String>(16)?];
        if let (Some(previous), Some(until)) = (row.opt::<String>(17)?, row.opt::<DateTime<Utc>>(18)?)
            && until > now
        {
            secrets.push(previous);
        }
        claimed.push(Claimed {
            delivery_id: row.get(11)?,
            tenant: TenantId(row.get(12)?),
            webhook_id: row.get(13)?,
            attempt: row.get::<i64>(14)? + 1,
            url: row.get(15)?,
            secrets,
            event_id: event.id,
            event_type: event.event_type.clone(),
            seq: event.seq,
            body: serde_json::to_string(&event).expect("events serialize"),
        });
    }
    if !claimed.is_empty() {
        let mut q = Query::new("UPDATE webhook_deliveries SET attempts = attempts + 1, locked_until = ");
        q.bind(lease_until).push(", updated_at = ").bind(now).push(" WHERE id IN (");
        q.bind_list(claimed.iter().map(|c| Param::Uuid(c.delivery_id))).push(")");
        tx.execute(&q).await?;
    }
    Ok(claimed)
}

/// Records an attempt: the log line, then the delivery done, due again at `retry_at`, or failed
/// for good (with a `webhook.delivery_failed` event). A webhook whose deliveries have all failed
/// since `switch_off.0` or earlier is switched off, with the reason `switch_off.1`.
pub async fn record<T: Tx>(
    tx: &mut T,
    claimed: &Claimed,
    result: &AttemptResult,
    retry_at: Option<DateTime<Utc>>,
    switch_off: (DateTime<Utc>, &str),
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let q = Query::new(
        "INSERT INTO webhook_attempts (id, tenant_id, webhook_id, delivery_id, event_id, event_seq, attempt, \
         attempted_at, status, http_status, duration_ms, response_body, error) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .arg(Uuid::now_v7())
    .arg(claimed.tenant.0)
    .arg(claimed.webhook_id)
    .arg(claimed.delivery_id)
    .arg(claimed.event_id)
    .arg(claimed.seq)
    .arg(claimed.attempt)
    .arg(at)
    .arg(if result.succeeded { "succeeded" } else { "failed" })
    .arg(result.http_status)
    .arg(result.duration_ms)
    .arg(result.response_body.clone())
    .arg(result.error.clone());
    tx.execute(&q).await?;
    let (status, next) = match (result.succeeded, retry_at) {
        (true, _) => ("succeeded", at),
        (false, Some(retry_at)) => ("pending", retry_at),
        (false, None) => ("failed", at),
    };
    let q = Query::new(
        "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, locked_until = NULL, updated_at = $3 \
         WHERE id = $4",
    )
    .arg(status)
    .arg(next)
    .arg(at)
    .arg(claimed.delivery_id);
    tx.execute(&q).await?;
    if result.succeeded {
        let q = Query::new("UPDATE webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL")
            .arg(claimed.webhook_id);
        tx.execute(&q).await?;
        return Ok(());
    }
    let q = Query::new("UPDATE webhooks SET failing_since = $1 WHERE id = $2 AND failing_since IS NULL")
        .arg(at)
        .arg(claimed.webhook_id);
    tx.execute(&q).await?;
    let q = Query::new(
        "UPDATE webhooks SET active = FALSE, disabled_reason = $1, updated_at = $2 \
         WHERE id = $3 AND active AND failing_since <= $4",
    )
    .arg(switch_off.1)
    .arg(at)
    .arg(claimed.webhook_id)
    .arg(switch_off.0);
    tx.execute(&q).await?;
    if status == "failed" {
        let data = json!({
            "webhook_id": claimed.webhook_id, "event_id": claimed.event_id, "seq": claimed.seq,
            "event_type": claimed.event_type, "attempts": claimed.attempt,
            "http_status": result.http_status, "error": result.error,
        });
        let change = Change::happened("webhook", "delivery_failed", claimed.webhook_id.to_string(), data).derived();
        events::append(tx, claimed.tenant, &Actor::System, at, &[change]).await?;
    }
    Ok(())
}

/// When the next pending delivery falls due, if any.
pub async fn next_due<T: Tx>(tx: &mut T) -> Result<Option<DateTime<Utc>>, StoreError> {
    let q = Query::new(
        "SELECT MIN(CASE WHEN locked_until IS NULL OR locked_until < next_attempt_at THEN next_attempt_at \
         ELSE locked_until END) FROM webhook_deliveries WHERE status = 'pending'",
    );
    Ok(tx.fetch_optional(&q).await?.map(|r| r.opt(0)).transpose()?.flatten())
}

/// The deliveries still pending (due or waiting for a retry): how many, and when the oldest was
/// made.
pub async fn pending<T: Tx>(tx: &mut T) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let q = Query::new("SELECT COUNT(*), MIN(created_at) FROM webhook_deliveries WHERE status = 'pending'");
    match tx.fetch_optional(&q).await? {
        Some(row) => Ok((row.get(0)?, row.opt(1)?)),
        None => Ok((0, None)),
    }
}
