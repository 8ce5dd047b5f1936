//! The ERP sync API (seed 000): `/api-{jobs,parts,operations,cells,resources}`, also served
//! under `/functions/v1` for connectors configured with the hosted reference system's base URL.

mod bulk_sync;
mod diff;
mod get;
mod list;
mod records;
pub(crate) mod responses;
mod sync;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{MethodRouter, get, post, put};
use takt_domain::erp::ErpEntity;

use crate::AppState;
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::path::PathParam;

/// The routes of every entity.
pub fn routes() -> Router<Arc<AppState>> {
    let mut router = Router::new();
    for entity in ErpEntity::ALL {
        let base = format!("/api-{}", entity.plural());
        router = router
            .route(
                &base,
                get(move |State(s): State<Arc<AppState>>, caller: Caller, Query(q): Query<Vec<(String, String)>>| {
                    list::list(entity, s, caller, q)
                }),
            )
            .route(
                &format!("{base}/{{id}}"),
                get(move |State(s): State<Arc<AppState>>, caller: Caller, PathParam(id): PathParam<String>| {
                    get::get(entity, s, caller, id)
                }),
            )
            .route(
                &format!("{base}/sync"),
                put(move |State(s): State<Arc<AppState>>, caller: Caller, JsonBody(body): JsonBody| {
                    sync::sync(entity, s, caller, body)
                }),
            )
            .route(
                &format!("{base}/bulk-sync"),
                post(move |State(s): State<Arc<AppState>>, caller: Caller, JsonBody(body): JsonBody| {
                    bulk_sync::bulk_sync(entity, s, caller, body)
                }),
            );
    }
    for entity in ErpEntity::ALL {
        let base = format!("/api-{}", entity.plural());
        router = router
            .route(
                &base,
                post(move |State(s): State<Arc<AppState>>, caller: Caller, JsonBody(body): JsonBody| {
                    records::create(entity, s, caller, body)
                })
                .merge(by_query(entity)),
            )
            .route(&format!("{base}/{{id}}"), by_path(entity));
    }
    router
        .route(
            "/api-erp-sync/diff",
            post(|State(s): State<Arc<AppState>>, caller: Caller, JsonBody(body): JsonBody| {
                diff::diff(s, caller, None, body)
            }),
        )
        .route(
            "/api-erp-sync/diff/{entity}",
            post(
                |State(s): State<Arc<AppState>>,
                 caller: Caller,
                 PathParam(entity): PathParam<String>,
                 JsonBody(body): JsonBody| { diff::diff_of(s, caller, entity, body) },
            ),
        )
}

/// `PATCH`, `PUT` and `DELETE` of one record named by `?id=`.
fn by_query(entity: ErpEntity) -> MethodRouter<Arc<AppState>> {
    let update = move |State(s): State<Arc<AppState>>,
                       caller: Caller,
                       Query(q): Query<Vec<(String, String)>>,
                       JsonBody(body): JsonBody| async move {
        records::update(entity, s, caller, records::id_parameter(&q)?, body).await
    };
    axum::routing::patch(update).put(update).delete(
        move |State(s): State<Arc<AppState>>, caller: Caller, Query(q): Query<Vec<(String, String)>>| async move {
            records::delete(entity, s, caller, records::id_parameter(&q)?).await
        },
    )
}

/// `PATCH`, `PUT` and `DELETE` of one record named by `/{id}`.
fn by_path(entity: ErpEntity) -> MethodRouter<Arc<AppState>> {
    let update = move |State(s): State<Arc<AppState>>,
                       caller: Caller,
                       PathParam(id): PathParam<String>,
                       JsonBody(body): JsonBody| { records::update(entity, s, caller, id, body) };
    axum::routing::patch(update).put(update).delete(
        move |State(s): State<Arc<AppState>>, caller: Caller, PathParam(id): PathParam<String>| {
            records::delete(entity, s, caller, id)
        },
    )
}
