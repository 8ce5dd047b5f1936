//! The OpenAPI 3.1 document, generated from the same field lists and entity descriptions that
//! parse requests and render records, so it cannot drift from what the server does.

use std::sync::LazyLock;

use axum::Json;
use serde_json::Value;
use takt_domain::erp::records::{Cell, Job, Operation, Operator, Part, Resource, SyncAction, SyncOutcome};
use takt_domain::erp::{ErpEntity, MAX_BULK_RECORDS, query};
use takt_domain::master_data::input::{COPY_FIELDS, PROPERTY_FIELDS, filter_names};
use takt_domain::master_data::{ALL, EntityKind, EntitySpec, RefBy};
use takt_domain::schema::{DecimalRule, Field, Kind};
use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathsBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, ArrayBuilder, ComponentsBuilder, KnownFormat, ObjectBuilder, OneOfBuilder,
    Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required, ResponseBuilder, Tag,
};

use crate::erp::responses::{
    BulkLine, BulkSummary, DiffResult, DiffSummary, ErrorAction, FieldChange, ItemError, ItemsResults, ItemsSummary,
    NestedChange, Pagination,
};
use crate::error::{ErrorBody, ErrorDetail, ErrorEnvelope};
use crate::master::Action;

mod erp;
mod events;
mod idempotency;
mod lifecycle;
mod master;
mod shop_floor;
mod webhooks;

use erp::erp_paths;
use events::event_paths;
use idempotency::with_idempotency_keys;
use lifecycle::lifecycle_paths;
use master::master_paths;
use shop_floor::shop_floor_paths;
use webhooks::webhook_paths;

const JSON: &str = "application/json";
const ERP_TAG: &str = "ERP sync";
const MASTER_TAG: &str = "Master data";

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| serde_json::to_value(document()).expect("the document serialises"));

/// `GET /openapi.json`
pub async fn serve() -> Json<Value> {
    Json(DOCUMENT.clone())
}

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn described(builder: ObjectBuilder, doc: &str) -> ObjectBuilder {
    builder.description((!doc.is_empty()).then(|| doc.to_owned()))
}

/// The schema of one field's value.
fn kind_schema(kind: Kind, doc: &str) -> RefOr<Schema> {
    let string = ObjectBuilder::new().schema_type(Type::String);
    let schema = match kind {
        Kind::Text { max_bytes } => {
            described(string.max_length(Some(max_bytes)), &format!("{doc} At most {max_bytes} bytes of UTF-8."))
        }
        Kind::Integer { min, max } => {
            let b = ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)));
            described(b.minimum(Some(min as f64)).maximum(Some(max as f64)), doc)
        }
        Kind::Decimal(rule) => {
            let b = ObjectBuilder::new().schema_type(Type::Number);
            let b = match rule {
                DecimalRule::NonNegative => b.minimum(Some(0.0)),
                DecimalRule::Positive => b.exclusive_minimum(Some(0.0)),
            };
            described(b, &format!("{doc} Read and kept as an exact decimal (up to 28 significant digits)."))
        }
        Kind::Bool => described(ObjectBuilder::new().schema_type(Type::Boolean), doc),
        Kind::Date => described(string.format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))), doc),
        Kind::Timestamp => described(string.format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))), doc),
        Kind::Color => described(string.pattern(Some("^#[0-9a-fA-F]{6}$")), doc),
        Kind::Uuid => described(string.format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))), doc),
        Kind::Enum(values) => described(string.enum_values(Some(values.iter().copied())), doc),
        Kind::JsonObject { max_bytes } => described(
            ObjectBuilder::new().schema_type(Type::Object),
            &format!("{doc} At most {max_bytes} bytes serialized."),
        ),
        Kind::Objects { fields, max_items } => {
            let items = object_schema(fields, NESTED_RELAXED);
            let doc = format!("{doc} At most {max_items}.");
            return ArrayBuilder::new().items(items).max_items(Some(max_items)).description(Some(doc)).into();
        }
    };
    schema.into()
}

/// A schema that also admits `null` (an optional field of a stored record that has no value).
fn nullable(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) if object.enum_values.is_none() => {
            if let SchemaType::Type(kind) = object.schema_type {
                object.schema_type = SchemaType::Array(vec![kind, Type::Null]);
            }
            RefOr::T(Schema::Object(object))
        }
        other => OneOfBuilder::new().item(other).item(ObjectBuilder::new().schema_type(Type::Null)).into(),
    }
}

