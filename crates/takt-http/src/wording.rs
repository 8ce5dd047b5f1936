//! The words for the store's facts: the sentences, JSON paths and kinds (`404`, `409`, `422`)
//! that API answers, bulk result lines and the command line show.

use takt_domain::erp::ErpEntity;
use takt_domain::error::{FieldError, Invalid};
use takt_domain::master_data::EntityKind;
use takt_domain::text::capitalize;
use takt_store::StoreError;
use takt_store::error::{Act, At, Blocked, Entity, Lookup, Missing, NotReady, User};

/// A fact in words, by the kind of answer it makes.
pub(crate) enum Worded {
    NotFound {
        message: String,
        details: Vec<FieldError>,
    },
    Conflict(String),
    /// A conflict with a code of its own (`WIP_LIMIT_REACHED`).
    Blocked {
        code: &'static str,
        message: String,
    },
    /// A lifecycle move the record's status does not allow (`400 INVALID_STATE_TRANSITION`).
    Refused(String),
    Invalid(Invalid),
}

/// The words for a fact; `None` for the failures that are not about the request (an expired
/// cursor, an unavailable or busy database, an internal error).
pub(crate) fn word(error: &StoreError) -> Option<Worded> {
    Some(match error {
        StoreError::Missing(missing) => missing_words(missing),
        StoreError::Taken { entity, field, value } => Worded::Conflict(taken(*entity, *field, value.as_deref())),
        StoreError::Raced { entity } => Worded::Conflict(format!(
            "another {} with the same unique values was written at the same time; retry",
            entity.spec().label
        )),
        StoreError::Duplicate { table, columns } => {
            Worded::Conflict(format!("a record with the same {} already exists in {table}", columns.join(", ")))
        }
        StoreError::ForeignKey => {
            Worded::Conflict("the record is in use, or references a record that no longer exists".to_owned())
        }
        StoreError::InUse { entity, title, users } => Worded::Conflict(match users.as_slice() {
            [] => format!("{} {title} is in use", capitalize(entity.spec().label)),
            users => format!("{} {title} is used by {}", capitalize(entity.spec().label), join_and(users)),
        }),
        StoreError::BuiltIn { entity, title, act } => Worded::Conflict(format!(
            "{} {title} is built in and cannot be {}",
            capitalize(entity.spec().label),
            if *act == Act::Rename { "renamed" } else { "deleted" }
        )),
        StoreError::Frozen { version, status, next, blocked } => {
            let what = match blocked {
                Blocked::Field(field) => format!("its {field} cannot change"),
                Blocked::Slots => "its slots cannot change".to_owned(),
                Blocked::Status(to) => format!("it cannot go back to {to}"),
            };
            Worded::Conflict(format!(
                "BoM version '{version}' is {status} and frozen: {what}; create a new version ({next}) instead"
            ))
        }
        StoreError::Started { title, status, act } => Worded::Conflict(format!(
            "{} {title} is {status}: {}",
            capitalize(EntityKind::Schedule.spec().label),
            if *act == Act::Delete {
                "only a schedule that has not started can be deleted"
            } else {
                "its status only moves forward (scheduled, started, completed)"
            }
        )),
        StoreError::Unapproved { recipe, version, status } => Worded::Conflict(format!(
            "recipe '{recipe}' uses BoM version '{version}', which is {status}: approve it before scheduling"
        )),
        StoreError::WrongProduct { bom, at } => Worded::Invalid(Invalid::one(
            path(at),
            format!("is a version of BoM '{bom}', which builds another product than this recipe's"),
        )),
        StoreError::NotNested { parent, at } => Worded::Invalid(Invalid::one(
            path(at),
            format!("must be the id of the {} it is nested in", parent.singular()),
        )),
        StoreError::Owned { entity, external_id, owner, owner_external_id, at } => {
            let (entity, owner) = (entity.singular(), owner.singular());
            Worded::Conflict(format!(
                "{}: {entity} '{external_id}' belongs to {owner} '{owner_external_id}'; a nested sync does not move it \
                 (sync the {entity} on its own, naming its new {owner}, to move it); nothing was written",
                path(at)
            ))
        }
        StoreError::Disagree { entity, at, other } => {
            Worded::Invalid(Invalid::one(path(at), format!("names a different {} than {other}", entity.singular())))
        }
        StoreError::ByLifecycle { entity, external_id, status, given, at } => Worded::Blocked {
            code: "STATUS_BY_LIFECYCLE",
            message: by_lifecycle(*entity, external_id, status, given, at),
        },
        StoreError::Refused(refused) => Worded::Refused(refused.to_string()),
        StoreError::Ledger { id, reason } => Worded::Conflict(format!(
            "quantity entry {id} cannot be corrected: {reason}; the ledger keeps every entry, correct the entry \
             that is in effect"
        )),
        StoreError::NotReady { operation, reason } => not_ready(operation, reason),
        StoreError::Ambiguous { entity, by, matches, more, at } => ambiguous(*entity, by, matches, *more, at.as_ref()),
        StoreError::Invalid(invalid) => Worded::Invalid(invalid.clone()),
        StoreError::CursorExpired { .. }
        | StoreError::Unavailable(_)
        | StoreError::Busy(_)
        | StoreError::Internal(_) => return None,
    })
}

