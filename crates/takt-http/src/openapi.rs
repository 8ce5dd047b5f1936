//! The OpenAPI 3.1 document, generated from the same field lists and entity descriptions that
//! parse requests and render records, so it cannot drift from what the server does.

use std::sync::LazyLock;

use axum::Json;
use serde_json::Value;
use takt_domain::erp::records::{Cell, Job, Operation, Part, Resource, SyncAction, SyncOutcome};
use takt_domain::erp::{ErpEntity, MAX_BULK_RECORDS, query};
use takt_domain::master_data::input::{COPY_FIELDS, PROPERTY_FIELDS, filter_names};
use takt_domain::master_data::{ALL, EntityKind, EntitySpec, RefBy};
use takt_domain::schema::{DecimalRule, Field, Kind};
use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathsBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ComponentsBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required, ResponseBuilder, Tag,
};

use crate::erp::responses::{BulkLine, BulkSummary, ErrorAction, Pagination};
use crate::error::{ErrorBody, ErrorDetail, ErrorEnvelope};
use crate::master::Action;

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
        Kind::Objects(fields) => {
            let items = object_schema(fields, NESTED_RELAXED);
            return ArrayBuilder::new().items(items).description(Some(doc.to_owned())).into();
        }
    };
    schema.into()
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
    Some(
        RequestBodyBuilder::new()
            .description(Some(description))
            .required(Some(Required::True))
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

fn record_name(entity: ErpEntity) -> &'static str {
    match entity {
        ErpEntity::Cell => "Cell",
        ErpEntity::Resource => "Resource",
        ErpEntity::Job => "Job",
        ErpEntity::Part => "Part",
        ErpEntity::Operation => "Operation",
    }
}

fn erp_paths(
    mut paths: PathsBuilder,
    mut components: ComponentsBuilder,
    prefix: &str,
) -> (PathsBuilder, ComponentsBuilder) {
    for entity in ErpEntity::ALL {
        let plural = entity.plural();
        let record = record_name(entity);
        let base = format!("{prefix}/api-{plural}");
        let op_id = |action: &str| format!("{}{action}{}", if prefix.is_empty() { "" } else { "functions_" }, record);
        let request = format!("{record}SyncRequest");
        if prefix.is_empty() {
            components = components.schema(&request, object_schema(entity.fields(), &[]));
            components = components.schema(
                format!("{record}BulkRequest"),
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some(format!(
                        "At most {MAX_BULK_RECORDS} records; `items` is accepted in place of `{plural}`."
                    )))
                    .property(plural, ArrayBuilder::new().items(reference(&request)).max_items(Some(MAX_BULK_RECORDS))),
            );
        }
        let sync = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id("sync")))
            .summary(Some(format!("Create or update one {} by its sync key", entity.singular())))
            .request_body(json_body(
                reference(&request),
                "The record; fields left out keep their stored values, null clears.",
            ))
            .response("201", response("Created.", reference("SyncResponse")))
            .response("200", response("Updated.", reference("SyncResponse")));
        let sync = with_auth_errors(
            sync,
            &[
                (400, "Body is not JSON, or wrong content type."),
                (404, "A referenced record does not exist."),
                (409, "A unique value is taken by another record."),
                (413, "Body over the size limit."),
                (422, "Invalid fields, listed by JSON path."),
            ],
        );
        let bulk = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id("bulkSync")))
            .summary(Some(format!("Create or update up to {MAX_BULK_RECORDS} {plural}, each on its own")))
            .request_body(json_body(reference(&format!("{record}BulkRequest")), "The records."))
            .response("200", response("One result per record, in request order.", reference("BulkResponse")));
        let bulk = with_auth_errors(
            bulk,
            &[
                (400, "Body is not JSON."),
                (413, "Over the size limit or over 1000 records; nothing written."),
                (422, "No record array."),
            ],
        );
        let mut list = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id("list")))
            .summary(Some(format!("List {plural} (or read one with ?id=)")))
            .response("200", response("A page of records.", reference(&format!("{record}ListResponse"))));
        for name in query::list_parameters(entity) {
            let (kind, doc) = match name {
                "limit" => (Kind::Integer { min: 1, max: query::MAX_LIMIT }, "Page size, default 100."),
                "offset" => (Kind::Integer { min: 0, max: i64::MAX }, "Records to skip."),
                "search" => (Kind::Text { max_bytes: 255 }, "Case-insensitive substring of the names."),
                "status" if entity == ErpEntity::Job => (Kind::Enum(takt_domain::erp::JOB_STATUSES), ""),
                "status" => (Kind::Enum(takt_domain::erp::RESOURCE_STATUSES), ""),
                "id" => (Kind::Uuid, "Read this one record, as GET /{id} does; not combined with other parameters."),
                "job_id" | "part_id" | "cell_id" => (Kind::Uuid, "A Takt id."),
                _ => (Kind::Text { max_bytes: 255 }, "Exact match."),
            };
            list = list.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .schema(Some(kind_schema(kind, doc))),
            );
        }
        let list = with_auth_errors(list, &[(404, "No record with that id."), (422, "Unknown or invalid parameter.")]);
        let get = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id("get")))
            .summary(Some(format!(
                "Read one {}{}",
                entity.singular(),
                match entity {
                    ErpEntity::Job => " with its parts and their operations",
                    ErpEntity::Part => " with its operations",
                    _ => "",
                }
            )))
            .parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(kind_schema(Kind::Uuid, ""))),
            )
            .response("200", response("The record.", success(reference(record))));
        let get = with_auth_errors(get, &[(404, "No such record in this tenant.")]);
        if prefix.is_empty() {
            components = components.schema(
                format!("{record}ListResponse"),
                success(
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .property(plural, ArrayBuilder::new().items(reference(record)))
                        .property("pagination", reference("Pagination"))
                        .into(),
                ),
            );
        }
        paths = paths
            .path(format!("{base}/sync"), PathItem::new(HttpMethod::Put, sync))
            .path(format!("{base}/bulk-sync"), PathItem::new(HttpMethod::Post, bulk))
            .path(base.clone(), PathItem::new(HttpMethod::Get, list))
            .path(format!("{base}/{{id}}"), PathItem::new(HttpMethod::Get, get));
    }
    (paths, components)
}

