//! `GET /api-{entity}`: filters, search and pages; `?id=` reads one record.

use std::sync::Arc;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use takt_domain::erp::ErpEntity;
use takt_domain::erp::query::parse_list_query;

use super::responses::{Pagination, Success};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

pub async fn list(
    entity: ErpEntity,
    state: Arc<AppState>,
    caller: Caller,
    pairs: Vec<(String, String)>,
) -> Result<Response, ApiError> {
    if let Some((_, id)) = pairs.iter().find(|(k, _)| k == "id") {
        if pairs.len() > 1 {
            return Err(ApiError::invalid(takt_domain::error::Invalid::one(
                "id",
                "cannot be combined with other parameters",
            )));
        }
        return super::get::get(entity, state, caller, id.clone()).await;
    }
    let query = parse_list_query(entity, &pairs)?;
    let page = state.app.list(caller.tenant, entity, &query).await?;
    let mut data = Map::new();
    data.insert(entity.plural().to_owned(), json!(page.items));
    let pagination = Pagination { total: page.total, offset: query.offset, limit: query.limit };
    data.insert("pagination".to_owned(), json!(pagination));
    Ok(Json(Success::new(Value::Object(data))).into_response())
}