/// The error as one sentence, for the command line.
pub fn sentence(error: &StoreError) -> String {
    match word(error) {
        Some(
            Worded::NotFound { message, .. }
            | Worded::Conflict(message)
            | Worded::Blocked { message, .. }
            | Worded::Refused(message),
        ) => message,
        Some(Worded::Invalid(invalid)) => invalid.summary(),
        None => error.to_string(),
    }
}

/// A short sentence for a bulk result line: every field when several are named.
pub fn summary(error: &StoreError) -> String {
    match (error, word(error)) {
        (_, Some(Worded::NotFound { message, details })) if details.len() > 1 => {
            let all: Vec<_> = details.iter().map(|d| format!("{} {}", d.field, d.message)).collect();
            format!("{message}: {}", all.join("; "))
        }
        (StoreError::Internal(_), _) => "internal error".to_owned(),
        _ => sentence(error),
    }
}

/// Why a sync or update may not set a status.
fn by_lifecycle(entity: ErpEntity, external_id: &str, status: &str, given: &str, at: &At) -> String {
    let how = match entity {
        ErpEntity::Job => "moves only through POST /api-job-lifecycle/{start|stop|pause|resume|complete}?id=",
        ErpEntity::Part => {
            "rolls up from its operations, which move through POST \
             /api-operation-lifecycle/{start|pause|resume|complete}?id="
        }
        _ => "moves only through POST /api-operation-lifecycle/{start|pause|resume|complete}?id=",
    };
    let entity = entity.singular();
    format!(
        "{}: {entity} '{external_id}' is {status}, and a sync does not set it to {given}: its status {how}; \
         nothing was written",
        path(at)
    )
}

/// Why an operation may not start, with the code a client can act on.
fn not_ready(operation: &str, reason: &NotReady) -> Worded {
    let (code, message) = match reason {
        NotReady::Predecessor { external_id, operation_name, sequence, status } => (
            "SEQUENCE_ENFORCED",
            format!(
                "Cannot start operation '{operation}': its cell enforces the routing order and operation \
                 '{external_id}' ({operation_name}{}) is {status}; complete it first.",
                sequence.map(|s| format!(", sequence {s}")).unwrap_or_default()
            ),
        ),
        NotReady::WipLimit { cell, limit } => (
            "WIP_LIMIT_REACHED",
            format!(
                "Cannot start operation '{operation}': cell '{cell}' already has {limit} operation{} in progress, \
                 its WIP limit.",
                if *limit == 1 { "" } else { "s" }
            ),
        ),
        NotReady::Held => (
            "OPERATION_HELD",
            format!("Cannot start operation '{operation}': an open issue causes a standstill; close it first."),
        ),
    };
    Worded::Blocked { code, message }
}

/// The JSON path of a field.
fn path(at: &At) -> String {
    at.within.field(at.field)
}

fn label(entity: Entity) -> &'static str {
    match entity {
        Entity::Erp(entity) => entity.singular(),
        Entity::Master(kind) => kind.spec().label,
        Entity::Key => "key",
        Entity::Tenant => "tenant",
        Entity::Collection(kind) => kind.collection().label,
    }
}

