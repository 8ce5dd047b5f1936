//! The event log: appending a transaction's changes, reading the feed, pruning old events.
//!
//! `event_sequences` holds each tenant's last `seq`. Appending raises it in the appending
//! transaction, which holds that row until it ends: appends of one tenant take turns, so `seq`
//! is given out in commit order, and a rollback gives its numbers back (no gaps).

use chrono::{DateTime, Utc};
use serde_json::Value;
use takt_domain::event::{Actor, Change, Event};
use uuid::Uuid;

use super::{Query, Row, RowExt, Tx};
use crate::{StoreError, TenantId};

/// The columns [`read_event`] reads, in its order (`e` is the events table).
pub(crate) const EVENT_COLUMNS: &str = "e.seq, e.id, e.type, e.occurred_at, e.entity, e.entity_id, e.external_source, \
     e.external_id, e.actor, e.data, e.changes";

/// The last `seq` a tenant's log has given out (0 before its first event).
pub(crate) async fn last_seq<T: Tx>(tx: &mut T, tenant: TenantId) -> Result<i64, StoreError> {
    let q = Query::new("SELECT last_seq FROM event_sequences WHERE tenant_id = $1").arg(tenant.0);
    Ok(tx.fetch_optional(&q).await?.map(|row| row.get(0)).transpose()?.unwrap_or(0))
}

/// Parameters one event row binds; rows per statement stay well under both engines' limit.
const ROWS_PER_INSERT: usize = 1_000;

/// Appends one event per change, in order; answers the last `seq` given out, if any.
pub async fn append<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    actor: &Actor,
    at: DateTime<Utc>,
    changes: &[Change],
) -> Result<Option<i64>, StoreError> {
    if changes.is_empty() {
        return Ok(None);
    }
    let count = changes.len() as i64;
    let q = Query::new(
        "INSERT INTO event_sequences (tenant_id, last_seq, pruned_through) VALUES ($1, $2, 0) \
         ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_sequences.last_seq + $2 RETURNING last_seq",
    )
    .arg(tenant.0)
    .arg(count);
    let last: i64 = tx.fetch_optional(&q).await?.ok_or_else(|| internal("no sequence row"))?.get(0)?;
    let actor_json = |actor: &Actor| serde_json::to_string(actor).map_err(|e| internal(&e.to_string()));
    let requested = actor_json(actor)?;
    let mut seq = last - count;
    for chunk in changes.chunks(ROWS_PER_INSERT) {
        let mut q = Query::new(
            "INSERT INTO events (tenant_id, seq, id, type, occurred_at, entity, entity_id, external_source, \
             external_id, actor, data, changes) VALUES ",
        );
        for (n, change) in chunk.iter().enumerate() {
            seq += 1;
            let actor = match &change.actor {
                Some(own) => actor_json(own)?,
                None => requested.clone(),
            };
            q.push(if n == 0 { "(" } else { ", (" });
            q.bind_list([
                tenant.0.into(),
                seq.into(),
                Uuid::now_v7().into(),
                change.event_type().into(),
                at.into(),
                change.entity.as_str().into(),
                change.entity_id.as_str().into(),
                change.external_source.as_deref().into(),
                change.external_id.as_deref().into(),
                actor.into(),
                change.data.to_string().into(),
                change.changes.as_ref().map(|c| Value::Object(c.clone()).to_string()).into(),
            ]);
            q.push(")");
        }
        tx.execute(&q).await?;
    }
    tx.notify_events(tenant.0).await?;
    Ok(Some(last))
}

/// What the feed asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedQuery {
    /// Events after this `seq` (0: from the beginning).
    pub after: i64,
    pub limit: i64,
    /// `LIKE` patterns on the type (any of them).
    pub type_patterns: Vec<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub events: Vec<Event>,
    pub has_more: bool,
}