/// The schema of a stored master-data record.
fn master_record_schema(spec: &EntitySpec) -> Schema {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "id",
            ObjectBuilder::new().schema_type(Type::Integer).format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
        )
        .required("id");
    for field in spec.fields {
        if spec.kind == EntityKind::BomVersion && field.name() == "majorVersion" {
            object = object.property("version", kind_schema(Kind::Text { max_bytes: 23 }, "\"major.minor\"."));
        }
        let kind = match field.reference {
            Some(r) if r.by == RefBy::Id => Kind::Integer { min: 1, max: i64::MAX },
            _ => field.field.kind,
        };
        object = object.property(field.name(), kind_schema(kind, field.field.doc)).required(field.name());
    }
    if spec.properties {
        object = object.property("properties", ArrayBuilder::new().items(object_schema(PROPERTY_FIELDS, &[])));
    }
    if !spec.built_in.is_empty() {
        object = object.property(
            "builtIn",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some("Created with the tenant; cannot be renamed or deleted.")),
        );
    }
    let stamp = || kind_schema(Kind::Timestamp, "");
    object.property("createdAt", stamp()).property("updatedAt", stamp()).into()
}

/// The schema of an Upsert body: every field optional in the schema; which are required on
/// create is said in the description.
fn master_upsert_schema(spec: &EntitySpec) -> Schema {
    let mut required = Vec::new();
    let mut object = ObjectBuilder::new().schema_type(Type::Object).property(
        "id",
        kind_schema(Kind::Integer { min: 1, max: i64::MAX }, "Present: update this record. Absent: create one."),
    );
    for field in spec.fields {
        if spec.kind == EntityKind::BomVersion && field.name() == "majorVersion" {
            object = object.property(
                "version",
                kind_schema(
                    Kind::Text { max_bytes: 23 },
                    "\"major.minor\", in place of majorVersion and minorVersion.",
                ),
            );
        }
        if field.field.required {
            required.push(field.name());
        }
        object = object.property(field.name(), kind_schema(field.field.kind, field.field.doc));
    }
    if spec.properties {
        object = object.property(
            "properties",
            ArrayBuilder::new().items(object_schema(PROPERTY_FIELDS, &[])).description(Some(
                "Replaces the record's properties; names must be PropertyDefinitions of this entity.",
            )),
        );
    }
    if spec.kind == EntityKind::Product {
        object = object.property(
            "sourceProductName",
            kind_schema(
                Kind::Text { max_bytes: 250 },
                "On create: a product whose fields and properties fill those left out (its name and suid excepted).",
            ),
        );
    }
    object
        .description(Some(format!(
            "Keys match case-insensitively with spaces removed. Required on create: {}.",
            if required.is_empty() { "nothing".to_owned() } else { required.join(", ") }
        )))
        .into()
}

fn master_filter_schema(spec: &EntitySpec) -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object).description(Some(
        "Every filter is an exact match, case-insensitive for text; filters combine with AND; null matches a missing value. An empty body lists everything.",
    ));
    for name in filter_names(spec) {
        let kind = match (name, spec.field(name)) {
            ("id", _) => Kind::Integer { min: 1, max: i64::MAX },
            ("version", None) => Kind::Text { max_bytes: 23 },
            (_, Some(f)) if matches!(f.reference, Some(r) if r.by == RefBy::Id) => {
                Kind::Integer { min: 1, max: i64::MAX }
            }
            (_, Some(f)) => f.field.kind,
            _ => continue,
        };
        object = object.property(name, kind_schema(kind, ""));
    }
    object
        .property(
            "limit",
            kind_schema(Kind::Integer { min: 1, max: i64::from(i32::MAX) }, "At most this many records."),
        )
        .property("offset", kind_schema(Kind::Integer { min: 0, max: i64::MAX }, "Skip this many records."))
        .into()
}

