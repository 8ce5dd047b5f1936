//! `GET /api-{entity}/{id}`: one record; a job with its parts and their operations.

use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use takt_domain::erp::ErpEntity;
use uuid::Uuid;

use super::responses::Success;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

pub async fn get(entity: ErpEntity, state: Arc<AppState>, caller: Caller, id: String) -> Result<Response, ApiError> {
    let missing = || ApiError::not_found(format!("no {} with id '{id}'", entity.singular()));
    let uuid = Uuid::try_parse(&id).map_err(|_| missing())?;
    let record = state.app.get(caller.tenant, entity, uuid).await?.ok_or_else(missing)?;
    Ok(Json(Success::new(record)).into_response())
}
