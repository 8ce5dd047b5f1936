//! The operator terminal at `/terminal/{tenant}` and the plant board at `/board/{tenant}`
//! (SPEC section 8): server-rendered pages (maud), a plain form post behind every action, and a
//! little script (`assets/terminal.js`) for the live timer and for live updates from
//! `/terminal/{tenant}/events`. The pages call the use cases directly, as the signed-in
//! operator; they never see an API key. Not part of the API: no OpenAPI, no key.
//!
//! One file per page or action: `sign_in.rs` (the plant chooser, sign-in, sign-out, the
//! language switch), `queue.rs` (cells and a cell's queue), `operation.rs` (an operation's
//! panel), `actions.rs` (lifecycle moves, issues, substeps), `scan.rs`, `live.rs` (the change
//! streams), `board.rs`; `session.rs` finds the plant and the session of a request, `csrf.rs`
//! checks forms, `cookies.rs` reads and writes cookies, `i18n.rs` holds the words, `layout.rs`
//! the page shell, the assets and the security headers.

mod actions;
mod board;
mod cookies;
mod csrf;
mod i18n;
mod layout;
mod live;
mod operation;
mod queue;
mod scan;
mod session;
mod sign_in;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::AppState;

/// The terminal's and the board's routes, with their security headers.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/terminal", get(sign_in::choose_plant))
        .route("/terminal/", get(sign_in::choose_plant))
        .route("/terminal-assets/{file}", get(layout::asset))
        .route("/terminal/{tenant}", get(queue::home))
        .route("/terminal/{tenant}/sign-in", post(sign_in::sign_in))
        .route("/terminal/{tenant}/sign-out", post(sign_in::sign_out))
        .route("/terminal/{tenant}/language/{code}", get(sign_in::language))
        .route("/terminal/{tenant}/cells/{cell}", get(queue::cell))
        .route("/terminal/{tenant}/scan", post(scan::scan))
        .route("/terminal/{tenant}/operations/{id}", get(operation::panel))
        .route("/terminal/{tenant}/operations/{id}/issues", post(actions::report_issue))
        .route("/terminal/{tenant}/operations/{id}/substeps/{substep}", post(actions::tick_substep))
        .route("/terminal/{tenant}/operations/{id}/{action}", post(actions::lifecycle))
        .route("/terminal/{tenant}/events", get(live::terminal_changes))
        .route("/board/{tenant}", get(board::board))
        .route("/board/{tenant}/events", get(live::board_changes))
        .layer(middleware::map_response(layout::security_headers))
}

/// A path segment with everything but unreserved characters percent-encoded.
pub(crate) fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/terminal/{tenant}`, encoded.
pub(crate) fn base(tenant: &str) -> String {
    format!("/terminal/{}", segment(tenant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("acme"), "acme");
        assert_eq!(segment("Werk Süd/2"), "Werk%20S%C3%BCd%2F2");
    }
}