/// The schema of a required field: text must not be blank.
fn required_schema(kind: Kind, doc: &str) -> RefOr<Schema> {
    match kind {
        Kind::Text { max_bytes } => described(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(max_bytes))
                .min_length(Some(1))
                .pattern(Some(r"\S")),
            &format!("{doc} At most {max_bytes} bytes of UTF-8; not blank."),
        )
        .into(),
        kind => kind_schema(kind, doc),
    }
}

/// An object of `fields`, refusing any other key; `relaxed` fields are optional although the
/// list requires them (children nested in a parent need no parent reference and default its
/// external_source).
fn object_schema(fields: &[Field], relaxed: &[&str]) -> RefOr<Schema> {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for field in fields {
        if field.required && !relaxed.contains(&field.name) {
            object = object.property(field.name, required_schema(field.kind, field.doc)).required(field.name);
        } else {
            object = object.property(field.name, kind_schema(field.kind, field.doc));
        }
    }
    RefOr::T(object.into())
}

const NESTED_RELAXED: &[&str] = &["external_source", "job_external_id", "part_external_id"];

fn json_body(schema: RefOr<Schema>, description: &str) -> Option<utoipa::openapi::request_body::RequestBody> {
    body(schema, description, Required::True)
}

/// A JSON body that may be left out (an empty body reads as `{}`).
fn optional_json_body(schema: RefOr<Schema>, description: &str) -> Option<utoipa::openapi::request_body::RequestBody> {
    body(schema, description, Required::False)
}

fn body(
    schema: RefOr<Schema>,
    description: &str,
    required: Required,
) -> Option<utoipa::openapi::request_body::RequestBody> {
    Some(
        RequestBodyBuilder::new()
            .description(Some(description))
            .required(Some(required))
            .content(JSON, ContentBuilder::new().schema(Some(schema)).build())
            .build(),
    )
}

fn response(description: &str, schema: RefOr<Schema>) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(JSON, ContentBuilder::new().schema(Some(schema)).build())
        .build()
}

/// Adds the error answers an operation can give.
fn errors(mut op: OperationBuilder, codes: &[(u16, &str)]) -> OperationBuilder {
    for (code, why) in codes {
        op = op.response(code.to_string(), response(why, reference("ErrorEnvelope")));
    }
    op
}

const AUTH_ERRORS: [(u16, &str); 3] = [
    (401, "Missing, malformed, unknown or revoked API key."),
    (429, "Rate limit exceeded; see Retry-After."),
    (500, "Internal error (nothing internal is disclosed)."),
];

fn with_auth_errors(op: OperationBuilder, codes: &[(u16, &str)]) -> OperationBuilder {
    errors(errors(op, codes), &AUTH_ERRORS)
}

fn success(data: RefOr<Schema>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("success", ObjectBuilder::new().schema_type(Type::Boolean))
        .required("success")
        .property("data", data)
        .required("data")
        .into()
}

fn tag(name: &str, description: &str) -> Tag {
    TagBuilder::new().name(name).description(Some(description)).build()
}

/// A sync's `data`: the seed's fields, and the record under its entity's name.
fn sync_answer() -> RefOr<Schema> {
    AllOfBuilder::new()
        .item(reference(SyncOutcome::name().as_ref()))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "The whole record, as GET reads it, under `cell`, `resource`, `job`, `part` or `operation`.",
                ))
                .additional_properties(Some(AdditionalProperties::FreeForm(true))),
        )
        .into()
}

