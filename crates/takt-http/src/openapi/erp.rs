//! The ERP sync dialect's paths and schemas.

use super::*;

fn record_name(entity: ErpEntity) -> &'static str {
    match entity {
        ErpEntity::Cell => "Cell",
        ErpEntity::Resource => "Resource",
        ErpEntity::Job => "Job",
        ErpEntity::Part => "Part",
        ErpEntity::Operation => "Operation",
        ErpEntity::Operator => "Operator",
    }
}

pub(super) fn erp_paths(
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
                (408, "Body arrived too slowly; nothing written."),
                (415, "Content-Encoding other than gzip; nothing written."),
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
                (408, "Body arrived too slowly; nothing written."),
                (415, "Content-Encoding other than gzip; nothing written."),
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
                "status" if entity == ErpEntity::Resource => (Kind::Enum(takt_domain::erp::RESOURCE_STATUSES), ""),
                "status" => (Kind::Enum(takt_domain::erp::JOB_STATUSES), "Any case."),
                "type" => (Kind::Enum(takt_domain::erp::RESOURCE_TYPES), "Any case."),
                "active" => (Kind::Bool, ""),
                "customer" | "job_number" => (Kind::Text { max_bytes: 255 }, "Case-insensitive substring."),
                "sort" => (
                    Kind::Enum(query::sort_fields(entity)),
                    "Order by this field (empty values last); ties by creation.",
                ),
                "order" => (Kind::Enum(&["asc", "desc"]), "Default asc."),
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
        paths = record_paths(paths, entity, &base, &op_id);
    }
    let (paths, components) = diff_paths(paths, components, prefix);
    (paths, components)
}

/// Records without an ERP: `POST` creates, `PATCH`/`PUT` and `DELETE` by `?id=` or `/{id}`.
fn record_paths(
    mut paths: PathsBuilder,
    entity: ErpEntity,
    base: &str,
    op_id: &dyn Fn(&str) -> String,
) -> PathsBuilder {
    let record = record_name(entity);
    let request = reference(&format!("{record}SyncRequest"));
    let one = success(reference(record));
    let id = |at: ParameterIn| {
        ParameterBuilder::new()
            .name("id")
            .parameter_in(at)
            .required(Required::True)
            .schema(Some(kind_schema(Kind::Uuid, "The record's Takt id.")))
            .build()
    };
    let create = OperationBuilder::new()
        .tag(ERP_TAG)
        .operation_id(Some(op_id("create")))
        .summary(Some(format!("Create one {}", entity.singular())))
        .description(Some(
            "Like a sync, but the sync key may be left out: external_id defaults to the new record's id, \
             external_source to the parent's (nested) or `takt`; a sync key that exists is taken (409). A job \
             carries nested parts[].operations[], written in one transaction; an operation may name no cell yet.",
        ))
        .request_body(json_body(request.clone(), "The record."))
        .response("201", response("Created: the record, id first, nested children in order.", one.clone()));
    let create = with_auth_errors(
        create,
        &[
            (400, "Body is not JSON, or wrong content type."),
            (404, "A referenced record does not exist."),
            (409, "A unique value or the sync key is taken."),
            (422, "Invalid fields, listed by JSON path."),
        ],
    );
    let update = |name: &str, at: ParameterIn| {
        let op = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id(name)))
            .summary(Some(format!("Update the fields given of one {}", entity.singular())))
            .description(Some(
                "A field left out keeps its value, null clears an optional one; the sync key and nested children \
                 are not changed here. A status other than the record's is 409 STATUS_BY_LIFECYCLE.",
            ))
            .parameter(id(at))
            .request_body(json_body(request.clone(), "The fields to change (none is required)."))
            .response("200", response("The record as it now is.", one.clone()));
        with_auth_errors(
            op,
            &[
                (404, "No such record in this tenant, or a referenced record does not exist."),
                (409, "A unique value is taken, or the status is the lifecycle's."),
                (422, "Invalid fields, listed by JSON path."),
            ],
        )
    };
    let delete = |name: &str, at: ParameterIn| {
        let op = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id(name)))
            .summary(Some(format!("Delete one {} (softly)", entity.singular())))
            .description(Some(
                "The record leaves lists and reads and keeps its history; a job takes its parts and operations, a \
                 part its operations. A later sync of its sync key brings it back with the same id.",
            ))
            .parameter(id(at))
            .response(
                "200",
                response(
                    "Deleted: {\"id\", \"deleted\": true}.",
                    success(ObjectBuilder::new().schema_type(Type::Object).into()),
                ),
            );
        with_auth_errors(op, &[(404, "No such record in this tenant."), (422, "No id.")])
    };
    let mut by_query = PathItem::new(HttpMethod::Post, create);
    by_query.patch = Some(update("update", ParameterIn::Query).build());
    by_query.put = Some(update("replaceFields", ParameterIn::Query).build());
    by_query.delete = Some(delete("delete", ParameterIn::Query).build());
    let mut by_path = PathItem::new(HttpMethod::Patch, update("updateById", ParameterIn::Path));
    by_path.put = Some(update("replaceFieldsById", ParameterIn::Path).build());
    by_path.delete = Some(delete("deleteById", ParameterIn::Path).build());
    paths = paths.path(base, by_query).path(format!("{base}/{{id}}"), by_path);
    paths
}

