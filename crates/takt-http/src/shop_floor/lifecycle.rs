//! `POST /api-operation-lifecycle/{action}?id=` and `POST /api-job-lifecycle/{action}?id=`: the
//! reference's paths and answers (`previous_status`, `new_status`, the record under its entity's
//! name). A move the status does not allow is `400 INVALID_STATE_TRANSITION`, an unknown action
//! `400 INVALID_OPERATION`, a missing `id` `400 VALIDATION_ERROR`, an unknown one `404`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use takt_domain::erp::records::ErpRecord;
use takt_domain::error::Invalid;
use takt_domain::shop_floor::quantity::parse_completion;
use takt_domain::shop_floor::{Action, Target};
use takt_store::sql::shop_floor::lifecycle::{Moved, OperationMove};

use super::params::Params;
use crate::AppState;
use crate::auth::Caller;
use crate::body::OptionalJsonBody;
use crate::erp::responses::Success;
use crate::error::ApiError;
use crate::path::PathParam;

/// The answer to a move: the record as it now is, under `operation` or `job`.
#[derive(Debug, Serialize)]
pub struct MoveAnswer {
    #[serde(flatten)]
    pub record: BTreeMap<&'static str, ErpRecord>,
    pub previous_status: &'static str,
    pub new_status: &'static str,
}

pub async fn operation(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(action): PathParam<String>,
    Query(pairs): Query<Vec<(String, String)>>,
    OptionalJsonBody(body): OptionalJsonBody,
) -> Result<Response, ApiError> {
    let action = action_of(Target::Operation, &action)?;
    let params = Params::read(&pairs, &["id", "operator_id", "user_id", "time_type"])?;
    let id = params.id()?;
    let operator = params.operator()?;
    let time_type = params.time_type()?;
    let quantities = match (action, body) {
        (Action::Complete, Some(body)) => parse_completion(&body)?,
        (_, Some(body)) if !body.as_object().is_some_and(|o| o.is_empty()) => {
            return Err(Invalid::one("", format!("{} takes no body", action.verb())).into());
        }
        _ => None,
    };
    let request = OperationMove { id, action, operator, time_type, quantities };
    let moved = state.app.move_operation(caller.tenant, &caller.actor, &request).await?;
    Ok(answer(Target::Operation, moved))
}

pub async fn job(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(action): PathParam<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let action = action_of(Target::Job, &action)?;
    let id = Params::read(&pairs, &["id"])?.id()?;
    let moved = state.app.move_job(caller.tenant, &caller.actor, id, action).await?;
    Ok(answer(Target::Job, moved))
}

fn answer(target: Target, moved: Moved) -> Response {
    let answer = MoveAnswer {
        record: [(target.name(), moved.record)].into_iter().collect(),
        previous_status: moved.previous.as_str(),
        new_status: moved.new.as_str(),
    };
    (StatusCode::OK, Json(Success::new(answer))).into_response()
}

fn action_of(target: Target, text: &str) -> Result<Action, ApiError> {
    Action::parse(target, text).ok_or_else(|| {
        ApiError::invalid_operation(format!(
            "'{text}' is not an action of the {} lifecycle; use one of: {}",
            target.name(),
            target.action_names().join(", ")
        ))
    })
}
