//! `GET /api-cells/{id}/queue` and `GET /api-cells/queue?cell_name=` (or `cell_id=`): a cell's
//! dispatch queue, a page at a time.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use takt_domain::error::Invalid;
use takt_store::sql::shop_floor::queue::CellKey;
use uuid::Uuid;

use super::params::Params;
use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::{Pagination, Success};
use crate::error::ApiError;
use crate::path::PathParam;

pub async fn by_path(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::read(&pairs, &["limit", "offset"])?;
    let id = Uuid::try_parse(id.trim()).map_err(|_| ApiError::not_found(format!("no cell with id '{id}'")))?;
    answer(&state, &caller, &CellKey::Id(id), &params).await
}

pub async fn by_query(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::read(&pairs, &["cell_name", "cell_id", "limit", "offset"])?;
    let cell = match (params.text("cell_id"), params.text("cell_name")) {
        (Some(id), _) => {
            CellKey::Id(Uuid::try_parse(id).map_err(|_| ApiError::not_found(format!("no cell with id '{id}'")))?)
        }
        (None, Some(name)) => CellKey::Name(name.to_owned()),
        (None, None) => return Err(Invalid::one("cell_name", "is required (or give cell_id)").into()),
    };
    answer(&state, &caller, &cell, &params).await
}

async fn answer(state: &AppState, caller: &Caller, cell: &CellKey, params: &Params<'_>) -> Result<Response, ApiError> {
    let (limit, offset) = params.page()?;
    let (cell, page) = state.app.cell_queue(caller.tenant, cell, limit, offset).await?;
    let pagination = Pagination { total: page.total, offset, limit };
    Ok(Json(Success::new(json!({"cell": cell, "queue": page.items, "pagination": pagination}))).into_response())
}
