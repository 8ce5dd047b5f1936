//! What can go wrong in the store, as facts: which record was looked for and not found, which
//! unique value is taken, which record is in use or frozen. The edge (`takt-http`) words them.

use takt_domain::erp::ErpEntity;
use takt_domain::error::{Invalid, Path};
use takt_domain::master_data::EntityKind;
use takt_domain::shop_floor::RefusedMove;
use takt_domain::shop_floor::collection::CollectionKind;
use uuid::Uuid;

use crate::sql::DbError;

/// What a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Erp(ErpEntity),
    Master(EntityKind),
    Key,
    Tenant,
    /// A record of a shop-floor collection (an issue, a scrap reason).
    Collection(CollectionKind),
}

/// How a record was looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// By its Takt id (an ERP record).
    Uuid(Uuid),
    /// By its integer id (a master-data record).
    Id(i64),
    Name(String),
    /// By a name with `%` wildcards.
    Pattern(String),
    ExternalId {
        external_id: String,
        source: String,
    },
    /// By the start of a key's lookup prefix.
    Prefix(String),
    /// A property definition by name, among those for the records of `of`.
    Property {
        name: String,
        of: EntityKind,
    },
}

/// A field of a request body: `field` of the object at `within`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub within: Path,
    pub field: &'static str,
}

impl At {
    /// A field at the top of the body.
    pub fn field(field: &'static str) -> At {
        At { within: Path::root(), field }
    }
}

/// A record looked for and not found, and the field that named it, if one did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub entity: Entity,
    pub by: Lookup,
    pub at: Option<At>,
}

/// Records of `entity` that use another: how many, the first's id, and its title when only one does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub entity: EntityKind,
    pub count: i64,
    pub first: i64,
    pub title: Option<String>,
}

/// What a rule refused to let happen to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Rename,
    Delete,
    /// A change of status.
    Move,
}

/// What a frozen BoM version keeps from changing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    Field(&'static str),
    Slots,
    /// Going back to this status.
    Status(String),
}

/// A store failure.
/// Why an operation may not start now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// Its cell enforces the routing order and an earlier operation of its part is not completed.
    Predecessor { external_id: String, operation_name: String, sequence: Option<i64>, status: String },
    /// Its cell already has `limit` operations in progress.
    WipLimit { cell: String, limit: i64 },
    /// An open issue causes a standstill.
    Held,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// Records (or records a request references) that do not exist in this tenant; never empty.
    #[error("missing: {0:?}")]
    Missing(Vec<Missing>),
    /// A unique value another record holds: `field` (none for a set of fields, then `value` is
    /// the record's title) and `value` (none when several records were written at once).
    #[error("taken: {entity:?} {field:?} {value:?}")]
    Taken { entity: Entity, field: Option<&'static str>, value: Option<String> },
    /// Another transaction wrote a record with the same unique values at the same time.
    #[error("raced: {entity:?}")]
    Raced { entity: EntityKind },
    /// A unique constraint refused a write; `columns` as the engine reports them.
    #[error("duplicate in {table}({})", columns.join(", "))]
    Duplicate { table: String, columns: Vec<String> },
    /// A foreign key refused a write or a delete.
    #[error("foreign key violated")]
    ForeignKey,
    /// A record others use, and who uses it (nobody known: a foreign key refused its delete).
    #[error("in use: {entity:?} {title}")]
    InUse { entity: EntityKind, title: String, users: Vec<User> },
    /// A built-in record.
    #[error("built in: {entity:?} {title} {act:?}")]
    BuiltIn { entity: EntityKind, title: String, act: Act },
    /// A BoM version approved (or later) and so frozen; `next` is a version number still free.
    #[error("frozen: {version} {status} {blocked:?}")]
    Frozen { version: String, status: String, next: String, blocked: Blocked },
    /// A schedule whose status keeps it: it only moves forward, and is deleted only before it starts.
    #[error("started: {title} {status} {act:?}")]
    Started { title: String, status: String, act: Act },
    /// A recipe to schedule whose BoM version is not approved.
    #[error("unapproved: {recipe} {version} {status}")]
    Unapproved { recipe: String, version: String, status: String },
    /// A recipe's BoM version that builds another product than the recipe, at its field.
    #[error("wrong product: {bom}")]
    WrongProduct { bom: String, at: At },
    /// A nested record's parent id that is not the record it is nested in.
    #[error("not nested: {parent:?}")]
    NotNested { parent: ErpEntity, at: At },
    /// A stored record that a nested sync names under another parent than the one it belongs
    /// to (`owner`, by its external_id); `at` is the record's `external_id` in the request.
    #[error("owned: {entity:?} {external_id} by {owner:?} {owner_external_id}")]
    Owned { entity: ErpEntity, external_id: String, owner: ErpEntity, owner_external_id: String, at: At },
    /// A status a sync or update gives that is not the record's own: only the lifecycle moves it
    /// (`at` is the record's `status` in the request).
    #[error("by lifecycle: {entity:?} {external_id} is {status}, not {given}")]
    ByLifecycle { entity: ErpEntity, external_id: String, status: String, given: String, at: At },
    /// A ledger entry that cannot be corrected (a reversal, or one reversed already).
    #[error("ledger: {id} {reason}")]
    Ledger { id: Uuid, reason: &'static str },
    /// A lifecycle action that the record's status does not allow.
    #[error("refused: {0}")]
    Refused(RefusedMove),
    /// An operation that may not start (or resume) now: `operation` is its external id.
    #[error("not ready: {operation} {reason:?}")]
    NotReady { operation: String, reason: NotReady },
    /// Two references of one record (the one `at`, and `other`) that name different records.
    #[error("disagree: {entity:?} {other}")]
    Disagree { entity: ErpEntity, at: At, other: &'static str },
    /// A name, pattern or prefix that matches several records (`more`: and maybe others).
    #[error("ambiguous: {entity:?} {by:?}")]
    Ambiguous { entity: Entity, by: Lookup, matches: Vec<String>, more: bool, at: Option<At> },
    /// Values the domain's rules refuse, in the domain's words; or a bad line of an import.
    #[error("{0}")]
    Invalid(Invalid),
    /// A feed cursor points below the events still kept.
    #[error("events after the cursor are no longer kept; the oldest kept is {oldest_seq}")]
    CursorExpired { oldest_seq: i64 },
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Transient conflicts outlasted every retry (deadlocks, a busy database).
    #[error("the database is busy: {0}")]
    Busy(String),
    /// Anything else: a bug or a database fault. Logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    /// One record (or reference) that does not exist.
    pub fn missing(entity: Entity, by: Lookup, at: Option<At>) -> StoreError {
        StoreError::Missing(vec![Missing { entity, by, at }])
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Invalid(Invalid::one(field, message))
    }
}

impl From<DbError> for StoreError {
    fn from(error: DbError) -> StoreError {
        match error {
            DbError::Unavailable(m) => StoreError::Unavailable(m),
            DbError::Retryable(m) => StoreError::Busy(m),
            DbError::Unique { table, columns } => StoreError::Duplicate { table, columns },
            DbError::ForeignKey(_) => StoreError::ForeignKey,
            other => StoreError::Internal(other.to_string()),
        }
    }
}
