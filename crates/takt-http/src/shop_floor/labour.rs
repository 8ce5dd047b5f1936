//! `GET /api-time-entries/labour?operator_id=[&start_date=&end_date=]`: an operator's labour,
//! the length of the union of their closed entries (several operations at once never count
//! twice), over the days given (UTC, both inclusive).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveTime;
use serde_json::json;
use takt_domain::error::{FieldError, Invalid};
use takt_domain::json::parse_date;
use uuid::Uuid;

use super::params::Params;
use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::Success;
use crate::error::ApiError;

pub async fn labour(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = Params::read(&pairs, &["operator_id", "start_date", "end_date"])?;
    let mut errors = Vec::new();
    let operator = match params.text("operator_id").map(Uuid::try_parse) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            errors.push(FieldError::new("operator_id", "must be an operator's Takt id (a UUID)"));
            None
        }
        None => {
            errors.push(FieldError::new("operator_id", "is required"));
            None
        }
    };
    let mut day = |name: &str| match params.text(name).map(|t| (t, parse_date(t))) {
        Some((_, Some(day))) => Some(day),
        Some((_, None)) => {
            errors.push(FieldError::new(name, "must be a date, YYYY-MM-DD"));
            None
        }
        None => None,
    };
    let (start, end) = (day("start_date"), day("end_date"));
    let (Some(operator), true) = (operator, errors.is_empty()) else { return Err(Invalid(errors).into()) };
    let from = start.map(|d| d.and_time(NaiveTime::MIN).and_utc());
    let before = end.map(|d| d.succ_opt().unwrap_or(d).and_time(NaiveTime::MIN).and_utc());
    let (seconds, entries) = state.app.operator_labour(caller.tenant, operator, from, before).await?;
    let data = json!({"operator_id": operator, "start_date": start, "end_date": end,
                      "labour_seconds": seconds, "entries": entries});
    Ok(Json(Success::new(data)).into_response())
}
