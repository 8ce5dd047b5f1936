//! The lifecycle's paths, a cell's queue and an operator's labour.

use takt_domain::shop_floor::quantity::COMPLETION_FIELDS;
use takt_domain::shop_floor::queue::{BlockedBy, QueueLine, QueuedJob, QueuedPart};
use takt_domain::shop_floor::time::TIME_TYPES;
use takt_domain::shop_floor::{Action, Target};

use super::shop_floor::query;
use super::*;

const LIFECYCLE_TAG: &str = "Shop floor";

fn move_answer(record: &str) -> RefOr<Schema> {
    let statuses =
        || kind_schema(Kind::Enum(takt_domain::erp::JOB_STATUSES), "not_started, in_progress, on_hold or completed.");
    success(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(record.to_lowercase(), reference(record))
            .required(record.to_lowercase())
            .property("previous_status", statuses())
            .required("previous_status")
            .property("new_status", statuses())
            .required("new_status")
            .into(),
    )
}

fn lifecycle_path(paths: PathsBuilder, target: Target, prefix: &str) -> PathsBuilder {
    let record = if target == Target::Job { "Job" } else { "Operation" };
    let actions = target.action_names();
    let table = Action::ALL
        .iter()
        .map(|a| {
            let from: Vec<&str> = a.from().iter().map(|s| s.as_str()).collect();
            format!("`{}`: {} → {}", a.verb(), from.join(" or "), a.to().as_str())
        })
        .collect::<Vec<_>>()
        .join("; ");
    let action = ParameterBuilder::new()
        .name("action")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(kind_schema(Kind::Enum(actions), "The move (case ignored).")));
    let id = query("id", kind_schema(Kind::Uuid, &format!("The {}'s Takt id (required).", target.name())))
        .required(Required::True);
    let mut op = OperationBuilder::new()
        .tag(LIFECYCLE_TAG)
        .operation_id(Some(format!("{}{}Lifecycle", if prefix.is_empty() { "" } else { "functions_" }, target.name())))
        .summary(Some(format!("Move a{} {} through its lifecycle", if target == Target::Job { "" } else { "n" }, target.name())))
        .description(Some(match target {
            Target::Operation => format!(
                "{table}. Start and resume open a time entry (for `operator_id`, or `user_id`), pause and complete close \
                 the operation's open entries; complete may carry the pieces made. The part and the job roll up in the \
                 same transaction (derived events by `system`)."
            ),
            Target::Job => format!("{table}; `stop` is `pause`. A pause also pauses the job's running operations."),
        }))
        .parameter(action)
        .parameter(id)
        .response("200", response("Moved.", move_answer(record)));
    if target == Target::Operation {
        op = op
            .parameter(query(
                "operator_id",
                kind_schema(Kind::Uuid, "Who works (start, resume) or reports (complete)."),
            ))
            .parameter(query(
                "user_id",
                kind_schema(Kind::Uuid, "The same as operator_id, as the reference's clients name it."),
            ))
            .parameter(query(
                "time_type",
                kind_schema(Kind::Enum(TIME_TYPES), "The time entry's type; run by default."),
            ))
            .request_body(optional_json_body(
                object_schema(COMPLETION_FIELDS, &[]),
                "With complete only: the pieces made.",
            ));
    }
    let errors = [
        (
            400,
            "INVALID_STATE_TRANSITION (the status does not allow the move), INVALID_OPERATION (no such action) or VALIDATION_ERROR (no id).",
        ),
        (404, "No such record in this tenant."),
        (
            409,
            "SEQUENCE_ENFORCED, WIP_LIMIT_REACHED or OPERATION_HELD: the cell's rules or a standstill refuse a start.",
        ),
        (422, "A bad parameter or body."),
    ];
    let path = format!("{prefix}/api-{}-lifecycle/{{action}}", target.name());
    paths.path(path, PathItem::new(HttpMethod::Post, with_auth_errors(op, &errors)))
}

