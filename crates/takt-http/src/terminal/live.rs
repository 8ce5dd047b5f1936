//! The change streams the pages follow: Server-Sent Events that only say "something changed
//! for this plant" (`event: change`) whenever the tenant's events commit, here or in another
//! instance; the page's script then fetches itself again and swaps in its live regions. The
//! terminal's stream needs a session; the board's is as open as the board.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use takt_store::TenantId;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::session;
use crate::AppState;

/// `GET /terminal/{tenant}/events`.
pub async fn terminal_changes(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    match session::signed(&state, &tenant, &headers).await {
        Ok(signed) => changes(&state, signed.plant.tenant.id),
        Err(answer) => answer,
    }
}

/// `GET /board/{tenant}/events`.
pub async fn board_changes(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    match session::plant(&state, &tenant, &headers).await {
        Ok(plant) => changes(&state, plant.tenant.id),
        Err(answer) => answer,
    }
}

fn changes(state: &AppState, tenant: TenantId) -> Response {
    let notices = state.app.subscribe_events();
    let keep_alive = KeepAlive::new().interval(state.config.stream_keep_alive).text("keep-alive");
    Sse::new(stream(notices, tenant.0)).keep_alive(keep_alive).into_response()
}

/// One `change` for every commit notice that names the tenant, or any tenant; a notice missed
/// for lag counts too. (A page that reconnects fetches itself again on its own.)
fn stream(notices: broadcast::Receiver<Uuid>, tenant: Uuid) -> impl Stream<Item = Result<Event, Infallible>> {
    futures::stream::unfold(notices, move |mut notices| async move {
        loop {
            match notices.recv().await {
                Ok(id) if id == tenant || id.is_nil() => break,
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return None,
            }
        }
        Some((Ok(Event::default().event("change").data(tenant.to_string())), notices))
    })
}
