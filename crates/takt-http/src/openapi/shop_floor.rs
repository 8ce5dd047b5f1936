//! The shop floor's collections: paths and schemas from each collection's columns.

use takt_domain::shop_floor::collection::{Collection, Mode};

use super::*;
use crate::shop_floor::COLLECTIONS;

const SHOP_FLOOR_TAG: &str = "Shop floor";

fn uuid(doc: &str) -> RefOr<Schema> {
    kind_schema(Kind::Uuid, doc)
}

fn timestamp() -> RefOr<Schema> {
    kind_schema(Kind::Timestamp, "RFC 3339, UTC.")
}

/// A record as the API shows it: `id`, the columns, the fields computed from them, time stamps.
fn record_schema(records: &Collection) -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object).property("id", uuid("A UUID.")).required("id");
    for column in records.columns {
        let schema = kind_schema(column.field.kind, column.field.doc);
        object = if column.nullable() {
            object.property(column.name(), nullable(schema))
        } else {
            object.property(column.name(), schema).required(column.name())
        };
    }
    for shown in records.shown {
        let schema = kind_schema(shown.kind, shown.doc);
        let schema = if shown.nullable { nullable(schema) } else { schema };
        object = object.property(shown.name, schema).required(shown.name);
    }
    object
        .property("created_at", timestamp())
        .required("created_at")
        .property("updated_at", timestamp())
        .required("updated_at")
        .into()
}

/// A body of a create, a change or a sync: no other key is accepted.
fn request_schema(records: &Collection, mode: Mode) -> Schema {
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for column in records.columns {
        let strict = column.strict(mode);
        let required = strict && mode != Mode::Change;
        let schema = if strict {
            required_schema(column.field.kind, column.field.doc)
        } else {
            kind_schema(column.field.kind, column.field.doc)
        };
        let schema = if column.nullable() && !strict { nullable(schema) } else { schema };
        object = object.property(column.name(), schema);
        if required {
            object = object.required(column.name());
        }
    }
    for field in records.extra {
        object = object.property(field.name, kind_schema(field.kind, field.doc));
    }
    object.into()
}

pub(super) fn query(name: &str, schema: RefOr<Schema>) -> ParameterBuilder {
    ParameterBuilder::new().name(name).parameter_in(ParameterIn::Query).required(Required::False).schema(Some(schema))
}

/// A schema's name: `Issue`, `ScrapReason`.
fn title(records: &Collection) -> String {
    records.entity.split('_').map(takt_domain::text::capitalize).collect()
}

pub(super) fn shop_floor_paths(
    mut paths: PathsBuilder,
    mut components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
    for records in COLLECTIONS {
        let name = title(records);
        components = components
            .schema(name.clone(), record_schema(records))
            .schema(format!("{name}Create"), request_schema(records, Mode::Create))
            .schema(format!("{name}Change"), request_schema(records, Mode::Change));
        if records.synced {
            components = components.schema(format!("{name}Sync"), request_schema(records, Mode::Sync));
        }
    }
    for prefix in ["", "/functions/v1"] {
        for records in COLLECTIONS {
            paths = collection_paths(paths, records, prefix);
        }
    }
    (paths, components)
}

