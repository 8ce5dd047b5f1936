//! The shop floor over HTTP (SPEC section 7), on the reference's paths: the lifecycle of
//! operations and jobs, a cell's dispatch queue, and the collections `/api-issues`,
//! `/api-substeps` and `/api-scrap-reasons` (with `PUT /api-scrap-reasons/sync`), each read,
//! changed and deleted by `?id=` or by `/{id}`, all served by the same handlers along the
//! collection's description.

mod collection;
mod labour;
mod lifecycle;
mod params;
mod queue;
mod sync;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post, put};
use takt_domain::shop_floor::collection::Collection;
use takt_domain::shop_floor::issue::ISSUES;
use takt_domain::shop_floor::quantity::QUANTITIES;
use takt_domain::shop_floor::scrap_reason::SCRAP_REASONS;
use takt_domain::shop_floor::substep::SUBSTEPS;
use takt_domain::shop_floor::time::TIME_ENTRIES;

use crate::AppState;
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::path::PathParam;

/// The collections served, in the order the API reference lists them.
pub const COLLECTIONS: [&Collection; 5] = [&ISSUES, &SUBSTEPS, &SCRAP_REASONS, &TIME_ENTRIES, &QUANTITIES];

type Pairs = Query<Vec<(String, String)>>;

/// The routes of every collection.
pub fn collection_routes() -> Router<Arc<AppState>> {
    let mut router = Router::new();
    for records in COLLECTIONS {
        let by_query = get(move |State(s): State<Arc<AppState>>, caller: Caller, Query(q): Pairs| {
            collection::list(records, s, caller, q)
        })
        .post(move |State(s): State<Arc<AppState>>, caller: Caller, JsonBody(body): JsonBody| {
            collection::create(records, s, caller, body)
        })
        .patch(move |State(s): State<Arc<AppState>>, caller: Caller, Query(q): Pairs, JsonBody(body): JsonBody| {
            collection::change_by_query(records, s, caller, q, body)
        })
        .put(move |State(s): State<Arc<AppState>>, caller: Caller, Query(q): Pairs, JsonBody(body): JsonBody| {
            collection::change_by_query(records, s, caller, q, body)
        })
        .delete(move |State(s): State<Arc<AppState>>, caller: Caller, Query(q): Pairs| {
            collection::delete_by_query(records, s, caller, q)
        });
        let by_path = get(move |State(s): State<Arc<AppState>>, caller: Caller, PathParam(id): PathParam<String>| {
            collection::get(records, s, caller, id)
        })
        .patch(
            move |State(s): State<Arc<AppState>>,
                  caller: Caller,
                  PathParam(id): PathParam<String>,
                  JsonBody(body): JsonBody| { collection::change(records, s, caller, id, body) },
        )
        .put(
            move |State(s): State<Arc<AppState>>,
                  caller: Caller,
                  PathParam(id): PathParam<String>,
                  JsonBody(body): JsonBody| { collection::change(records, s, caller, id, body) },
        )
        .delete(move |State(s): State<Arc<AppState>>, caller: Caller, PathParam(id): PathParam<String>| {
            collection::delete(records, s, caller, id)
        });
        router = router.route(records.path, by_query).route(&format!("{}/{{id}}", records.path), by_path);
        if records.synced {
            router = router.route(
                &format!("{}/sync", records.path),
                put(move |State(s): State<Arc<AppState>>, caller: Caller, JsonBody(body): JsonBody| {
                    sync::sync(records, s, caller, body)
                }),
            );
        }
    }
    router
}

/// The lifecycle, the queue and an operator's labour.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api-operation-lifecycle/{action}", post(lifecycle::operation))
        .route("/api-job-lifecycle/{action}", post(lifecycle::job))
        .route("/api-cells/queue", get(queue::by_query))
        .route("/api-cells/{id}/queue", get(queue::by_path))
        .route("/api-time-entries/labour", get(labour::labour))
}
