//! The master-data dialect's paths and schemas.

use super::*;

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
        let schema = kind_schema(kind, field.field.doc);
        let schema = if field.field.required { schema } else { nullable(schema) };
        object = object.property(field.name(), schema).required(field.name());
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

pub(super) fn master_paths(
    mut paths: PathsBuilder,
    mut components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
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
                                .request_body(optional_json_body(
                                    reference(&format!("{name}Filters")),
                                    "Filters; may be empty, or left out.",
                                ))
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
                                (408, "Body arrived too slowly; nothing written."),
                                (415, "Content-Encoding other than gzip; nothing written."),
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
                                (408, "Body arrived too slowly; nothing written."),
                                (415, "Content-Encoding other than gzip; nothing written."),
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
