//! `POST /api-erp-sync/diff[/{entity}]`: what a bulk sync of the same body would do to each
//! record, writing nothing.

use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use takt_domain::erp::records::SyncAction;
use takt_domain::erp::{ErpEntity, headline};
use takt_domain::error::Invalid;
use takt_domain::event::Change;
use takt_store::{BulkResult, DiffLine};
use uuid::Uuid;

use super::bulk_sync::bulk_items;
use super::responses::{DiffResult, DiffSummary, FieldChange, NestedChange, Success};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::wording;

/// The body's field that names the entity when the path does not.
const ENTITY: &str = "entity";

fn entity_named(name: &str) -> Option<ErpEntity> {
    ErpEntity::ALL.into_iter().find(|e| e.plural() == name || e.singular() == name)
}

fn known_entities() -> String {
    ErpEntity::PLURALS.join(", ")
}

/// `POST /api-erp-sync/diff/{entity}`
pub async fn diff_of(state: Arc<AppState>, caller: Caller, entity: String, body: Value) -> Result<Response, ApiError> {
    let Some(entity) = entity_named(&entity) else {
        return Err(ApiError::not_found(format!("no entity '{entity}' to diff; one of {}", known_entities())));
    };
    diff(state, caller, Some(entity), body).await
}

/// `POST /api-erp-sync/diff` (the entity in the body), and the path form.
pub async fn diff(
    state: Arc<AppState>,
    caller: Caller,
    from_path: Option<ErpEntity>,
    mut body: Value,
) -> Result<Response, ApiError> {
    let named =
        match body.as_object_mut().and_then(|map| map.remove(ENTITY)) {
            None => None,
            Some(Value::String(name)) => Some(entity_named(&name).ok_or_else(|| {
                ApiError::invalid(Invalid::one(ENTITY, format!("must be one of {}", known_entities())))
            })?),
            Some(_) => return Err(ApiError::invalid(Invalid::one(ENTITY, "must be a string"))),
        };
    let entity = match (from_path, named) {
        (Some(path), Some(named)) if path != named => {
            return Err(ApiError::invalid(Invalid::one(ENTITY, format!("must match the path's {}", path.plural()))));
        }
        (Some(entity), _) | (None, Some(entity)) => entity,
        (None, None) => {
            return Err(ApiError::invalid(Invalid::one(
                ENTITY,
                "is required (or send the body to /api-erp-sync/diff/{entity})",
            )));
        }
    };
    let items = bulk_items(entity, &body)?;
    let lines = state.app.diff_bulk(caller.tenant, &items).await?;
    let mut summary =
        DiffSummary { total: lines.len(), create: 0, update: 0, unchanged: 0, errors: 0, results: Vec::new() };
    for line in lines {
        let result = result_line(line);
        match result.action {
            "create" => summary.create += 1,
            "update" => summary.update += 1,
            "unchanged" => summary.unchanged += 1,
            _ => summary.errors += 1,
        }
        summary.results.push(result);
    }
    Ok(Json(Success::new(summary)).into_response())
}

fn result_line(line: DiffLine) -> DiffResult {
    let failed = |external_id: Option<String>, error: String| DiffResult {
        external_id,
        id: None,
        action: "error",
        fields: None,
        nested: Vec::new(),
        error: Some(error),
    };
    let outcome = match line.result {
        BulkResult::Synced(outcome) => outcome,
        BulkResult::Refused { external_id, error } => return failed(external_id, headline(&error)),
        BulkResult::Failed { external_id, error } => return failed(external_id, wording::summary(&error)),
    };
    let own_id = outcome.id.to_string();
    let (own, nested): (Vec<Change>, Vec<Change>) = line.changes.into_iter().partition(|c| c.entity_id == own_id);
    let (action, id) = match outcome.action {
        SyncAction::Created => ("create", None),
        SyncAction::Updated if own.is_empty() && nested.is_empty() => ("unchanged", Some(outcome.id)),
        SyncAction::Updated => ("update", Some(outcome.id)),
    };
    DiffResult {
        external_id: Some(outcome.external_id),
        id,
        action,
        fields: (action == "update").then(|| own.into_iter().flat_map(|c| fields(c.changes)).collect()),
        nested: nested.into_iter().map(nested_change).collect(),
        error: None,
    }
}

fn nested_change(change: Change) -> NestedChange {
    let created = change.action == "created";
    NestedChange {
        entity: change.entity,
        external_id: change.external_id,
        id: if created { None } else { Uuid::parse_str(&change.entity_id).ok() },
        action: if created { "create" } else { "update" },
        fields: (!created).then(|| fields(change.changes).collect()),
    }
}

/// An event's `changes` (`field: [old, new]`) as `field: {old, new}`.
fn fields(changes: Option<serde_json::Map<String, Value>>) -> impl Iterator<Item = (String, FieldChange)> {
    changes.unwrap_or_default().into_iter().map(|(name, pair)| {
        let mut pair = match pair {
            Value::Array(pair) => pair.into_iter(),
            other => vec![Value::Null, other].into_iter(),
        };
        let old = pair.next().unwrap_or(Value::Null);
        let new = pair.next().unwrap_or(Value::Null);
        (name, FieldChange { old, new })
    })
}