pub(super) fn lifecycle_paths(
    mut paths: PathsBuilder,
    components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
    let components = components
        .schema_from::<QueueLine>()
        .schema_from::<QueuedPart>()
        .schema_from::<QueuedJob>()
        .schema_from::<BlockedBy>();
    let page = || {
        [
            query("limit", kind_schema(Kind::Integer { min: 1, max: 1000 }, "Page size, default 100.")),
            query("offset", kind_schema(Kind::Integer { min: 0, max: i64::MAX }, "Lines to skip.")),
        ]
    };
    let queue_answer = success(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("cell", reference("Cell"))
            .property("queue", ArrayBuilder::new().items(reference("QueueLine")))
            .property("pagination", reference("Pagination"))
            .into(),
    );
    let queue_doc = "The cell's operations that are not completed, in jobs that are not completed: in_progress first, then \
                     on_hold, then by rush (the part's is_bullet_card), due date (none last), job priority (higher first), \
                     job number and sequence; each with ready and blocked_by (predecessor, hold, wip_limit).";
    for prefix in ["", "/functions/v1"] {
        let id = |name: &str| format!("{}{name}", if prefix.is_empty() { "" } else { "functions_" });
        paths = lifecycle_path(paths, Target::Operation, prefix);
        paths = lifecycle_path(paths, Target::Job, prefix);
        let missing = (404, "No such cell in this tenant.");
        let invalid = (422, "A bad parameter.");
        let mut by_path = OperationBuilder::new()
            .tag(LIFECYCLE_TAG)
            .operation_id(Some(id("cellQueue")))
            .summary(Some("A cell's dispatch queue"))
            .description(Some(queue_doc))
            .parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(kind_schema(Kind::Uuid, "The cell's id."))),
            )
            .response("200", response("A page of the queue.", queue_answer.clone()));
        let mut by_name = OperationBuilder::new()
            .tag(LIFECYCLE_TAG)
            .operation_id(Some(id("cellQueueByName")))
            .summary(Some("A cell's dispatch queue, the cell named by cell_name or cell_id"))
            .description(Some(queue_doc))
            .parameter(query(
                "cell_name",
                kind_schema(Kind::Text { max_bytes: 255 }, "The cell's name (case ignored)."),
            ))
            .parameter(query("cell_id", kind_schema(Kind::Uuid, "The cell's id, instead of cell_name.")))
            .response("200", response("A page of the queue.", queue_answer.clone()));
        for (to_path, to_name) in page().into_iter().zip(page()) {
            by_path = by_path.parameter(to_path);
            by_name = by_name.parameter(to_name);
        }
        paths = paths
            .path(
                format!("{prefix}/api-cells/{{id}}/queue"),
                PathItem::new(HttpMethod::Get, with_auth_errors(by_path, &[missing, invalid])),
            )
            .path(
                format!("{prefix}/api-cells/queue"),
                PathItem::new(HttpMethod::Get, with_auth_errors(by_name, &[missing, invalid])),
            );
        let labour = OperationBuilder::new()
            .tag(LIFECYCLE_TAG)
            .operation_id(Some(id("operatorLabour")))
            .summary(Some("An operator's labour: the union of their closed time entries"))
            .description(Some("Several operations at once never count twice. Entries that start on the days given (UTC, both inclusive)."))
            .parameter(query("operator_id", kind_schema(Kind::Uuid, "The operator (required).")).required(Required::True))
            .parameter(query("start_date", kind_schema(Kind::Date, "First day.")))
            .parameter(query("end_date", kind_schema(Kind::Date, "Last day.")))
            .response(
                "200",
                response(
                    "`{operator_id, start_date, end_date, labour_seconds, entries}`.",
                    success(ObjectBuilder::new().schema_type(Type::Object).into()),
                ),
            );
        let errors = [(404, "No such operator in this tenant."), invalid];
        paths = paths.path(
            format!("{prefix}/api-time-entries/labour"),
            PathItem::new(HttpMethod::Get, with_auth_errors(labour, &errors)),
        );
    }
    (paths, components)
}
