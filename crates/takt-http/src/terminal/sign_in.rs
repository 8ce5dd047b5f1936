//! `/terminal` (which plant?), signing in by employee number and PIN, signing out, and the
//! language switch.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use takt_app::terminal::SignIn;

use super::i18n::{LANG_COOKIE, Lang};
use super::layout::{self, Chrome};
use super::session::{self, Plant, SESSION_COOKIE};
use super::{base, cookies, csrf};
use crate::AppState;

/// `GET /terminal`: straight to the one plant, or a choice of them.
pub async fn choose_plant(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let lang = Lang::choose(&headers);
    let tenants = match state.app.terminal_tenants().await {
        Ok(tenants) => tenants,
        Err(error) => return layout::store_error_page(lang, error),
    };
    if let [only] = tenants.as_slice() {
        return Redirect::to(&base(&only.name)).into_response();
    }
    let chrome = Chrome { plant: None, operator: None, here: "/terminal", live: None };
    let body = html! {
        @if tenants.is_empty() {
            p.message { (lang.t("plant.none")) }
        } @else {
            ul.choices {
                @for tenant in &tenants {
                    li { a.button href=(base(&tenant.name)) { (tenant.name) } }
                }
            }
        }
    };
    layout::respond(StatusCode::OK, layout::page(lang, lang.t("plant.choose"), chrome, body))
}

/// The sign-in page, with `message` above the form when a try failed.
pub fn page(plant: &Plant, headers: &HeaderMap, status: StatusCode, message: Option<&str>, number: &str) -> Response {
    let lang = plant.lang;
    let (token, cookie) = csrf::pre_session(headers);
    let base = plant.base();
    let chrome = Chrome { plant: Some(plant), operator: None, here: &base, live: None };
    let body = html! {
        form.card.sign-in method="post" action={ (base) "/sign-in" } {
            @if let Some(message) = message { p.message.error role="alert" { (message) } }
            input type="hidden" name=(csrf::FIELD) value=(token);
            label for="employee_number" { (lang.t("sign_in.employee_number")) }
            input #employee_number type="text" name="employee_number" value=(number) autocomplete="username"
                inputmode="numeric" required autofocus[number.is_empty()];
            label for="pin" { (lang.t("sign_in.pin")) }
            input #pin type="password" name="pin" autocomplete="current-password" inputmode="numeric" required
                autofocus[!number.is_empty()];
            button.primary type="submit" { (lang.t("sign_in.submit")) }
        }
    };
    let mut response = layout::respond(status, layout::page(lang, lang.t("sign_in.title"), chrome, body));
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `POST /terminal/{tenant}/sign-in`: `employee_number`, `pin`, `csrf`.
pub async fn sign_in(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let plant = match session::plant(&state, &tenant, &headers).await {
        Ok(plant) => plant,
        Err(page) => return page,
    };
    let lang = plant.lang;
    let number = form.get("employee_number").map(|n| n.trim()).unwrap_or_default();
    if !csrf::pre_session_matches(&headers, form.get(csrf::FIELD).map(String::as_str)) {
        return page(&plant, &headers, StatusCode::FORBIDDEN, Some(lang.t("error.csrf")), number);
    }
    let pin = form.get("pin").map(String::as_str).unwrap_or_default();
    if number.is_empty() || pin.is_empty() {
        return page(&plant, &headers, StatusCode::UNPROCESSABLE_ENTITY, Some(lang.t("sign_in.missing")), number);
    }
    let shift = state.config.terminal_session;
    match state.app.sign_in(plant.tenant.id, number, pin, shift).await {
        Ok(SignIn::Signed { token, .. }) => {
            let mut response = Redirect::to(&plant.base()).into_response();
            let headers = response.headers_mut();
            headers.append(header::SET_COOKIE, cookies::set(SESSION_COOKIE, &token, "/", Some(shift)));
            headers.append(header::SET_COOKIE, cookies::clear(csrf::CSRF_COOKIE, "/terminal"));
            response
        }
        Ok(SignIn::Refused) => page(&plant, &headers, StatusCode::UNAUTHORIZED, Some(lang.t("sign_in.wrong")), number),
        Ok(SignIn::Locked { until }) => {
            let time = until.format("%H:%M").to_string();
            let message = lang.f("sign_in.locked", &[("time", &time)]);
            let mut response = page(&plant, &headers, StatusCode::TOO_MANY_REQUESTS, Some(&message), number);
            let wait = (until - takt_store::now()).num_seconds().max(1);
            response.headers_mut().insert(header::RETRY_AFTER, wait.into());
            response
        }
        Err(error) => layout::store_error_page(lang, error),
    }
}

/// `POST /terminal/{tenant}/sign-out`: ends the session (its form carries the session's token).
pub async fn sign_out(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let signed = match session::signed(&state, &tenant, &headers).await {
        Ok(signed) => signed,
        Err(answer) => return answer,
    };
    if !csrf::matches(form.get(csrf::FIELD).map(String::as_str), &signed.session.csrf_token) {
        return layout::error_page_back(
            signed.lang(),
            StatusCode::FORBIDDEN,
            signed.lang().t("error.csrf"),
            &signed.plant.base(),
        );
    }
    if let Some(token) = cookies::get(&headers, SESSION_COOKIE)
        && let Err(error) = state.app.sign_out(&token).await
    {
        return layout::store_error_page(signed.lang(), error);
    }
    let mut response = Redirect::to(&signed.plant.base()).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(SESSION_COOKIE, "/"));
    response
}

/// `GET /terminal/{tenant}/language/{code}?back=PATH`: keeps the language in a cookie and goes
/// back to the page (one of the terminal's own).
pub async fn language(
    Path((tenant, code)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let home = base(&tenant);
    let back = query
        .get("back")
        .filter(|back| back.starts_with(&home) && !back.contains("//") && !back.contains('\\'))
        .cloned()
        .unwrap_or(home);
    let mut response = Redirect::to(&back).into_response();
    if let Some(lang) = Lang::of(&code) {
        let year = Some(Duration::from_secs(365 * 24 * 3600));
        response.headers_mut().append(header::SET_COOKIE, cookies::set(LANG_COOKIE, lang.code(), "/", year));
    }
    response
}
