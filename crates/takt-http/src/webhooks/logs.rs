//! `GET /api-webhook-logs?webhook_id=&status=`: delivery attempts, newest first.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use takt_store::sql::webhooks::LogQuery;

use super::query;
use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::{Pagination, Success};
use crate::error::ApiError;

pub async fn logs(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Success<Value>>, ApiError> {
    let params = query::parse(&pairs, &["webhook_id", "status", "limit", "offset"])?;
    let query =
        LogQuery { webhook_id: params.webhook_id, status: params.status, limit: params.limit, offset: params.offset };
    let page = state.app.webhook_attempts(caller.tenant, &query).await?;
    let pagination = Pagination { total: page.total, offset: query.offset, limit: query.limit };
    Ok(Json(Success::new(json!({"webhook_logs": page.items, "pagination": pagination}))))
}
