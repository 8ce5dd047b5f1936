//! The handlers every collection shares: list (filters and pages; `?id=` reads one), read,
//! create, change the fields given, delete.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use takt_domain::error::Invalid;
use takt_domain::shop_floor::collection::{Collection, Mode, parse, parse_list};
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::{Pagination, Success};
use crate::error::ApiError;

pub async fn list(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    if let Some((_, id)) = pairs.iter().find(|(k, _)| k == "id") {
        if pairs.len() > 1 {
            return Err(ApiError::invalid(Invalid::one("id", "cannot be combined with other parameters")));
        }
        return get(records, state, caller, id.clone()).await;
    }
    let query = parse_list(records, &pairs)?;
    let page = state.app.list_records(caller.tenant, records, &query).await?;
    let mut data = Map::new();
    data.insert(records.plural.to_owned(), json!(page.items));
    let pagination = Pagination { total: page.total, offset: query.offset, limit: query.limit };
    data.insert("pagination".to_owned(), json!(pagination));
    Ok(Json(Success::new(Value::Object(data))).into_response())
}

pub async fn get(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    id: String,
) -> Result<Response, ApiError> {
    let uuid = record_id(records, &id)?;
    let record = state.app.get_record(caller.tenant, records, uuid).await?.ok_or_else(|| missing(records, &id))?;
    Ok(Json(Success::new(record)).into_response())
}

pub async fn create(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    body: Value,
) -> Result<Response, ApiError> {
    let input = parse(records, &body, Mode::Create)?;
    let record = state.app.create_record(caller.tenant, &caller.actor, records, &input).await?;
    Ok((StatusCode::CREATED, Json(Success::new(record))).into_response())
}

pub async fn change_by_query(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    pairs: Vec<(String, String)>,
    body: Value,
) -> Result<Response, ApiError> {
    change(records, state, caller, id_parameter(&pairs)?, body).await
}

pub async fn change(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    id: String,
    body: Value,
) -> Result<Response, ApiError> {
    let uuid = record_id(records, &id)?;
    let input = parse(records, &body, Mode::Change)?;
    let record = state
        .app
        .change_record(caller.tenant, &caller.actor, records, uuid, &input)
        .await?
        .ok_or_else(|| missing(records, &id))?;
    Ok(Json(Success::new(record)).into_response())
}

pub async fn delete_by_query(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    delete(records, state, caller, id_parameter(&pairs)?).await
}

pub async fn delete(
    records: &'static Collection,
    state: Arc<AppState>,
    caller: Caller,
    id: String,
) -> Result<Response, ApiError> {
    let uuid = record_id(records, &id)?;
    let gone = state.app.delete_record(caller.tenant, &caller.actor, records, uuid).await?;
    let gone = gone.ok_or_else(|| missing(records, &id))?;
    if records.ledger {
        return Ok(Json(Success::new(gone)).into_response());
    }
    Ok(Json(Success::new(json!({"id": uuid, "deleted": true}))).into_response())
}

/// The `id` of a change or delete by query string, the only parameter it takes.
fn id_parameter(pairs: &[(String, String)]) -> Result<String, ApiError> {
    let mut id = None;
    let mut errors = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "id" if id.is_none() => id = Some(value.clone()),
            "id" => errors.push(takt_domain::error::FieldError::new("id", "is given more than once")),
            other => errors.push(takt_domain::error::FieldError::new(other, "is not a parameter of this path")),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(Invalid(errors)));
    }
    id.ok_or_else(|| ApiError::invalid(Invalid::one("id", "is required")))
}

/// A record id as given; anything that is not one of this tenant's records is `404`.
fn record_id(records: &Collection, text: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(text.trim()).map_err(|_| missing(records, text))
}

fn missing(records: &Collection, id: &str) -> ApiError {
    ApiError::not_found(format!("no {} with id '{id}'", records.label))
}
