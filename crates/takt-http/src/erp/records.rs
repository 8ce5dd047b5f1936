//! Records without an ERP: `POST /api-{entity}` creates (the sync key may be left out),
//! `PATCH`/`PUT ?id=` or `/{id}` updates the fields given, `DELETE ?id=` or `/{id}` deletes softly.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use takt_domain::erp::create::fill_keys;
use takt_domain::erp::{ErpEntity, headline, parse_sync};
use takt_domain::error::{Invalid, Path};
use uuid::Uuid;

use super::responses::Success;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

pub async fn create(
    entity: ErpEntity,
    state: Arc<AppState>,
    caller: Caller,
    mut body: Value,
) -> Result<Response, ApiError> {
    let ids = fill_keys(entity, &mut body, &mut Uuid::now_v7);
    let input = parse_sync(entity, &body, Path::root()).map_err(|e| ApiError::invalid_with(headline(&e), e))?;
    let record = state.app.create(caller.tenant, &caller.actor, &input, &ids).await?;
    Ok((StatusCode::CREATED, Json(Success::new(record))).into_response())
}

pub async fn update(
    entity: ErpEntity,
    state: Arc<AppState>,
    caller: Caller,
    id: String,
    body: Value,
) -> Result<Response, ApiError> {
    let id = record_id(entity, &id)?;
    let record = state.app.update(caller.tenant, &caller.actor, entity, id, &body).await?;
    Ok(Json(Success::new(record)).into_response())
}

pub async fn delete(entity: ErpEntity, state: Arc<AppState>, caller: Caller, id: String) -> Result<Response, ApiError> {
    let uuid = record_id(entity, &id)?;
    state.app.delete(caller.tenant, &caller.actor, entity, uuid).await?;
    Ok(Json(Success::new(json!({"id": uuid, "deleted": true}))).into_response())
}

/// The `id` of `?id=`: the only parameter, and required.
pub fn id_parameter(pairs: &[(String, String)]) -> Result<String, ApiError> {
    let mut id = None;
    for (key, value) in pairs {
        match key.as_str() {
            "id" if id.is_none() => id = Some(value.clone()),
            "id" => return Err(ApiError::invalid(Invalid::one("id", "is given more than once"))),
            other => return Err(ApiError::invalid(Invalid::one(other, "is not a parameter (give only id)"))),
        }
    }
    id.ok_or_else(|| ApiError::invalid(Invalid::one("id", "is required (?id= or /{id})")))
}

/// A record's Takt id; anything else names no record.
fn record_id(entity: ErpEntity, id: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(id).map_err(|_| ApiError::not_found(format!("no {} with id '{id}'", entity.singular())))
}
