//! The webhook paths and schemas.

use super::*;

const WEBHOOKS_TAG: &str = "Webhooks";

fn property(builder: ObjectBuilder, name: &str, schema: impl Into<RefOr<Schema>>, required: bool) -> ObjectBuilder {
    let builder = builder.property(name, schema);
    if required { builder.required(name) } else { builder }
}

fn typed(kind: Type, doc: &str) -> ObjectBuilder {
    described(ObjectBuilder::new().schema_type(kind), doc)
}

fn webhook_schema(with_secret: bool) -> Schema {
    let patterns = ArrayBuilder::new().items(typed(Type::String, "An event type pattern; `*` matches any text."));
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    object = property(
        object,
        "id",
        typed(Type::String, "A UUID.").format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        true,
    );
    object = property(object, "url", typed(Type::String, "Where events are POSTed (http or https)."), true);
    object = property(object, "events", patterns, true);
    object = property(object, "active", typed(Type::Boolean, "Whether deliveries are made."), true);
    object = property(object, "description", typed(Type::String, "Free text, at most 1000 bytes."), false);
    object = property(
        object,
        "disabled_reason",
        typed(Type::String, "Why Takt switched the webhook off, if it did."),
        false,
    );
    object = property(object, "created_at", typed(Type::String, "RFC 3339, UTC."), true);
    object = property(object, "updated_at", typed(Type::String, "RFC 3339, UTC."), true);
    if with_secret {
        object = property(
            object,
            "secret",
            typed(Type::String, "`whsec_` + base64 of 32 random bytes: shown only now."),
            true,
        );
    }
    object.into()
}

fn webhook_request(create: bool) -> Schema {
    let patterns = ArrayBuilder::new().items(typed(Type::String, "An event type pattern (`job.*`)."));
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    object = property(
        object,
        "url",
        typed(
            Type::String,
            "http or https; link-local and metadata addresses are refused, loopback unless the server allows it.",
        ),
        create,
    );
    object = property(object, "events", patterns, false);
    object = property(object, "event_type", typed(Type::String, "One pattern, in place of `events`."), false);
    object = property(object, "active", typed(Type::Boolean, "Default true."), false);
    object = property(object, "description", typed(Type::String, "At most 1000 bytes; null clears."), false);
    object.into()
}

fn attempt_schema() -> Schema {
    let integer = |doc| typed(Type::Integer, doc);
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for (name, schema, required) in [
        ("id", typed(Type::String, "A UUID."), true),
        ("webhook_id", typed(Type::String, "A UUID."), true),
        ("delivery_id", typed(Type::String, "A UUID: one per event and webhook."), true),
        ("event_id", typed(Type::String, "The event's id, also its `webhook-id` header."), true),
        ("seq", integer("The event's seq."), true),
        ("attempt", integer("From 1."), true),
        ("attempted_at", typed(Type::String, "RFC 3339, UTC."), true),
        ("status", typed(Type::String, "`succeeded` or `failed`."), true),
        ("http_status", integer("The receiver's answer, if it answered."), false),
        ("duration_ms", integer("How long the attempt took."), true),
        ("response_body", typed(Type::String, "Up to 1 KiB of the answer."), false),
        ("error", typed(Type::String, "What went wrong."), false),
    ] {
        object = property(object, name, schema, required);
    }
    object.into()
}

fn query(name: &str, kind: Kind, doc: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(kind_schema(kind, doc)))
}

fn path_id() -> ParameterBuilder {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(kind_schema(Kind::Uuid, "The webhook's id.")))
}

fn page(items: &str, item: &str) -> RefOr<Schema> {
    success(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(items, ArrayBuilder::new().items(reference(item)))
            .property("pagination", reference("Pagination"))
            .into(),
    )
}

