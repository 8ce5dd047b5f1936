//! `GET /api-events?after=SEQ&limit=N&type=PATTERNS&entity=E&entity_id=ID`: a page of the
//! tenant's event log, in `seq` order.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;
use takt_domain::event::Event;

use super::query;
use crate::AppState;
use crate::auth::Caller;
use crate::erp::responses::Success;
use crate::error::ApiError;

/// One page of the feed.
#[derive(Debug, Serialize)]
pub struct FeedAnswer {
    pub events: Vec<Event>,
    /// The cursor to ask with next: the last `seq` answered, or the one asked with.
    pub next_after: i64,
    pub has_more: bool,
}

pub async fn feed(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Json<Success<FeedAnswer>>, ApiError> {
    let query::Parsed { after, mut query } = query::parse(&pairs, true)?;
    query.after = after.unwrap_or(0);
    let page = state.app.events(caller.tenant, &query).await?;
    let next_after = page.events.last().map_or(query.after, |event| event.seq);
    Ok(Json(Success::new(FeedAnswer { events: page.events, next_after, has_more: page.has_more })))
}
