//! The scan field: an operation's external id or Takt id and Enter opens its panel, where the
//! first action has the focus, so that a second Enter starts it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use takt_domain::erp::ErpEntity;
use uuid::Uuid;

use super::csrf;
use super::layout::{self, Chrome};
use super::session::{self, Signed};
use crate::AppState;

/// The scan form; `focus` gives it the focus (where scanning is what comes next).
pub fn form(signed: &Signed, focus: bool) -> Markup {
    let lang = signed.lang();
    html! {
        form.scan method="post" action={ (signed.plant.base()) "/scan" } {
            input type="hidden" name=(csrf::FIELD) value=(signed.session.csrf_token);
            label for="scan" { (lang.t("scan.label")) }
            input #scan type="text" name="code" autocomplete="off" enterkeyhint="go" required
                placeholder=(lang.t("scan.hint")) autofocus[focus];
            button.secondary type="submit" { (lang.t("scan.submit")) }
        }
    }
}

/// `POST /terminal/{tenant}/scan`: `code`, `csrf`.
pub async fn scan(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let signed = match session::signed(&state, &tenant, &headers).await {
        Ok(signed) => signed,
        Err(answer) => return answer,
    };
    let lang = signed.lang();
    if !csrf::matches(fields.get(csrf::FIELD).map(String::as_str), &signed.session.csrf_token) {
        return layout::error_page_back(lang, StatusCode::FORBIDDEN, lang.t("error.csrf"), &signed.plant.base());
    }
    let code = fields.get("code").map(|c| c.trim()).unwrap_or_default();
    let tenant = signed.plant.tenant.id;
    let found = match code.parse::<Uuid>() {
        Ok(id) => match state.app.get(tenant, ErpEntity::Operation, id).await {
            Ok(record) => record.map(|_| id),
            Err(error) => return layout::store_error_page(lang, error),
        },
        Err(_) => None,
    };
    let found = match found {
        Some(id) => Some(id),
        None if code.is_empty() => None,
        None => match state.app.operations_by_external_id(tenant, code).await {
            Ok(ids) => ids.first().copied(),
            Err(error) => return layout::store_error_page(lang, error),
        },
    };
    match found {
        Some(id) => Redirect::to(&format!("{}/operations/{id}?scanned=1", signed.plant.base())).into_response(),
        None => {
            let base = signed.plant.base();
            let message = lang.f("scan.unknown", &[("code", code)]);
            let body = html! {
                p.message.error role="alert" { (message) }
                (form(&signed, true))
                nav.crumbs { a href=(base) { "← " (lang.t("cells.back")) } }
            };
            let chrome = Chrome { live: None, ..super::queue::chrome(&signed, &base) };
            layout::respond(StatusCode::NOT_FOUND, layout::page(lang, lang.t("scan.label"), chrome, body))
        }
    }
}