pub(super) fn webhook_paths(
    mut paths: PathsBuilder,
    mut components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
    components = components
        .schema("Webhook", webhook_schema(false))
        .schema("WebhookWithSecret", webhook_schema(true))
        .schema("WebhookCreate", webhook_request(true))
        .schema("WebhookChange", webhook_request(false))
        .schema("WebhookAttempt", attempt_schema());
    for prefix in ["", "/functions/v1"] {
        let id = |name: &str| format!("{}{name}", if prefix.is_empty() { "" } else { "functions_" });
        let op = |name: &str, summary: &str| {
            OperationBuilder::new().tag(WEBHOOKS_TAG).operation_id(Some(id(name))).summary(Some(summary.to_owned()))
        };
        let one = |description: &str| response(description, success(reference("Webhook")));
        let with_secret = |description: &str| response(description, success(reference("WebhookWithSecret")));
        let invalid = (422, "Invalid fields or parameters.");
        let missing = (404, "No such webhook in this tenant.");

        let list = op("listWebhooks", "List webhooks (or read one with ?id=)")
            .parameter(query("id", Kind::Uuid, "Read this one webhook."))
            .parameter(query("active", Kind::Bool, "Only active (or inactive) webhooks."))
            .parameter(query("limit", Kind::Integer { min: 1, max: 1000 }, "Page size, default 100."))
            .parameter(query("offset", Kind::Integer { min: 0, max: i64::MAX }, "Webhooks to skip."))
            .response("200", response("A page of webhooks (never their secrets).", page("webhooks", "Webhook")));
        let create = op("createWebhook", "Create a webhook; the answer shows its secret, once")
            .request_body(json_body(reference("WebhookCreate"), "The webhook."))
            .response("201", with_secret("Created."));
        let change = |name: &str| {
            op(name, "Change the fields given")
                .request_body(json_body(reference("WebhookChange"), "The fields to change."))
                .response("200", one("Changed."))
        };
        let delete = |name: &str| {
            op(name, "Delete a webhook with its deliveries and log")
                .response("200", response("Deleted.", success(ObjectBuilder::new().schema_type(Type::Object).into())))
        };
        let by_query = |o: OperationBuilder| o.parameter(query("id", Kind::Uuid, "The webhook's id (required)."));
        let mut item = PathItem::new(HttpMethod::Get, with_auth_errors(list, &[missing, invalid]));
        item.post = Some(with_auth_errors(create, &[(400, "Body is not JSON."), invalid]).build());
        item.patch = Some(with_auth_errors(by_query(change("changeWebhookById")), &[missing, invalid]).build());
        item.put = Some(with_auth_errors(by_query(change("putWebhookById")), &[missing, invalid]).build());
        item.delete = Some(with_auth_errors(by_query(delete("deleteWebhookById")), &[missing, invalid]).build());
        paths = paths.path(format!("{prefix}/api-webhooks"), item);

        let get = op("getWebhook", "Read one webhook").parameter(path_id()).response("200", one("The webhook."));
        let mut item = PathItem::new(HttpMethod::Get, with_auth_errors(get, &[missing]));
        item.patch = Some(with_auth_errors(change("changeWebhook").parameter(path_id()), &[missing, invalid]).build());
        item.put = Some(with_auth_errors(change("putWebhook").parameter(path_id()), &[missing, invalid]).build());
        item.delete = Some(with_auth_errors(delete("deleteWebhook").parameter(path_id()), &[missing]).build());
        paths = paths.path(format!("{prefix}/api-webhooks/{{id}}"), item);

        let rotate = op("rotateWebhookSecret", "A new signing secret, shown once; the old one signs too for 24 hours")
            .parameter(path_id())
            .response("200", with_secret("The webhook with its new secret."));
        paths = paths.path(
            format!("{prefix}/api-webhooks/{{id}}/rotate-secret"),
            PathItem::new(HttpMethod::Post, with_auth_errors(rotate, &[missing])),
        );
        let replay = op("replayWebhook", "Queue again every matching event after a seq")
            .parameter(path_id())
            .parameter(
                ParameterBuilder::new()
                    .name("after")
                    .parameter_in(ParameterIn::Query)
                    .required(Required::True)
                    .schema(Some(kind_schema(Kind::Integer { min: 0, max: i64::MAX }, "Events after this seq."))),
            )
            .response(
                "200",
                response(
                    "How many deliveries were queued.",
                    success(ObjectBuilder::new().schema_type(Type::Object).into()),
                ),
            );
        paths = paths.path(
            format!("{prefix}/api-webhooks/{{id}}/replay"),
            PathItem::new(HttpMethod::Post, with_auth_errors(replay, &[missing, invalid])),
        );
        let logs = op("listWebhookLogs", "Delivery attempts, newest first")
            .parameter(query("webhook_id", Kind::Uuid, "Only this webhook's."))
            .parameter(query(
                "status",
                Kind::Enum(takt_domain::webhook::ATTEMPT_STATUSES),
                "Only attempts that succeeded or failed.",
            ))
            .parameter(query("limit", Kind::Integer { min: 1, max: 1000 }, "Page size, default 100."))
            .parameter(query("offset", Kind::Integer { min: 0, max: i64::MAX }, "Attempts to skip."))
            .response("200", response("A page of attempts.", page("webhook_logs", "WebhookAttempt")));
        paths = paths.path(
            format!("{prefix}/api-webhook-logs"),
            PathItem::new(HttpMethod::Get, with_auth_errors(logs, &[invalid])),
        );
    }
    (paths, components)
}
