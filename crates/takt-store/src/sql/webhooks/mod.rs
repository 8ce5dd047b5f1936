//! Webhooks: their records and delivery log ([`mod@self`]), and the work of delivering
//! ([`dispatch`]).

pub mod dispatch;

use chrono::{DateTime, Utc};
use takt_domain::webhook::{Attempt, Webhook, WebhookInput};
use uuid::Uuid;

use super::events::last_seq;
use super::{Query, Row, RowExt, Tx};
use crate::{Page, StoreError, TenantId};

const COLUMNS: &str =
    "w.id, w.url, w.events, w.active, w.description, w.disabled_reason, w.created_at, w.updated_at FROM webhooks w";

fn read(row: &impl Row) -> Result<Webhook, StoreError> {
    let events: String = row.get(2)?;
    Ok(Webhook {
        id: row.get(0)?,
        url: row.get(1)?,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Internal(format!("webhook events: {e}")))?,
        active: row.get(3)?,
        description: row.opt(4)?,
        disabled_reason: row.opt(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

fn patterns_json(events: &[String]) -> String {
    serde_json::to_string(events).expect("strings serialize")
}

/// Creates a webhook that is delivered the events committed from now on.
pub async fn create<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    input: &WebhookInput,
    secret: &str,
    at: DateTime<Utc>,
) -> Result<Webhook, StoreError> {
    let id = Uuid::now_v7();
    let cursor = last_seq(tx, tenant).await?;
    let q = Query::new(
        "INSERT INTO webhooks (id, tenant_id, url, events, active, description, secret, cursor_seq, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .arg(id)
    .arg(tenant.0)
    .arg(input.url.clone().unwrap_or_default())
    .arg(patterns_json(input.events.as_deref().unwrap_or_default()))
    .arg(input.active.unwrap_or(true))
    .arg(input.description.clone().flatten())
    .arg(secret)
    .arg(cursor)
    .arg(at);
    tx.execute(&q).await?;
    get(tx, tenant, id).await?.ok_or_else(|| StoreError::Internal("a created webhook is gone".to_owned()))
}

pub async fn get<T: Tx>(tx: &mut T, tenant: TenantId, id: Uuid) -> Result<Option<Webhook>, StoreError> {
    let q = Query::new(format!("SELECT {COLUMNS} WHERE w.tenant_id = $1 AND w.id = $2")).arg(tenant.0).arg(id);
    tx.fetch_optional(&q).await?.map(|row| read(&row)).transpose()
}

/// A page of the tenant's webhooks, oldest first; `active` filters.
pub async fn list<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    active: Option<bool>,
    limit: i64,
    offset: i64,
) -> Result<Page<Webhook>, StoreError> {
    let mut filter = String::from(" WHERE w.tenant_id = $1");
    if active.is_some() {
        filter.push_str(" AND w.active = $2");
    }
    let with_filter = |head: String| {
        let q = Query::new(head + &filter).arg(tenant.0);
        match active {
            Some(active) => q.arg(active),
            None => q,
        }
    };
    let total: i64 = tx
        .fetch_optional(&with_filter("SELECT COUNT(*) FROM webhooks w".to_owned()))
        .await?
        .map(|r| r.get(0))
        .transpose()?
        .unwrap_or(0);
    let mut q = with_filter(format!("SELECT {COLUMNS}"));
    q.push(" ORDER BY w.id LIMIT ").bind(limit).push(" OFFSET ").bind(offset);
    let items = tx.fetch_all(&q).await?.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total })
}

/// Changes the fields given; switching a webhook on again forgets why it was switched off.
pub async fn update<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    id: Uuid,
    input: &WebhookInput,
    at: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let mut q = Query::new("UPDATE webhooks SET updated_at = ");
    q.bind(at);
    if let Some(url) = &input.url {
        q.push(", url = ").bind(url.as_str());
    }
    if let Some(events) = &input.events {
        q.push(", events = ").bind(patterns_json(events));
    }
    if let Some(active) = input.active {
        q.push(", active = ").bind(active);
        if active {
            q.push(", disabled_reason = NULL, failing_since = NULL");
        }
    }
    if let Some(description) = &input.description {
        q.push(", description = ").bind(description.clone());
    }
    q.push(" WHERE tenant_id = ").bind(tenant.0).push(" AND id = ").bind(id);
    if tx.execute(&q).await? == 0 {
        return Ok(None);
    }
    get(tx, tenant, id).await
}