/// Events after the cursor, in `seq` order; a cursor below what was pruned is
/// [`StoreError::CursorExpired`].
pub async fn read<T: Tx>(tx: &mut T, tenant: TenantId, query: &FeedQuery) -> Result<FeedPage, StoreError> {
    if query.after > 0 {
        let q = Query::new("SELECT pruned_through FROM event_sequences WHERE tenant_id = $1").arg(tenant.0);
        if let Some(row) = tx.fetch_optional(&q).await? {
            let pruned_through: i64 = row.get(0)?;
            if query.after < pruned_through {
                let q = Query::new("SELECT MIN(seq) FROM events WHERE tenant_id = $1").arg(tenant.0);
                let oldest = tx.fetch_optional(&q).await?.map(|r| r.opt::<i64>(0)).transpose()?.flatten();
                return Err(StoreError::CursorExpired { oldest_seq: oldest.unwrap_or(pruned_through + 1) });
            }
        }
    }
    let mut q = Query::new(format!("SELECT {EVENT_COLUMNS} FROM events e WHERE tenant_id = "));
    q.bind(tenant.0).push(" AND seq > ").bind(query.after);
    if let Some(entity) = &query.entity {
        q.push(" AND entity = ").bind(entity.as_str());
    }
    if let Some(entity_id) = &query.entity_id {
        q.push(" AND entity_id = ").bind(entity_id.as_str());
    }
    if !query.type_patterns.is_empty() {
        q.push(" AND (");
        for (n, pattern) in query.type_patterns.iter().enumerate() {
            q.push(if n == 0 { "" } else { " OR " }).push("type LIKE ").bind(pattern.as_str()).push(" ESCAPE '\\'");
        }
        q.push(")");
    }
    q.push(" ORDER BY seq LIMIT ").bind(query.limit + 1);
    let rows = tx.fetch_all(&q).await?;
    let has_more = rows.len() as i64 > query.limit;
    let events = rows.iter().take(query.limit as usize).map(read_event).collect::<Result<Vec<_>, _>>()?;
    Ok(FeedPage { events, has_more })
}

/// Deletes the events that occurred before `cutoff`, of every tenant; answers how many.
pub async fn prune<T: Tx>(tx: &mut T, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    let q = Query::new("SELECT tenant_id, MAX(seq) FROM events WHERE occurred_at < $1 GROUP BY tenant_id").arg(cutoff);
    let mut pruned = 0;
    for row in tx.fetch_all(&q).await? {
        let (tenant, through): (Uuid, i64) = (row.get(0)?, row.get(1)?);
        let q =
            Query::new("UPDATE event_sequences SET pruned_through = $2 WHERE tenant_id = $1 AND pruned_through < $2")
                .arg(tenant)
                .arg(through);
        tx.execute(&q).await?;
        let q = Query::new("DELETE FROM events WHERE tenant_id = $1 AND seq <= $2").arg(tenant).arg(through);
        pruned += tx.execute(&q).await?;
    }
    Ok(pruned)
}

pub(crate) fn read_event(row: &impl Row) -> Result<Event, StoreError> {
    let json = |index: usize| -> Result<Option<Value>, StoreError> {
        row.opt::<String>(index)?
            .map(|text| serde_json::from_str(&text).map_err(|e| internal(&format!("stored event JSON: {e}"))))
            .transpose()
    };
    let actor: Actor = serde_json::from_value(json(8)?.unwrap_or(Value::Null))
        .map_err(|e| internal(&format!("stored event actor: {e}")))?;
    Ok(Event {
        seq: row.get(0)?,
        id: row.get(1)?,
        event_type: row.get(2)?,
        occurred_at: row.get(3)?,
        entity: row.get(4)?,
        entity_id: row.get(5)?,
        external_source: row.opt(6)?,
        external_id: row.opt(7)?,
        actor,
        data: json(9)?.unwrap_or(Value::Null),
        changes: match json(10)? {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        },
    })
}

fn internal(message: &str) -> StoreError {
    StoreError::Internal(format!("event log: {message}"))
}
