//! `GET /terminal/{tenant}/operations/{id}`: one operation's panel: its job, part, material and
//! quantity, the time so far (a live timer while it runs), the quantities reported, its
//! substeps and open issues, and the actions its status allows.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use takt_domain::erp::ErpEntity;
use takt_domain::erp::records::{ErpRecord, Job, Operation, Part};
use takt_domain::json::Scalar;
use takt_domain::shop_floor::collection::{Collection, Condition, ListQuery, Record};
use takt_domain::shop_floor::issue::{ISSUES, SEVERITIES};
use takt_domain::shop_floor::scrap_reason::SCRAP_REASONS;
use takt_domain::shop_floor::substep::SUBSTEPS;
use takt_store::{StoreError, TenantId, now};
use uuid::Uuid;

use super::csrf;
use super::layout;
use super::queue::{chrome, status_name};
use super::session::{self, Signed};
use crate::AppState;

/// What the panel says above itself: what an action did, or why it was refused.
pub enum Notice {
    Done(&'static str),
    Error(String),
}

/// Everything the panel shows.
struct Panel {
    operation: Operation,
    part: Part,
    job: Job,
    substeps: Vec<Record>,
    issues: Vec<Record>,
    scrap_reasons: Vec<Record>,
    running_since: Option<DateTime<Utc>>,
}

/// `GET /terminal/{tenant}/operations/{id}[?done=ACTION][&scanned=1]`.
pub async fn panel(
    State(state): State<Arc<AppState>>,
    Path((tenant, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let signed = match session::signed(&state, &tenant, &headers).await {
        Ok(signed) => signed,
        Err(answer) => return answer,
    };
    let notice = query.get("done").and_then(|done| done_key(done)).map(Notice::Done);
    let scanned = query.contains_key("scanned");
    match id.parse::<Uuid>() {
        Ok(id) => render(&state, &signed, id, StatusCode::OK, notice, scanned).await,
        Err(_) => not_found(&signed),
    }
}

/// The catalog key of what an action did.
pub fn done_key(action: &str) -> Option<&'static str> {
    Some(match action {
        "start" => "done.start",
        "pause" => "done.pause",
        "resume" => "done.resume",
        "complete" => "done.complete",
        "issue" => "done.issue",
        "substep" => "done.substep",
        _ => return None,
    })
}

pub fn not_found(signed: &Signed) -> Response {
    let lang = signed.lang();
    layout::error_page_back(lang, StatusCode::NOT_FOUND, lang.t("error.not_found"), &signed.plant.base())
}

/// The panel of operation `id` as an answer with `status`; `404` when the tenant has no such
/// operation.
pub async fn render(
    state: &AppState,
    signed: &Signed,
    id: Uuid,
    status: StatusCode,
    notice: Option<Notice>,
    focus_action: bool,
) -> Response {
    let panel = match read(state, signed.plant.tenant.id, id).await {
        Ok(Some(panel)) => panel,
        Ok(None) => return not_found(signed),
        Err(error) => return layout::store_error_page(signed.lang(), error),
    };
    let lang = signed.lang();
    let base = signed.plant.base();
    let here = format!("{base}/operations/{id}");
    let op = &panel.operation;
    let title = format!("{} · {}", op.operation_name, op.external_id);
    let body = html! {
        nav.crumbs {
            @if let Some(cell) = op.cell_id {
                a href={ (base) "/cells/" (cell) } { "← " (op.cell_name.as_deref().unwrap_or_default()) }
            } @else {
                a href=(base) { "← " (lang.t("cells.back")) }
            }
        }
        @match &notice {
            Some(Notice::Done(key)) => p.message.done role="status" { (lang.t(key)) },
            Some(Notice::Error(message)) => p.message.error role="alert" { (message) },
            None => {},
        }
        div.panel {
            (facts(signed, &panel, focus_action))
            div.forms {
                @if op.status != "completed" { (complete_form(signed, &panel)) }
                (issue_form(signed, &panel))
            }
        }
    };
    layout::respond(status, layout::page(lang, &title, chrome(signed, &here), body))
}

async fn read(state: &AppState, tenant: TenantId, id: Uuid) -> Result<Option<Panel>, StoreError> {
    let Some(ErpRecord::Operation(operation)) = state.app.get(tenant, ErpEntity::Operation, id).await? else {
        return Ok(None);
    };
    let Some(ErpRecord::Part(part)) = state.app.get(tenant, ErpEntity::Part, operation.part_id).await? else {
        return Ok(None);
    };
    let Some(ErpRecord::Job(job)) = state.app.get(tenant, ErpEntity::Job, part.job_id).await? else {
        return Ok(None);
    };
    let of_operation = ("operation_id", Condition::Is(Scalar::Uuid(id)));
    let substeps = list(state, tenant, &SUBSTEPS, vec![of_operation.clone()]).await?;
    let open = ("status", Condition::IsNot(Scalar::Text("closed".into())));
    let issues = list(state, tenant, &ISSUES, vec![of_operation, open]).await?;
    let active = ("active", Condition::Is(Scalar::Bool(true)));
    let scrap_reasons = list(state, tenant, &SCRAP_REASONS, vec![active]).await?;
    let running_since = state.app.running_since(tenant, id).await?;
    Ok(Some(Panel { operation, part, job, substeps, issues, scrap_reasons, running_since }))
}

async fn list(
    state: &AppState,
    tenant: TenantId,
    records: &'static Collection,
    filters: Vec<(&'static str, Condition)>,
) -> Result<Vec<Record>, StoreError> {
    let query = ListQuery { filters, limit: 1000, offset: 0 };
    Ok(state.app.list_records(tenant, records, &query).await?.items)
}

/// Whole seconds as `H:MM:SS`.
pub fn clock(seconds: i64) -> String {
    let seconds = seconds.max(0);
    format!("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

/// The region live updates replace: facts, time, quantities, actions, substeps, issues.
fn facts(signed: &Signed, panel: &Panel, focus_action: bool) -> Markup {
    let lang = signed.lang();
    let op = &panel.operation;
    let at = now();
    let so_far = op.actual_time_seconds + panel.running_since.map_or(0, |since| (at - since).num_seconds());
    let action_path = |action: &str| format!("{}/operations/{}/{action}", signed.plant.base(), op.id);
    let actions: &[(&str, &str)] = match op.status.as_str() {
        "not_started" => &[("start", "action.start")],
        "in_progress" => &[("pause", "action.pause")],
        "on_hold" => &[("resume", "action.resume")],
        _ => &[],
    };
    html! {
        section #facts.card.details data-region {
            p { span class={ "status " (op.status) } { (status_name(lang, &op.status)) } }
            dl {
                dt { (lang.t("operation.job")) } dd { (panel.job.job_number) }
                @if let Some(customer) = &panel.job.customer { dt { (lang.t("operation.customer")) } dd { (customer) } }
                dt { (lang.t("operation.part")) } dd { (panel.part.part_number) }
                dt { (lang.t("operation.material")) } dd { (panel.part.material.as_deref().unwrap_or("–")) }
                dt { (lang.t("operation.quantity")) } dd { (panel.part.quantity) }
                @if let Some(due) = panel.job.due_date { dt { (lang.t("operation.due")) } dd { (due) } }
                dt { (lang.t("operation.time")) }
                dd {
                    @if let Some(since) = panel.running_since {
                        span.timer data-base=(op.actual_time_seconds) data-since=(since.to_rfc3339())
                            data-now=(at.to_rfc3339()) { (clock(so_far)) }
                    } @else {
                        span.timer { (clock(so_far)) }
                    }
                    @if let Some(estimate) = op.estimated_time_minutes {
                        " " span.estimate { "(" (lang.t("operation.estimated")) " " (estimate) " min)" }
                    }
                }
                dt { (lang.t("operation.reported")) }
                dd.reported {
                    span { (lang.t("action.good")) " " strong { (op.quantity_good) } }
                    span { (lang.t("action.scrap")) " " strong { (op.quantity_scrap) } }
                    span { (lang.t("action.rework")) " " strong { (op.quantity_rework) } }
                }
            }
            div.actions {
                @for (i, (action, key)) in actions.iter().enumerate() {
                    form method="post" action=(action_path(action)) {
                        input type="hidden" name=(csrf::FIELD) value=(signed.session.csrf_token);
                        button.primary.big type="submit" autofocus[focus_action && i == 0] { (lang.t(key)) }
                    }
                }
            }
            h2 { (lang.t("operation.substeps")) }
            @if panel.substeps.is_empty() { p.none { (lang.t("operation.no_substeps")) } }
            ul.substeps {
                @for step in &panel.substeps { li { (substep(signed, op.id, step)) } }
            }
            @if !panel.issues.is_empty() {
                h2 { (lang.t("operation.issues")) }
                ul.issues {
                    @for issue in &panel.issues {
                        li {
                            span class={ "badge severity " (issue.text("severity").unwrap_or("medium")) } {
                                (severity_name(signed, issue.text("severity").unwrap_or("medium")))
                            }
                            " " (issue.text("title").unwrap_or_default())
                            @if issue.bool("causes_standstill") == Some(true) {
                                " " span.badge.blocked { (lang.t("operation.standstill")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn substep(signed: &Signed, operation: Uuid, step: &Record) -> Markup {
    let lang = signed.lang();
    let done = step.text("status") == Some("completed");
    html! {
        form.substep method="post" action={ (signed.plant.base()) "/operations/" (operation) "/substeps/" (step.id) } {
            input type="hidden" name=(csrf::FIELD) value=(signed.session.csrf_token);
            input type="hidden" name="done" value=(if done { "0" } else { "1" });
            span class={ "step " @if done { "done" } } { (step.text("description").unwrap_or_default()) }
            button.secondary type="submit" aria-pressed=(if done { "true" } else { "false" }) {
                @if done { (lang.t("action.substep_undo")) } @else { (lang.t("action.substep_done")) }
            }
        }
    }
}

fn severity_name(signed: &Signed, severity: &str) -> &'static str {
    let lang = signed.lang();
    match severity {
        "low" => lang.t("severity.low"),
        "high" => lang.t("severity.high"),
        "critical" => lang.t("severity.critical"),
        _ => lang.t("severity.medium"),
    }
}

fn complete_form(signed: &Signed, panel: &Panel) -> Markup {
    let lang = signed.lang();
    let op = &panel.operation;
    html! {
        form.card.complete method="post" action={ (signed.plant.base()) "/operations/" (op.id) "/complete" } {
            input type="hidden" name=(csrf::FIELD) value=(signed.session.csrf_token);
            div.quantities {
                div { label for="good" { (lang.t("action.good")) } input #good type="number" name="good" min="0" inputmode="numeric"; }
                div { label for="scrap" { (lang.t("action.scrap")) } input #scrap type="number" name="scrap" min="0" inputmode="numeric"; }
                div { label for="rework" { (lang.t("action.rework")) } input #rework type="number" name="rework" min="0" inputmode="numeric"; }
            }
            label for="scrap_reason" { (lang.t("action.scrap_reason")) }
            select #scrap_reason name="scrap_reason" {
                option value="" { (lang.t("action.no_reason")) }
                @for reason in &panel.scrap_reasons {
                    @let code = reason.text("code").unwrap_or_default();
                    option value=(code) {
                        (code)
                        @if let Some(description) = reason.text("description") { " – " (description) }
                    }
                }
            }
            button.primary.big type="submit" { (lang.t("action.complete")) }
        }
    }
}

fn issue_form(signed: &Signed, panel: &Panel) -> Markup {
    let lang = signed.lang();
    html! {
        form.card.issue method="post" action={ (signed.plant.base()) "/operations/" (panel.operation.id) "/issues" } {
            input type="hidden" name=(csrf::FIELD) value=(signed.session.csrf_token);
            label for="issue_title" { (lang.t("action.issue_title")) }
            input #issue_title type="text" name="title" maxlength="200" required;
            label for="severity" { (lang.t("action.severity")) }
            select #severity name="severity" {
                @for severity in SEVERITIES {
                    option value=(severity) selected[*severity == "medium"] { (severity_name(signed, severity)) }
                }
            }
            div.check {
                input #standstill type="checkbox" name="causes_standstill" value="true";
                label for="standstill" { (lang.t("action.standstill")) }
            }
            button.warning type="submit" { (lang.t("action.report_issue")) }
        }
    }
}