/// Deletes a webhook with its deliveries and their log; whether it existed.
pub async fn delete<T: Tx>(tx: &mut T, tenant: TenantId, id: Uuid) -> Result<bool, StoreError> {
    for table in ["webhook_attempts", "webhook_deliveries"] {
        let q =
            Query::new(format!("DELETE FROM {table} WHERE tenant_id = $1 AND webhook_id = $2")).arg(tenant.0).arg(id);
        tx.execute(&q).await?;
    }
    let q = Query::new("DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2").arg(tenant.0).arg(id);
    Ok(tx.execute(&q).await? > 0)
}

/// Gives a webhook a new secret; the old one goes on signing until `old_until`.
pub async fn rotate_secret<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    id: Uuid,
    secret: &str,
    old_until: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Option<Webhook>, StoreError> {
    let q = Query::new(
        "UPDATE webhooks SET previous_secret = secret, previous_secret_until = $1, secret = $2, updated_at = $3 \
         WHERE tenant_id = $4 AND id = $5",
    )
    .arg(old_until)
    .arg(secret)
    .arg(at)
    .arg(tenant.0)
    .arg(id);
    if tx.execute(&q).await? == 0 {
        return Ok(None);
    }
    get(tx, tenant, id).await
}

/// What the delivery log is asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    pub webhook_id: Option<Uuid>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the tenant's delivery attempts, newest first.
pub async fn attempts<T: Tx>(tx: &mut T, tenant: TenantId, query: &LogQuery) -> Result<Page<Attempt>, StoreError> {
    let mut filter = Query::new(" WHERE tenant_id = $1").arg(tenant.0);
    if let Some(webhook) = query.webhook_id {
        filter.push(" AND webhook_id = ").bind(webhook);
    }
    if let Some(status) = &query.status {
        filter.push(" AND status = ").bind(status.as_str());
    }
    let with = |head: &str| {
        let mut q = Query::new(head);
        q.push(filter.sql());
        filter.params().iter().cloned().fold(q, Query::arg)
    };
    let total: i64 = tx
        .fetch_optional(&with("SELECT COUNT(*) FROM webhook_attempts"))
        .await?
        .map(|r| r.get(0))
        .transpose()?
        .unwrap_or(0);
    let mut q = with(
        "SELECT id, webhook_id, delivery_id, event_id, event_seq, attempt, attempted_at, status, http_status, \
         duration_ms, response_body, error FROM webhook_attempts",
    );
    q.push(" ORDER BY attempted_at DESC, id DESC LIMIT ").bind(query.limit).push(" OFFSET ").bind(query.offset);
    let mut items = Vec::new();
    for row in tx.fetch_all(&q).await? {
        items.push(Attempt {
            id: row.get(0)?,
            webhook_id: row.get(1)?,
            delivery_id: row.get(2)?,
            event_id: row.get(3)?,
            seq: row.get(4)?,
            attempt: row.get(5)?,
            attempted_at: row.get(6)?,
            status: row.get(7)?,
            http_status: row.opt(8)?,
            duration_ms: row.get(9)?,
            response_body: row.opt(10)?,
            error: row.opt(11)?,
        });
    }
    Ok(Page { items, total })
}

/// Queues again, for one webhook, every event after `after` that matches its patterns; answers
/// how many (`None` if the webhook does not exist).
pub async fn replay<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    id: Uuid,
    after: i64,
    at: DateTime<Utc>,
) -> Result<Option<u64>, StoreError> {
    let Some(webhook) = get(tx, tenant, id).await? else { return Ok(None) };
    let cursor: i64 = {
        let q = Query::new("SELECT cursor_seq FROM webhooks WHERE id = $1").arg(id);
        tx.fetch_optional(&q).await?.map(|r| r.get(0)).transpose()?.unwrap_or(0)
    };
    let queued = dispatch::enqueue_range(tx, tenant, &webhook, after, cursor, at).await?;
    Ok(Some(queued))
}