fn plural(entity: Entity) -> &'static str {
    match entity {
        Entity::Erp(entity) => entity.plural(),
        Entity::Master(kind) => kind.spec().plural,
        Entity::Key => "keys",
        Entity::Tenant => "tenants",
        Entity::Collection(kind) => kind.collection().plural,
    }
}

/// How a record was looked for: `with id 7`, `named 'X'`, ...
fn lookup(by: &Lookup) -> String {
    match by {
        Lookup::Uuid(id) => format!("with id {id}"),
        Lookup::Id(id) => format!("with id {id}"),
        Lookup::Name(name) => format!("named '{name}'"),
        Lookup::Pattern(pattern) => format!("matches '{pattern}'"),
        Lookup::ExternalId { external_id, source } => format!("with external_id '{external_id}' from '{source}'"),
        Lookup::Prefix(prefix) => format!("starts with {prefix}"),
        Lookup::Property { name, of } => format!("named '{name}' for {}", of.spec().name),
    }
}

/// `Product with id 7 does not exist` for a record asked for by id, else `no cell named 'X'`.
fn missing_sentence(missing: &Missing) -> String {
    match (missing.entity, &missing.by, &missing.at) {
        (Entity::Master(kind), Lookup::Id(id), None) => {
            format!("{} with id {id} does not exist", capitalize(kind.spec().label))
        }
        (entity, by, _) => format!("no {} {}", label(entity), lookup(by)),
    }
}

/// Records that do not exist, each at its field: one says its own sentence (an ERP one with
/// its path first, since a bulk result line shows only the message), several are counted.
fn missing_words(missing: &[Missing]) -> Worded {
    let details =
        missing.iter().filter_map(|m| m.at.as_ref().map(|at| FieldError::new(path(at), missing_sentence(m)))).collect();
    let message = match missing {
        [one] => match (&one.entity, &one.at) {
            (Entity::Erp(_), Some(at)) => format!("{}: {}", path(at), missing_sentence(one)),
            _ => missing_sentence(one),
        },
        many if many.iter().all(|m| matches!(m.by, Lookup::Property { .. })) => {
            format!("{} properties have no definition", many.len())
        }
        many => format!("{} references name records that do not exist", many.len()),
    };
    Worded::NotFound { message, details }
}

/// `cell name 'X' is already used by another cell`, `Product 'X' already exists`, ...
fn taken(entity: Entity, field: Option<&str>, value: Option<&str>) -> String {
    match entity {
        Entity::Key => "a key with the same lookup prefix exists; create another key".to_owned(),
        Entity::Erp(erp) => {
            let what = match field {
                Some("name") | None => format!("{} name", erp.singular()),
                Some(field) => field.to_owned(),
            };
            match value {
                Some(value) => format!("{what} '{value}' is already used by another {}", erp.singular()),
                None => format!("a {what} is already used by another {}", erp.singular()),
            }
        }
        Entity::Collection(kind) => {
            let (label, what) = (kind.collection().label, field.unwrap_or("value"));
            match value {
                Some(value) => format!("{label} {what} '{value}' is already used by another {label}"),
                None => format!("a {label} {what} is already used by another {label}"),
            }
        }
        Entity::Master(_) | Entity::Tenant => {
            let label = capitalize(label(entity));
            match (field, value) {
                (Some("name"), Some(value)) => format!("{label} '{value}' already exists"),
                (Some(field), Some(value)) => format!("{label} with {field} '{value}' already exists"),
                (None, Some(title)) => format!("{label} {title} already exists"),
                (_, None) => format!("{label} already exists"),
            }
        }
    }
}

/// `'St%' matches 2 materials ('a', 'b'); it must match exactly one`; for a key prefix, a conflict.
fn ambiguous(entity: Entity, by: &Lookup, matches: &[String], more: bool, at: Option<&At>) -> Worded {
    let given = match by {
        Lookup::Name(text) | Lookup::Pattern(text) | Lookup::Prefix(text) => text.as_str(),
        other => unreachable!("a lookup {other:?} matches one record at most"),
    };
    if entity == Entity::Key {
        return Worded::Conflict(format!(
            "{given} matches {} keys ({}); give more characters",
            matches.len(),
            matches.join(", ")
        ));
    }
    let mut names: Vec<String> = matches.iter().map(|n| format!("'{n}'")).collect();
    names.sort();
    let count = if more { format!("{} or more", matches.len()) } else { matches.len().to_string() };
    Worded::Invalid(Invalid::one(
        at.map(path).unwrap_or_default(),
        format!("'{given}' matches {count} {} ({}); it must match exactly one", plural(entity), names.join(", ")),
    ))
}

