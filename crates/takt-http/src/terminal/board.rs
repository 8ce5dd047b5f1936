//! `GET /board/{tenant}`: the plant board for a wall screen, read-only and open like `/health`
//! (see docs/DECISIONS.md): every active cell with what runs, its queue's length and its work in
//! progress against its limit, and the late jobs; it follows the plant's changes.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use takt_domain::erp::records::Cell;
use takt_domain::shop_floor::queue::QueueLine;
use takt_store::sql::shop_floor::queue::CellKey;
use takt_store::sql::terminal::LateJob;
use takt_store::{StoreError, TenantId};

use super::layout::{self, Chrome};
use super::queue::{QUEUE_PAGE, active_cells, status_name};
use super::segment;
use super::session;
use crate::AppState;

/// `GET /board/{tenant}`.
pub async fn board(State(state): State<Arc<AppState>>, Path(tenant): Path<String>, headers: HeaderMap) -> Response {
    let plant = match session::plant(&state, &tenant, &headers).await {
        Ok(plant) => plant,
        Err(page) => return page,
    };
    let lang = plant.lang;
    let (cells, late) = match read(&state, plant.tenant.id).await {
        Ok(read) => read,
        Err(error) => return layout::store_error_page(lang, error),
    };
    let here = format!("/board/{}", segment(&plant.tenant.name));
    let body = html! {
        div #board.board data-region {
            div.cells-board {
                @for (cell, lines) in &cells {
                    @let running: Vec<&QueueLine> = lines.iter().filter(|l| l.operation.status == "in_progress").collect();
                    @let waiting = lines.len() - running.len();
                    @let over = cell.wip_limit.is_some_and(|limit| running.len() as i64 >= limit);
                    section.card.cell-card {
                        h2 { (cell.name) }
                        dl.counts {
                            div { dt { (lang.t("board.queue")) } dd { (waiting) } }
                            div class={ "wip" @if over { " full" } } {
                                dt { (lang.t("board.wip")) }
                                dd {
                                    (running.len()) " / "
                                    @match cell.wip_limit { Some(limit) => (limit), None => (lang.t("board.no_limit")) }
                                }
                            }
                        }
                        h3 { (lang.t("board.running")) }
                        @if running.is_empty() { p.none { (lang.t("queue.nothing")) } }
                        ul.now-running {
                            @for line in &running {
                                li { strong { (line.operation.operation_name) } " " span.ids { (line.job.job_number) " · " (line.part.part_number) } }
                            }
                        }
                    }
                }
            }
            section.card.late {
                h2 { (lang.t("late.title")) }
                @if late.is_empty() {
                    p.none { (lang.t("late.none")) }
                } @else {
                    ul.lines {
                        @for job in &late {
                            li.late-job {
                                strong { (job.job_number) }
                                @if let Some(customer) = &job.customer { " · " (customer) }
                                " · " span.due { (lang.f("queue.due", &[("date", &job.due_date.to_string())])) }
                                " · " (status_name(lang, &job.status))
                            }
                        }
                    }
                }
            }
        }
    };
    let chrome = Chrome { plant: None, operator: None, here: &here, live: Some(format!("{here}/events")) };
    let title = format!("{} · {}", lang.t("board.title"), plant.tenant.name);
    layout::respond(StatusCode::OK, layout::page(lang, &title, chrome, body))
}

async fn read(state: &AppState, tenant: TenantId) -> Result<(Vec<(Cell, Vec<QueueLine>)>, Vec<LateJob>), StoreError> {
    let mut cells = Vec::new();
    for cell in active_cells(state, tenant).await? {
        let (cell, page) = state.app.cell_queue(tenant, &CellKey::Id(cell.id), QUEUE_PAGE, 0).await?;
        cells.push((cell, page.items));
    }
    let late = state.app.late_jobs(tenant, chrono::Utc::now().date_naive()).await?;
    Ok((cells, late))
}
