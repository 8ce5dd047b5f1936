//! Who asks: the plant a path names, the language, and the signed-in session of the
//! `takt_session` cookie (a random token; the database keeps only its SHA-256). A session is
//! good for its own tenant only and until it expires (`Config::terminal_session`) or its
//! operator signs out.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use takt_domain::event::Actor;
use takt_store::sql::terminal::{NamedTenant, Session};

use super::i18n::Lang;
use super::{base, cookies, layout};
use crate::AppState;

/// The cookie that carries the session's token.
pub const SESSION_COOKIE: &str = "takt_session";

/// The plant a request is for, and the language it reads.
pub struct Plant {
    pub tenant: NamedTenant,
    pub lang: Lang,
}

impl Plant {
    /// The plant's terminal path, `/terminal/{tenant}`.
    pub fn base(&self) -> String {
        base(&self.tenant.name)
    }
}

/// A signed-in operator at a plant.
pub struct Signed {
    pub plant: Plant,
    pub session: Session,
}

impl Signed {
    /// Who the events of this operator's actions name.
    pub fn actor(&self) -> Actor {
        Actor::Operator { id: self.session.operator_id, name: self.session.operator_name.clone() }
    }

    pub fn lang(&self) -> Lang {
        self.plant.lang
    }
}

/// The plant called `name`, or the page that says there is none (`404`).
pub async fn plant(state: &Arc<AppState>, name: &str, headers: &HeaderMap) -> Result<Plant, Response> {
    let lang = Lang::choose(headers);
    match state.app.terminal_tenant(name).await {
        Ok(Some(tenant)) => Ok(Plant { tenant, lang }),
        Ok(None) => {
            Err(layout::error_page(lang, StatusCode::NOT_FOUND, &lang.f("error.plant_not_found", &[("name", name)])))
        }
        Err(error) => Err(layout::store_error_page(lang, error)),
    }
}

/// The session of the request's cookie, when it is live and for this plant.
pub async fn session_of(
    state: &Arc<AppState>,
    plant: &Plant,
    headers: &HeaderMap,
) -> Result<Option<Session>, Response> {
    let Some(token) = cookies::get(headers, SESSION_COOKIE) else { return Ok(None) };
    match state.app.terminal_session(&token).await {
        Ok(session) => Ok(session.filter(|s| s.tenant == plant.tenant.id)),
        Err(error) => Err(layout::store_error_page(plant.lang, error)),
    }
}

/// The signed-in operator at the plant `name`; anyone else is sent to sign in.
pub async fn signed(state: &Arc<AppState>, name: &str, headers: &HeaderMap) -> Result<Signed, Response> {
    let plant = plant(state, name, headers).await?;
    match session_of(state, &plant, headers).await? {
        Some(session) => Ok(Signed { plant, session }),
        None => Err(Redirect::to(&plant.base()).into_response()),
    }
}