/// `BoM 'BRK-A'`, `2 recipes`, joined: `a`, `a and b`, `a, b and c`.
fn join_and(users: &[User]) -> String {
    let items: Vec<String> = users
        .iter()
        .map(|user| {
            let spec = user.entity.spec();
            match (user.count, &user.title) {
                (1, Some(title)) => format!("{} {title}", spec.label),
                (1, None) => format!("{} #{}", spec.label, user.first),
                (n, _) => format!("{n} {}", spec.plural),
            }
        })
        .collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use takt_domain::erp::ErpEntity;
    use takt_domain::error::Path;

    use super::*;

    fn conflict(error: StoreError) -> String {
        match word(&error) {
            Some(Worded::Conflict(message)) => message,
            _ => panic!("not a conflict: {error:?}"),
        }
    }

    #[test]
    fn words_taken_values() {
        let cell = |value: Option<&str>| StoreError::Taken {
            entity: Entity::Erp(ErpEntity::Cell),
            field: Some("name"),
            value: value.map(str::to_owned),
        };
        assert_eq!(conflict(cell(Some("Saw"))), "cell name 'Saw' is already used by another cell");
        assert_eq!(conflict(cell(None)), "a cell name is already used by another cell");
        let job = StoreError::Taken { entity: Entity::Erp(ErpEntity::Job), field: Some("job_number"), value: None };
        assert_eq!(conflict(job), "a job_number is already used by another job");
        let key = StoreError::Taken { entity: Entity::Key, field: Some("lookup_prefix"), value: None };
        assert_eq!(conflict(key), "a key with the same lookup prefix exists; create another key");
        assert_eq!(
            conflict(StoreError::Raced { entity: EntityKind::Product }),
            "another product with the same unique values was written at the same time; retry"
        );
        assert_eq!(
            conflict(StoreError::ForeignKey),
            "the record is in use, or references a record that no longer exists"
        );
    }

    #[test]
    fn words_ambiguous_names_and_missing_properties() {
        let ambiguous = StoreError::Ambiguous {
            entity: Entity::Master(EntityKind::Product),
            by: Lookup::Pattern("B%".into()),
            matches: ["b6", "b2", "b3", "b4", "b5", "b1"].map(str::to_owned).to_vec(),
            more: true,
            at: Some(At::field("product")),
        };
        assert_eq!(
            summary(&ambiguous),
            "product 'B%' matches 6 or more products ('b1', 'b2', 'b3', 'b4', 'b5', 'b6'); it must match exactly one"
        );
        let property = |index| Missing {
            entity: Entity::Master(EntityKind::PropertyDefinition),
            by: Lookup::Property { name: format!("p{index}"), of: EntityKind::Product },
            at: Some(At { within: Path::root().element("properties", index), field: "name" }),
        };
        let missing = StoreError::Missing(vec![property(0), property(1)]);
        assert_eq!(
            summary(&missing),
            "2 properties have no definition: properties[0].name no property definition named 'p0' for Product; \
             properties[1].name no property definition named 'p1' for Product"
        );
    }

    #[test]
    fn words_an_erp_reference_with_its_path() {
        let missing = StoreError::missing(
            Entity::Erp(ErpEntity::Cell),
            Lookup::Name("Saw".into()),
            Some(At { within: Path::root().element("parts", 0).element("operations", 1), field: "cell_name" }),
        );
        assert_eq!(summary(&missing), "parts[0].operations[1].cell_name: no cell named 'Saw'");
        let other = StoreError::WrongProduct { bom: "BRK".into(), at: At::field("bomVersionId") };
        assert_eq!(
            summary(&other),
            "bomVersionId is a version of BoM 'BRK', which builds another product than this recipe's"
        );
    }
}