fn collection_paths(mut paths: PathsBuilder, records: &Collection, prefix: &str) -> PathsBuilder {
    let name = title(records);
    let label = records.label;
    let id = |action: &str| {
        let id = format!("{action}{name}");
        if prefix.is_empty() { id } else { format!("functions_{id}") }
    };
    let op = |action: &str, summary: String| {
        OperationBuilder::new().tag(SHOP_FLOOR_TAG).operation_id(Some(id(action))).summary(Some(summary))
    };
    let one = |description: &str| response(description, success(reference(&name)));
    let invalid = (422, "Invalid fields or parameters.");
    let missing = (404, "No such record in this tenant, or a reference to an operation that is not one.");
    let conflict = (409, "A unique value (a code) another record holds.");
    let path_id = || {
        ParameterBuilder::new()
            .name("id")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .schema(Some(uuid(&format!("The {label}'s id."))))
    };

    let mut list = op("list", format!("List {} (or read one with ?id=)", records.plural.replace('_', " ")))
        .parameter(query("id", uuid(&format!("Read this one {label}."))))
        .parameter(query("limit", kind_schema(Kind::Integer { min: 1, max: 1000 }, "Page size, default 100.")))
        .parameter(query("offset", kind_schema(Kind::Integer { min: 0, max: i64::MAX }, "Records to skip.")));
    for column in records.columns.iter().filter(|c| c.filter) {
        let doc = match column.except {
            Some((word, value)) => format!("Only these (case ignored); `{word}` is every value but `{value}`."),
            None => "Only these (case ignored).".to_owned(),
        };
        list = list.parameter(query(column.name(), kind_schema(column.field.kind, &doc)));
    }
    if let Some(column) = records.dated {
        let doc = |which: &str| format!("Only records whose {column} is on or {which} this day (UTC).");
        list = list
            .parameter(query("start_date", kind_schema(Kind::Date, &doc("after"))))
            .parameter(query("end_date", kind_schema(Kind::Date, &doc("before"))));
    }
    let page = success(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(records.plural, ArrayBuilder::new().items(reference(&name)))
            .property("pagination", reference("Pagination"))
            .into(),
    );
    let list = list.response("200", response("A page, and where it sits in the whole list.", page));
    let create = op("create", format!("Create a {label}"))
        .request_body(json_body(reference(&format!("{name}Create")), "The record."))
        .response("201", one("Created."));
    let change = |action: &str| {
        op(action, "Change the fields given".to_owned())
            .request_body(json_body(reference(&format!("{name}Change")), "The fields to change."))
            .response("200", one("Changed."))
    };
    let delete = |action: &str| {
        if records.ledger {
            op(action, format!("Reverse a {label}: append the entry that cancels it"))
                .response("200", one("The reversal (its counts negated, reverses_id the entry)."))
        } else {
            op(action, format!("Delete a {label}"))
                .response("200", response("Deleted.", success(ObjectBuilder::new().schema_type(Type::Object).into())))
        }
    };
    let by_query = |o: OperationBuilder| o.parameter(query("id", uuid(&format!("The {label}'s id (required)."))));
    let mut item = PathItem::new(HttpMethod::Get, with_auth_errors(list, &[missing, invalid]));
    item.post = Some(with_auth_errors(create, &[missing, conflict, invalid]).build());
    item.patch = Some(with_auth_errors(by_query(change("changeById")), &[missing, conflict, invalid]).build());
    item.put = Some(with_auth_errors(by_query(change("putById")), &[missing, conflict, invalid]).build());
    item.delete = Some(with_auth_errors(by_query(delete("deleteById")), &[missing, invalid]).build());
    paths = paths.path(format!("{prefix}{}", records.path), item);

    let get = op("get", format!("Read one {label}")).parameter(path_id()).response("200", one("The record."));
    let mut item = PathItem::new(HttpMethod::Get, with_auth_errors(get, &[missing]));
    item.patch = Some(with_auth_errors(change("change").parameter(path_id()), &[missing, conflict, invalid]).build());
    item.put = Some(with_auth_errors(change("put").parameter(path_id()), &[missing, conflict, invalid]).build());
    item.delete = Some(with_auth_errors(delete("delete").parameter(path_id()), &[missing]).build());
    paths = paths.path(format!("{prefix}{}/{{id}}", records.path), item);

    if records.synced {
        let answer = || -> RefOr<Schema> {
            AllOfBuilder::new()
                .item(reference(SyncOutcome::name().as_ref()))
                .item(ObjectBuilder::new().schema_type(Type::Object).property(records.entity, reference(&name)))
                .into()
        };
        let sync = op("sync", format!("Create or update a {label} by (external_source, external_id)"))
            .request_body(json_body(reference(&format!("{name}Sync")), "The record."))
            .response("200", response("Updated.", success(answer())))
            .response("201", response("Created.", success(answer())));
        paths = paths.path(
            format!("{prefix}{}/sync", records.path),
            PathItem::new(HttpMethod::Put, with_auth_errors(sync, &[conflict, invalid])),
        );
    }
    paths
}