/// Builds the whole document.
pub fn document() -> OpenApi {
    let components = ComponentsBuilder::new()
        .schema_from::<ErrorEnvelope>()
        .schema_from::<ErrorBody>()
        .schema_from::<ErrorDetail>()
        .schema_from::<Cell>()
        .schema_from::<Resource>()
        .schema_from::<Job>()
        .schema_from::<Part>()
        .schema_from::<Operation>()
        .schema_from::<Operator>()
        .schema_from::<SyncOutcome>()
        .schema_from::<SyncAction>()
        .schema_from::<BulkSummary>()
        .schema_from::<BulkLine>()
        .schema_from::<ErrorAction>()
        .schema_from::<Pagination>()
        .schema_from::<DiffSummary>()
        .schema_from::<DiffResult>()
        .schema_from::<NestedChange>()
        .schema_from::<FieldChange>()
        .schema_from::<ItemsSummary>()
        .schema_from::<ItemsResults>()
        .schema_from::<ItemError>()
        .schema("SyncResponse", success(sync_answer()))
        .schema(
            "BulkResponse",
            success(
                OneOfBuilder::new()
                    .item(reference("BulkSummary"))
                    .item(reference("ItemsSummary"))
                    .description(Some(
                        "`BulkSummary` (one result per record) for a body under the entity's name, as seed 000 \
                         shows; `ItemsSummary` (counts and the failed records) for a body under `items`, as the \
                         reference's newer clients read it.",
                    ))
                    .into(),
            ),
        )
        .security_scheme(
            "apiKey",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("ery_live_<32 hex>").build(),
            ),
        );
    let (paths, components) = erp_paths(PathsBuilder::new(), components, "");
    let (paths, components) = erp_paths(paths, components, "/functions/v1");
    let (paths, components) = master_paths(paths, components);
    let (paths, components) = event_paths(paths, components);
    let (paths, components) = webhook_paths(paths, components);
    let (paths, components) = shop_floor_paths(paths, components);
    let (paths, components) = lifecycle_paths(paths, components);
    let open = |summary: &str| OperationBuilder::new().summary(Some(summary)).security(SecurityRequirement::default());
    let paths = paths
        .path(
            "/health",
            PathItem::new(
                HttpMethod::Get,
                open("Liveness and database check (no key needed)")
                    .tag("Operations")
                    .response("200", ResponseBuilder::new().description("Serving."))
                    .response("503", ResponseBuilder::new().description("The database does not answer.")),
            ),
        )
        .path(
            "/openapi.json",
            PathItem::new(
                HttpMethod::Get,
                open("This document (no key needed)")
                    .tag("Operations")
                    .response("200", ResponseBuilder::new().description("The OpenAPI document.")),
            ),
        )
        .path(
            "/docs",
            PathItem::new(
                HttpMethod::Get,
                open("This document as an interactive reference, with try-it-out (no key needed)")
                    .tag("Operations")
                    .response("200", ResponseBuilder::new().description("An HTML page; its files are under /docs/.")),
            ),
        )
        .path(
            "/metrics",
            PathItem::new(
                HttpMethod::Get,
                open("Metrics in Prometheus's text format (no key needed)")
                    .tag("Operations")
                    .description(Some(
                        "Requests by route template and status with a latency histogram, records synced by entity \
                         and action, events appended, webhook deliveries by outcome and the age of the oldest \
                         pending one, rate-limit refusals, database pool use. See docs/ARCHITECTURE.md.",
                    ))
                    .response(
                        "200",
                        ResponseBuilder::new().description("text/plain; version=0.0.4 (the Prometheus text format)."),
                    ),
            ),
        );
    let mut document = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Takt")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Takt, an open manufacturing execution system. Two dialects: the ERP sync API (`/api-*`, also under \
                     `/functions/v1`) and the master-data API (`/api/{Entity}/{Action}`). Every API path needs \
                     `Authorization: Bearer <key>`; every authenticated response carries X-RateLimit-Limit, \
                     X-RateLimit-Remaining and X-RateLimit-Reset.",
                ))
                .build(),
        )
        .paths(with_idempotency_keys(paths.build()))
        .components(Some(components.build()))
        .security(Some([SecurityRequirement::new("apiKey", Vec::<String>::new())]))
        .tags(Some([
            tag(ERP_TAG, "Seed 000: jobs, parts, operations, cells and resources, synced by (external_source, external_id)."),
            tag(MASTER_TAG, "Seeds 003 and 004: products, BoMs, versions and their reference data, with integer ids."),
            tag("Events", "Every change, as a feed to page through and a live stream."),
            tag("Webhooks", "Every matching event POSTed to a URL, signed as Standard Webhooks defines it, retried."),
            tag("Shop floor", "Issues (with standstill holds), substeps and scrap reasons."),
            tag("Operations", "Running Takt."),
        ]))
        .build();
    shared_errors(&mut document);
    document
}

/// Adds the answers every operation of a kind can give, where it does not say them itself: a
/// body that is not JSON or too large (`400`, `413`), a path segment that cannot be decoded
/// (`400`).
fn shared_errors(document: &mut OpenApi) {
    for (path, item) in document.paths.paths.iter_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let mut add = |code: &str, why: &str| {
                operation
                    .responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| RefOr::T(response(why, reference("ErrorEnvelope"))));
            };
            if operation.request_body.is_some() {
                add("400", "Body is not JSON, or not sent as application/json.");
                add("413", "Body over the size limit.");
            }
            if path.contains('{') {
                add("400", "A path segment is not valid percent-encoded UTF-8.");
            }
        }
    }
}
