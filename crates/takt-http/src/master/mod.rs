//! The master-data API (seeds 003, 004): `/api/{Entity}/{List,Upsert,Delete}` for every entity
//! and `/api/Product/Copy`. Entity names in paths ignore case and spaces, so the seed's
//! `/api/Bom Version/Upsert` reaches BomVersion.

mod copy;
mod delete;
mod list;
mod upsert;

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use takt_domain::master_data::{ALL, EntityKind};

use crate::AppState;
use crate::auth::Caller;
use crate::body::{JsonBody, OptionalJsonBody};
use crate::error::ApiError;
use crate::path::PathParam;

/// What a request asks of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    List,
    Upsert,
    Delete,
    Copy,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::List, Action::Upsert, Action::Delete, Action::Copy];

    /// As in paths: `List`.
    pub fn name(self) -> &'static str {
        match self {
            Action::List => "List",
            Action::Upsert => "Upsert",
            Action::Delete => "Delete",
            Action::Copy => "Copy",
        }
    }

    pub fn method(self) -> Method {
        match self {
            Action::List => Method::POST,
            Action::Upsert | Action::Copy => Method::PUT,
            Action::Delete => Method::DELETE,
        }
    }

    /// Whether an entity offers this action (Copy is Product's alone).
    pub fn offered_by(self, kind: EntityKind) -> bool {
        self != Action::Copy || kind == EntityKind::Product
    }

    fn from_path(segment: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(segment))
    }
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/{entity}/{action}", any(dispatch))
}

async fn dispatch(
    State(state): State<Arc<AppState>>,
    PathParam((entity, action)): PathParam<(String, String)>,
    caller: Caller,
    request: Request,
) -> Result<Response, ApiError> {
    let kind = EntityKind::from_path(&entity).ok_or_else(|| {
        let names: Vec<&str> = ALL.iter().map(|s| s.name).collect();
        ApiError::not_found(format!("no master-data entity '{entity}' (entities: {})", names.join(", ")))
    })?;
    let action = Action::from_path(&action)
        .filter(|a| a.offered_by(kind))
        .ok_or_else(|| ApiError::not_found(format!("{} has no action '{action}'", kind.spec().name)))?;
    if request.method() != action.method() {
        let message =
            format!("{} {} takes {}, not {}", kind.spec().name, action.name(), action.method(), request.method());
        let mut response = ApiError::method_not_allowed(message).into_response();
        let allow = HeaderValue::from_str(action.method().as_str()).expect("a method is a header value");
        response.headers_mut().insert(header::ALLOW, allow);
        return Ok(response);
    }
    let spec = kind.spec();
    match action {
        Action::List => {
            let OptionalJsonBody(body) = OptionalJsonBody::from_request(request, &()).await?;
            list::list(&state, caller, spec, body).await.map(IntoResponse::into_response)
        }
        Action::Upsert => {
            let JsonBody(body) = JsonBody::from_request(request, &()).await?;
            upsert::upsert(&state, caller, spec, body).await.map(IntoResponse::into_response)
        }
        Action::Delete => {
            let JsonBody(body) = JsonBody::from_request(request, &()).await?;
            delete::delete(&state, caller, spec, body).await.map(IntoResponse::into_response)
        }
        Action::Copy => {
            let JsonBody(body) = JsonBody::from_request(request, &()).await?;
            copy::copy(&state, caller, body).await.map(IntoResponse::into_response)
        }
    }
}
