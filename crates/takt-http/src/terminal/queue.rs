//! `GET /terminal/{tenant}`: the sign-in page, or the cells to choose from once signed in; and
//! `GET /terminal/{tenant}/cells/{cell}`: a cell's queue, in what runs, what is held, what is
//! ready and what is blocked (and why).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{Markup, html};
use takt_domain::erp::ErpEntity;
use takt_domain::erp::query::ListQuery;
use takt_domain::erp::records::{Cell, ErpRecord};
use takt_domain::shop_floor::queue::{BlockedBy, QueueLine};
use takt_store::sql::shop_floor::queue::CellKey;
use takt_store::{StoreError, TenantId};
use uuid::Uuid;

use super::i18n::Lang;
use super::layout::{self, Chrome};
use super::session::{self, Signed};
use super::{scan, sign_in};
use crate::AppState;

/// The most lines a queue page shows.
pub const QUEUE_PAGE: i64 = 200;

/// The tenant's active cells, in their sequence, then by name.
pub async fn active_cells(state: &AppState, tenant: TenantId) -> Result<Vec<Cell>, StoreError> {
    let query = ListQuery { active: Some(true), limit: 1000, ..ListQuery::default() };
    let page = state.app.list(tenant, ErpEntity::Cell, &query).await?;
    let mut cells: Vec<Cell> = page
        .items
        .into_iter()
        .filter_map(|record| match record {
            ErpRecord::Cell(cell) => Some(cell),
            _ => None,
        })
        .collect();
    cells.sort_by(|a, b| {
        (a.sequence.is_none(), a.sequence, a.name.to_lowercase()).cmp(&(
            b.sequence.is_none(),
            b.sequence,
            b.name.to_lowercase(),
        ))
    });
    Ok(cells)
}

/// `GET /terminal/{tenant}`.
pub async fn home(State(state): State<Arc<AppState>>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    let plant = match session::plant(&state, &tenant, &headers).await {
        Ok(plant) => plant,
        Err(page) => return page,
    };
    let session = match session::session_of(&state, &plant, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return sign_in::page(&plant, &headers, StatusCode::OK, None, ""),
        Err(page) => return page,
    };
    let signed = Signed { plant, session };
    let lang = signed.lang();
    let cells = match active_cells(&state, signed.plant.tenant.id).await {
        Ok(cells) => cells,
        Err(error) => return layout::store_error_page(lang, error),
    };
    let base = signed.plant.base();
    let body = html! {
        (scan::form(&signed, false))
        @if cells.is_empty() {
            p.message { (lang.t("cells.none")) }
        } @else {
            div.cells {
                @for cell in &cells {
                    form method="get" action={ (base) "/cells/" (cell.id) } {
                        button.cell type="submit" { (cell.name) }
                    }
                }
            }
        }
    };
    let chrome = chrome(&signed, &base);
    layout::respond(StatusCode::OK, layout::page(lang, lang.t("cells.title"), chrome, body))
}

/// The header of a signed-in page at `here`, following the plant's changes.
pub fn chrome<'a>(signed: &'a Signed, here: &'a str) -> Chrome<'a> {
    Chrome {
        plant: Some(&signed.plant),
        operator: Some((&signed.session.operator_name, &signed.session.csrf_token)),
        here,
        live: Some(format!("{}/events", signed.plant.base())),
    }
}

/// `GET /terminal/{tenant}/cells/{cell}`.
pub async fn cell(
    State(state): State<Arc<AppState>>,
    Path((tenant, cell)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed = match session::signed(&state, &tenant, &headers).await {
        Ok(signed) => signed,
        Err(answer) => return answer,
    };
    let lang = signed.lang();
    let Ok(cell) = cell.parse::<Uuid>() else {
        return layout::error_page_back(lang, StatusCode::NOT_FOUND, lang.t("error.not_found"), &signed.plant.base());
    };
    let (cell, lines) = match state.app.cell_queue(signed.plant.tenant.id, &CellKey::Id(cell), QUEUE_PAGE, 0).await {
        Ok((cell, page)) => (cell, page.items),
        Err(StoreError::Missing(_)) => {
            return layout::error_page_back(
                lang,
                StatusCode::NOT_FOUND,
                lang.t("error.not_found"),
                &signed.plant.base(),
            );
        }
        Err(error) => return layout::store_error_page(lang, error),
    };
    let base = signed.plant.base();
    let here = format!("{base}/cells/{}", cell.id);
    let body = html! {
        nav.crumbs { a href=(base) { "← " (lang.t("cells.back")) } }
        (scan::form(&signed, true))
        (queue(&signed, &lines))
    };
    layout::respond(StatusCode::OK, layout::page(lang, &cell.name, chrome(&signed, &here), body))
}

/// The queue's four groups; the region live updates replace.
fn queue(signed: &Signed, lines: &[QueueLine]) -> Markup {
    let lang = signed.lang();
    let of = |status: &'static str| lines.iter().filter(move |l| l.operation.status == status);
    let ready: Vec<&QueueLine> = of("not_started").filter(|l| l.ready).collect();
    let blocked: Vec<&QueueLine> = of("not_started").filter(|l| !l.ready).collect();
    let groups: [(&str, &str, Vec<&QueueLine>); 4] = [
        ("running", lang.t("queue.running"), of("in_progress").collect()),
        ("held", lang.t("queue.held"), of("on_hold").collect()),
        ("ready", lang.t("queue.ready"), ready),
        ("blocked", lang.t("queue.blocked"), blocked),
    ];
    html! {
        div #queue.queue data-region {
            @if lines.is_empty() {
                p.message { (lang.t("queue.empty")) }
            }
            @for (class, title, group) in &groups {
                section class={ "group " (class) } {
                    h2 { (title) " " span.count { (group.len()) } }
                    @if group.is_empty() {
                        p.none { (lang.t("queue.nothing")) }
                    } @else {
                        ul.lines {
                            @for line in group { li { (line_link(signed, line)) } }
                        }
                    }
                }
            }
        }
    }
}

fn line_link(signed: &Signed, line: &QueueLine) -> Markup {
    let lang = signed.lang();
    let op = &line.operation;
    html! {
        a.line href={ (signed.plant.base()) "/operations/" (op.id) } {
            span.what {
                strong { (op.operation_name) }
                span.ids { (line.job.job_number) " · " (line.part.part_number) " · " (op.external_id) }
            }
            span.facts {
                @if line.part.is_bullet_card { span.badge.rush { (lang.t("queue.rush")) } }
                @if let Some(due) = line.job.due_date {
                    span.due { (lang.f("queue.due", &[("date", &due.to_string())])) }
                }
                @for reason in &line.blocked_by { span.badge.blocked { (blocked_reason(lang, *reason)) } }
            }
        }
    }
}

/// Why an operation cannot start, in words.
pub fn blocked_reason(lang: Lang, reason: BlockedBy) -> &'static str {
    match reason {
        BlockedBy::Predecessor => lang.t("blocked.predecessor"),
        BlockedBy::Hold => lang.t("blocked.hold"),
        BlockedBy::WipLimit => lang.t("blocked.wip_limit"),
    }
}

/// A status in words.
pub fn status_name(lang: Lang, status: &str) -> &'static str {
    match status {
        "in_progress" => lang.t("status.in_progress"),
        "on_hold" => lang.t("status.on_hold"),
        "completed" => lang.t("status.completed"),
        _ => lang.t("status.not_started"),
    }
}
