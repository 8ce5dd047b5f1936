//! The panel's actions, each one form post answered with the panel again: a lifecycle move
//! (start, pause, resume, complete with the pieces reported), an issue (which may stop the
//! operation), a substep ticked off or reopened. Done, they redirect to the panel (so that a
//! reload does not repeat them); refused, they show the panel with the reason and the refusal's
//! status. Every change is made as the signed-in operator.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use takt_domain::erp::ErpEntity;
use takt_domain::shop_floor::Action;
use takt_domain::shop_floor::collection::{Mode, parse};
use takt_domain::shop_floor::issue::ISSUES;
use takt_domain::shop_floor::quantity::parse_completion;
use takt_domain::shop_floor::substep::SUBSTEPS;
use takt_store::StoreError;
use takt_store::sql::shop_floor::lifecycle::OperationMove;
use uuid::Uuid;

use super::csrf;
use super::layout::refusal;
use super::operation::{self, Notice};
use super::session::{self, Signed};
use crate::AppState;
use crate::error::ApiError;

type Fields = HashMap<String, String>;

/// The signed-in operator, the operation and the form, once its token is checked.
async fn checked(
    state: &Arc<AppState>,
    tenant: &str,
    id: &str,
    headers: &HeaderMap,
    form: &Fields,
) -> Result<(Signed, Uuid), Response> {
    let signed = session::signed(state, tenant, headers).await?;
    if !csrf::matches(form.get(csrf::FIELD).map(String::as_str), &signed.session.csrf_token) {
        let lang = signed.lang();
        return Err(super::layout::error_page_back(
            lang,
            StatusCode::FORBIDDEN,
            lang.t("error.csrf"),
            &signed.plant.base(),
        ));
    }
    let Ok(id) = id.parse::<Uuid>() else { return Err(operation::not_found(&signed)) };
    Ok((signed, id))
}

/// Back to the panel, saying what was done.
fn done(signed: &Signed, id: Uuid, action: &str) -> Response {
    Redirect::to(&format!("{}/operations/{id}?done={action}", signed.plant.base())).into_response()
}

/// The panel with why the action was refused.
async fn refused(state: &AppState, signed: &Signed, id: Uuid, error: ApiError) -> Response {
    let message = refusal(signed.lang(), &error);
    operation::render(state, signed, id, error.status, Some(Notice::Error(message)), false).await
}

/// The panel with a complaint about the form.
async fn bad_form(state: &AppState, signed: &Signed, id: Uuid, key: &'static str) -> Response {
    let message = signed.lang().t(key).to_owned();
    operation::render(state, signed, id, StatusCode::UNPROCESSABLE_ENTITY, Some(Notice::Error(message)), false).await
}

/// `POST /terminal/{tenant}/operations/{id}/{start|pause|resume|complete}`; `complete` takes
/// `good`, `scrap`, `rework` and `scrap_reason`.
pub async fn lifecycle(
    State(state): State<Arc<AppState>>,
    Path((tenant, id, action)): Path<(String, String, String)>,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    let (signed, id) = match checked(&state, &tenant, &id, &headers, &form).await {
        Ok(checked) => checked,
        Err(answer) => return answer,
    };
    let action = match action.as_str() {
        "start" => Action::Start,
        "pause" => Action::Pause,
        "resume" => Action::Resume,
        "complete" => Action::Complete,
        _ => return operation::not_found(&signed),
    };
    let quantities = if action == Action::Complete {
        match parse_completion(&completion(&form)) {
            Ok(quantities) => quantities,
            Err(_) => return bad_form(&state, &signed, id, "error.quantities").await,
        }
    } else {
        None
    };
    let request = OperationMove {
        id,
        action,
        operator: Some(signed.session.operator_id),
        time_type: "run".to_owned(),
        quantities,
    };
    match state.app.move_operation(signed.plant.tenant.id, &signed.actor(), &request).await {
        Ok(_) => done(&signed, id, action_word(action)),
        Err(StoreError::Missing(_)) => operation::not_found(&signed),
        Err(error) => refused(&state, &signed, id, error.into()).await,
    }
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Start => "start",
        Action::Pause => "pause",
        Action::Resume => "resume",
        _ => "complete",
    }
}