/// `POST /api-erp-sync/diff` and `/api-erp-sync/diff/{entity}`.
fn diff_paths(
    paths: PathsBuilder,
    mut components: ComponentsBuilder,
    prefix: &str,
) -> (PathsBuilder, ComponentsBuilder) {
    if prefix.is_empty() {
        let mut body = ObjectBuilder::new().schema_type(Type::Object).description(Some(format!(
            "Any bulk-sync body (`{{\"jobs\": [...]}}`, `{{\"items\": [...]}}`, ...), at most {MAX_BULK_RECORDS} records; \
             `entity` names the entity unless the path does."
        )));
        body = body.property("entity", kind_schema(Kind::Enum(&ErpEntity::PLURALS), ""));
        for entity in ErpEntity::ALL {
            let request = format!("{}SyncRequest", record_name(entity));
            body = body.property(
                entity.plural(),
                ArrayBuilder::new().items(reference(&request)).max_items(Some(MAX_BULK_RECORDS)),
            );
        }
        body = body.property(
            "items",
            ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Object)).max_items(Some(MAX_BULK_RECORDS)),
        );
        components = components.schema("DiffRequest", body).schema("DiffResponse", success(reference("DiffSummary")));
    }
    let op_id = |name: &str| format!("{}{name}", if prefix.is_empty() { "" } else { "functions_" });
    let operation = |name: &str| {
        let op = OperationBuilder::new()
            .tag(ERP_TAG)
            .operation_id(Some(op_id(name)))
            .summary(Some("What a bulk sync of this body would do to each record; writes nothing"))
            .description(Some(
                "Each record is `create`, `update` (with each field that would change, old and new, and the nested \
                 records that would be created or change), `unchanged`, or `error` with the error the sync would give. \
                 The sync's own code finds it, in a transaction that is rolled back.",
            ))
            .request_body(json_body(reference("DiffRequest"), "A bulk-sync body."))
            .response("200", response("One result per record, in request order.", reference("DiffResponse")));
        with_auth_errors(
            op,
            &[
                (400, "Body is not JSON."),
                (404, "No such entity."),
                (413, "Over the size limit or over 1000 records."),
                (422, "No record array, or no entity."),
            ],
        )
    };
    let by_path = operation("diffByEntity").parameter(
        ParameterBuilder::new()
            .name("entity")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .schema(Some(kind_schema(Kind::Enum(&ErpEntity::PLURALS), ""))),
    );
    let paths = paths
        .path(format!("{prefix}/api-erp-sync/diff"), PathItem::new(HttpMethod::Post, operation("diff")))
        .path(format!("{prefix}/api-erp-sync/diff/{{entity}}"), PathItem::new(HttpMethod::Post, by_path));
    (paths, components)
}
