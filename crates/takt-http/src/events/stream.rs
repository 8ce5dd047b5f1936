//! `GET /api-events/stream?after=SEQ&type=PATTERNS`: Server-Sent Events. `id:` is the `seq`,
//! `event:` the type, `data:` the event. `Last-Event-ID` resumes (it wins over `after`); with
//! neither, the stream starts at the beginning of the log, as the feed does. Events already in
//! the log come first, then each one as it commits, here or (on PostgreSQL) in another instance.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;
use takt_domain::error::Invalid;
use takt_domain::event::Event;
use takt_store::TenantId;
use takt_store::sql::events::FeedQuery;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::query;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// Events read from the log at a time.
const PAGE: i64 = 500;
/// How long a stream waits for a commit notice before it looks at the log anyway.
const POLL: Duration = Duration::from_secs(5);

pub async fn stream(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let query::Parsed { after, mut query } = query::parse(&pairs, false)?;
    let resume =
        match headers.get("last-event-id") {
            None => None,
            Some(value) => {
                Some(value.to_str().ok().and_then(|v| v.trim().parse::<i64>().ok()).filter(|n| *n >= 0).ok_or_else(
                    || ApiError::invalid(Invalid::one("Last-Event-ID", "must be a whole number, 0 or more")),
                )?)
            }
        };
    // Subscribe before the first read, so that nothing committed in between is missed.
    let notices = state.app.subscribe_events();
    query.after = resume.or(after).unwrap_or(0);
    query.limit = PAGE;
    // The first page is read now, so that an expired cursor is a `410`, not a broken stream.
    let first = state.app.events(caller.tenant, &query).await?;
    let live = Live { state: state.clone(), tenant: caller.tenant, query, notices, pending: VecDeque::new() };
    let live = live.take(first.events);
    let keep_alive = KeepAlive::new().interval(state.config.stream_keep_alive).text("keep-alive");
    Ok(Sse::new(events(live)).keep_alive(keep_alive).into_response())
}

/// One open stream: where it is in the log, and what it has read but not sent yet.
struct Live {
    state: Arc<AppState>,
    tenant: TenantId,
    query: FeedQuery,
    notices: broadcast::Receiver<Uuid>,
    pending: VecDeque<Event>,
}

impl Live {
    fn take(mut self, events: Vec<Event>) -> Live {
        if let Some(last) = events.last() {
            self.query.after = last.seq;
        }
        self.pending.extend(events);
        self
    }

    /// Waits until this tenant may have new events: a notice, or the poll interval.
    async fn wait(&mut self) {
        let tenant = self.tenant.0;
        let notice = async {
            loop {
                match self.notices.recv().await {
                    Ok(id) if id == tenant || id.is_nil() => return,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => return,
                    Err(RecvError::Closed) => std::future::pending::<()>().await,
                }
            }
        };
        let _ = tokio::time::timeout(POLL, notice).await;
    }
}

fn events(live: Live) -> impl Stream<Item = Result<SseEvent, Infallible>> {
    futures::stream::unfold(live, |mut live| async move {
        loop {
            if let Some(event) = live.pending.pop_front() {
                let data = serde_json::to_string(&event).expect("events serialize");
                let sse = SseEvent::default().id(event.seq.to_string()).event(event.event_type).data(data);
                return Some((Ok(sse), live));
            }
            live.wait().await;
            match live.state.app.events(live.tenant, &live.query).await {
                Ok(page) => live = live.take(page.events),
                // The log was pruned past this stream, or the database failed: end the stream;
                // the client reconnects with its Last-Event-ID and hears why.
                Err(error) => {
                    tracing::warn!(%error, "an event stream stopped");
                    return None;
                }
            }
        }
    })
}