/// The pieces a completion form gives, as the API's body would (blank fields left out).
fn completion(form: &Fields) -> Value {
    let mut body = serde_json::Map::new();
    for name in ["good", "scrap", "rework"] {
        if let Some(text) = form.get(name).map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let value = text.parse::<i64>().map_or_else(|_| Value::String(text.to_owned()), Value::from);
            body.insert(name.to_owned(), value);
        }
    }
    if let Some(reason) = form.get("scrap_reason").map(|r| r.trim()).filter(|r| !r.is_empty()) {
        body.insert("scrap_reason".to_owned(), Value::String(reason.to_owned()));
    }
    Value::Object(body)
}

/// `POST /terminal/{tenant}/operations/{id}/issues`: `title`, `severity`, `causes_standstill`.
pub async fn report_issue(
    State(state): State<Arc<AppState>>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    let (signed, id) = match checked(&state, &tenant, &id, &headers, &form).await {
        Ok(checked) => checked,
        Err(answer) => return answer,
    };
    let title = form.get("title").map(|t| t.trim()).unwrap_or_default();
    if title.is_empty() {
        return bad_form(&state, &signed, id, "error.title").await;
    }
    let tenant = signed.plant.tenant.id;
    match state.app.get(tenant, ErpEntity::Operation, id).await {
        Ok(Some(_)) => {}
        Ok(None) => return operation::not_found(&signed),
        Err(error) => return refused(&state, &signed, id, error.into()).await,
    }
    let body = json!({
        "operation_id": id,
        "title": title,
        "severity": form.get("severity").map_or("medium", String::as_str),
        "causes_standstill": form.get("causes_standstill").is_some_and(|v| v == "true" || v == "on"),
    });
    let input = match parse(&ISSUES, &body, Mode::Create) {
        Ok(input) => input,
        Err(invalid) => return refused(&state, &signed, id, ApiError::invalid(invalid)).await,
    };
    match state.app.create_record(tenant, &signed.actor(), &ISSUES, &input).await {
        Ok(_) => done(&signed, id, "issue"),
        Err(error) => refused(&state, &signed, id, error.into()).await,
    }
}

/// `POST /terminal/{tenant}/operations/{id}/substeps/{substep}`: `done=1` ticks it off, `done=0`
/// reopens it.
pub async fn tick_substep(
    State(state): State<Arc<AppState>>,
    Path((tenant, id, substep)): Path<(String, String, String)>,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    let (signed, id) = match checked(&state, &tenant, &id, &headers, &form).await {
        Ok(checked) => checked,
        Err(answer) => return answer,
    };
    let Ok(substep) = substep.parse::<Uuid>() else { return operation::not_found(&signed) };
    let tenant = signed.plant.tenant.id;
    match state.app.get_record(tenant, &SUBSTEPS, substep).await {
        Ok(Some(record)) if record.uuid("operation_id") == Some(id) => {}
        Ok(_) => return operation::not_found(&signed),
        Err(error) => return refused(&state, &signed, id, error.into()).await,
    }
    let status = if form.get("done").is_some_and(|d| d == "0") { "not_started" } else { "completed" };
    let input = match parse(&SUBSTEPS, &json!({ "status": status }), Mode::Change) {
        Ok(input) => input,
        Err(invalid) => return refused(&state, &signed, id, ApiError::invalid(invalid)).await,
    };
    match state.app.change_record(tenant, &signed.actor(), &SUBSTEPS, substep, &input).await {
        Ok(Some(_)) => done(&signed, id, "substep"),
        Ok(None) => operation::not_found(&signed),
        Err(error) => refused(&state, &signed, id, error.into()).await,
    }
}
