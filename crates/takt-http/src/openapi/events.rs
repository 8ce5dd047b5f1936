//! The event log's paths and schemas: the feed and the stream.

use super::*;

const EVENTS_TAG: &str = "Events";

fn text(doc: &str) -> ObjectBuilder {
    described(ObjectBuilder::new().schema_type(Type::String), doc)
}

fn nullable_text(doc: &str) -> ObjectBuilder {
    described(
        ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])),
        doc,
    )
}

fn free_object(doc: &str) -> ObjectBuilder {
    described(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(true))),
        doc,
    )
}

fn event_schema() -> Schema {
    let actor = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("Who made the change: `api_key` (id: the key's lookup prefix), `operator` (id, name), or `system` for derived changes."))
        .property("kind", text("`api_key`, `operator` or `system`."))
        .required("kind")
        .property("id", text("The key's lookup prefix, or the operator's id."))
        .property("name", text("The operator's name."));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("One change to one record."))
        .property("seq", described(ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))), "Counts from 1 per tenant, without gaps, in commit order."))
        .required("seq")
        .property("id", text("A UUID; the `webhook-id` of its deliveries.").format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))))
        .required("id")
        .property("type", text("`<entity>.<created|updated|deleted>` or a status move."))
        .required("type")
        .property("occurred_at", text("RFC 3339, UTC.").format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))))
        .required("occurred_at")
        .property("entity", text("snake_case: `job`, `bom_version`."))
        .required("entity")
        .property("entity_id", text("The record's id as text (a UUID, or a master-data integer)."))
        .required("entity_id")
        .property("external_source", nullable_text("The ERP record's sync key; null for master data."))
        .property("external_id", nullable_text("The ERP record's sync key; null for master data."))
        .property("actor", actor)
        .required("actor")
        .property("data", free_object("The record after the change (as it was, for a deletion), as the API reads it, without nested children."))
        .required("data")
        .property("changes", free_object("On updates only: each changed field as `[old, new]`."))
        .into()
}

fn parameter(name: &str, kind: Kind, doc: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(kind_schema(kind, doc)))
}

fn filters(op: OperationBuilder) -> OperationBuilder {
    op.parameter(parameter(
        "after",
        Kind::Integer { min: 0, max: i64::MAX },
        "Events after this seq; 0 or absent: from the beginning.",
    ))
    .parameter(parameter(
        "type",
        Kind::Text { max_bytes: 2100 },
        "Comma-separated type patterns; `*` matches any text (`job.*`).",
    ))
    .parameter(parameter("entity", Kind::Text { max_bytes: 255 }, "Only this entity."))
    .parameter(parameter("entity_id", Kind::Text { max_bytes: 255 }, "Only this record."))
}

pub(super) fn event_paths(
    mut paths: PathsBuilder,
    mut components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
    components = components.schema("Event", event_schema()).schema(
        "FeedResponse",
        success(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("events", ArrayBuilder::new().items(reference("Event")))
                .required("events")
                .property(
                    "next_after",
                    described(ObjectBuilder::new().schema_type(Type::Integer), "The cursor to ask with next."),
                )
                .required("next_after")
                .property("has_more", ObjectBuilder::new().schema_type(Type::Boolean))
                .required("has_more")
                .into(),
        ),
    );
    for prefix in ["", "/functions/v1"] {
        let id = |name: &str| format!("{}{name}", if prefix.is_empty() { "" } else { "functions_" });
        let feed = filters(
            OperationBuilder::new()
                .tag(EVENTS_TAG)
                .operation_id(Some(id("listEvents")))
                .summary(Some("Read the event log after a cursor, in seq order"))
                .parameter(parameter("limit", Kind::Integer { min: 1, max: 1000 }, "Page size, default 100.")),
        )
        .response("200", response("A page of events.", reference("FeedResponse")));
        let feed = with_auth_errors(
            feed,
            &[
                (410, "The cursor is older than the events kept (CURSOR_EXPIRED, with oldest_seq)."),
                (422, "Unknown or invalid parameter."),
            ],
        );
        let stream = filters(
            OperationBuilder::new()
                .tag(EVENTS_TAG)
                .operation_id(Some(id("streamEvents")))
                .summary(Some("Server-Sent Events: the log after the cursor, then each event as it commits"))
                .description(Some("`id:` is the seq, `event:` the type, `data:` the event as JSON. `Last-Event-ID` resumes and wins over `after`. A comment line every 15 s keeps proxies from closing the stream."))
                .parameter(ParameterBuilder::new().name("Last-Event-ID").parameter_in(ParameterIn::Header).required(Required::False).schema(Some(kind_schema(Kind::Integer { min: 0, max: i64::MAX }, "The last seq received.")))),
        )
        .response(
            "200",
            ResponseBuilder::new()
                .description("An event stream.")
                .content("text/event-stream", ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build()),
        );
        let stream = with_auth_errors(
            stream,
            &[(410, "The cursor is older than the events kept."), (422, "Unknown or invalid parameter.")],
        );
        paths = paths
            .path(format!("{prefix}/api-events"), PathItem::new(HttpMethod::Get, feed))
            .path(format!("{prefix}/api-events/stream"), PathItem::new(HttpMethod::Get, stream));
    }
    (paths, components)
}