fn master_paths(mut paths: PathsBuilder, mut components: ComponentsBuilder) -> (PathsBuilder, ComponentsBuilder) {
    components = components.schema(
        "DeleteRequest",
        object_schema(&[Field::required("id", Kind::Integer { min: 1, max: i64::MAX }, "The record to delete.")], &[]),
    );
    components = components.schema("CopyRequest", object_schema(COPY_FIELDS, &[]));
    for spec in ALL.iter() {
        let name = spec.name;
        components = components
            .schema(name, master_record_schema(spec))
            .schema(format!("{name}Upsert"), master_upsert_schema(spec))
            .schema(format!("{name}Filters"), master_filter_schema(spec));
        let mut spellings = vec![name.to_owned()];
        if spec.kind == EntityKind::BomVersion {
            spellings.push("Bom Version".to_owned());
        }
        for (n, spelling) in spellings.iter().enumerate() {
            let alias = if n == 0 { "" } else { "_spaced" };
            for action in Action::ALL.into_iter().filter(|a| a.offered_by(spec.kind)) {
                let op = OperationBuilder::new().tag(MASTER_TAG).operation_id(Some(format!(
                    "{}{}{alias}",
                    action.name(),
                    name
                )));
                let (method, op) = match action {
                    Action::List => (
                        HttpMethod::Post,
                        with_auth_errors(
                            op.summary(Some(format!("List {}", spec.plural)))
                                .request_body(json_body(reference(&format!("{name}Filters")), "Filters; may be empty."))
                                .response(
                                    "200",
                                    response(
                                        "Matching records, [] when none.",
                                        ArrayBuilder::new().items(reference(name)).into(),
                                    ),
                                ),
                            &[
                                (400, "Body is not JSON."),
                                (413, "Body over the size limit."),
                                (422, "Unknown filter or wrong type."),
                            ],
                        ),
                    ),
                    Action::Upsert => (
                        HttpMethod::Put,
                        with_auth_errors(
                            op.summary(Some(format!("Create or update a {}", spec.label)))
                                .request_body(json_body(reference(&format!("{name}Upsert")), "The record's fields."))
                                .response("201", response("Created.", reference(name)))
                                .response("200", response("Updated.", reference(name))),
                            &[
                                (400, "Body is not JSON."),
                                (404, "The record, or a record it references by name, does not exist."),
                                (413, "Body over the size limit."),
                                (409, "A unique value is taken, or the record is frozen (approved BoM versions)."),
                                (422, "Invalid fields, listed by path."),
                            ],
                        ),
                    ),
                    Action::Delete => (
                        HttpMethod::Delete,
                        with_auth_errors(
                            op.summary(Some(format!("Delete a {} that nothing uses", spec.label)))
                                .request_body(json_body(reference("DeleteRequest"), "The id."))
                                .response("200", response("Deleted; the record as it was.", reference(name))),
                            &[
                                (404, "No such record in this tenant."),
                                (409, "In use; the message names who uses it."),
                                (422, "No id."),
                            ],
                        ),
                    ),
                    Action::Copy => (
                        HttpMethod::Put,
                        with_auth_errors(
                            op.summary(Some("Copy a product under a new name, suid and description"))
                                .request_body(json_body(reference("CopyRequest"), "The copy."))
                                .response("201", response("The new product.", reference(name))),
                            &[
                                (404, "The source product does not exist."),
                                (409, "The name or suid is taken."),
                                (422, "Invalid fields."),
                            ],
                        ),
                    ),
                };
                paths = paths.path(format!("/api/{spelling}/{}", action.name()), PathItem::new(method, op));
            }
        }
    }
    (paths, components)
}

fn tag(name: &str, description: &str) -> Tag {
    TagBuilder::new().name(name).description(Some(description)).build()
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
        .schema_from::<SyncOutcome>()
        .schema_from::<SyncAction>()
        .schema_from::<BulkSummary>()
        .schema_from::<BulkLine>()
        .schema_from::<ErrorAction>()
        .schema_from::<Pagination>()
        .schema("SyncResponse", success(reference(SyncOutcome::name().as_ref())))
        .schema("BulkResponse", success(reference("BulkSummary")))
        .security_scheme(
            "apiKey",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("ery_live_<32 hex>").build(),
            ),
        );
    let (paths, components) = erp_paths(PathsBuilder::new(), components, "");
    let (paths, components) = erp_paths(paths, components, "/functions/v1");
    let (paths, components) = master_paths(paths, components);
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
        );
    OpenApiBuilder::new()
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
        .paths(paths.build())
        .components(Some(components.build()))
        .security(Some([SecurityRequirement::new("apiKey", Vec::<String>::new())]))
        .tags(Some([
            tag(ERP_TAG, "Seed 000: jobs, parts, operations, cells and resources, synced by (external_source, external_id)."),
            tag(MASTER_TAG, "Seeds 003 and 004: products, BoMs, versions and their reference data, with integer ids."),
            tag("Operations", "Running Takt."),
        ]))
        .build()
}
