//! The SQL layer both engines share.
//!
//! Each module holds the operations on one area (`auth`: tenants and keys, `erp`, `master`,
//! `transfer`), each taking an open [`Tx`], in SQL that SQLite and PostgreSQL both accept
//! (`$n` parameters, `INSERT ... ON CONFLICT ... RETURNING`, `LIKE ... ESCAPE`, savepoints).
//! A [`Backend`] does what differs between them: connections and transactions, binding
//! [`Param`]s and reading [`Row`]s in its own types, classifying errors, allocating ids.

pub mod auth;
mod catalog;
mod db;
pub mod doctor;
pub mod erp;
pub mod events;
mod group;
pub mod idempotency;
pub mod master;
mod query;
pub mod shop_floor;
pub mod terminal;
pub mod transfer;
pub mod webhooks;

pub use catalog::{ColumnType, TABLES, TableDef};
pub use db::Db;
pub use group::GroupCommits;
pub use query::{Param, Query, SqlType};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// A database error, classified the way the store needs to react to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    /// A unique constraint refused a write; `columns` as the engine reports them.
    #[error("unique constraint violated on {table}({})", columns.join(", "))]
    Unique { table: String, columns: Vec<String> },
    /// A foreign key refused a write or a delete.
    #[error("foreign key violated: {0}")]
    ForeignKey(String),
    /// Deadlock, serialization failure, busy database: the whole transaction may be retried.
    #[error("transient conflict: {0}")]
    Retryable(String),
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A value could not be read back as the expected type.
    #[error("decode error: {0}")]
    Decode(String),
    #[error("database error: {0}")]
    Other(String),
}

/// One row of a result, read by column position.
pub trait Row: Send + Sync {
    fn opt_bool(&self, index: usize) -> Result<Option<bool>, DbError>;
    fn opt_i64(&self, index: usize) -> Result<Option<i64>, DbError>;
    fn opt_f64(&self, index: usize) -> Result<Option<f64>, DbError>;
    fn opt_text(&self, index: usize) -> Result<Option<String>, DbError>;
    fn opt_bytes(&self, index: usize) -> Result<Option<Vec<u8>>, DbError>;
    fn opt_uuid(&self, index: usize) -> Result<Option<Uuid>, DbError>;
    fn opt_timestamp(&self, index: usize) -> Result<Option<DateTime<Utc>>, DbError>;
    fn opt_date(&self, index: usize) -> Result<Option<NaiveDate>, DbError>;
    fn opt_decimal(&self, index: usize) -> Result<Option<Decimal>, DbError>;
}

/// A type that can be read from a [`Row`].
pub trait Column: Sized {
    fn read<R: Row + ?Sized>(row: &R, index: usize) -> Result<Option<Self>, DbError>;
}

macro_rules! column {
    ($t:ty, $method:ident) => {
        impl Column for $t {
            fn read<R: Row + ?Sized>(row: &R, index: usize) -> Result<Option<Self>, DbError> {
                row.$method(index)
            }
        }
    };
}
column!(bool, opt_bool);
column!(i64, opt_i64);
column!(f64, opt_f64);
column!(String, opt_text);
column!(Vec<u8>, opt_bytes);
column!(Uuid, opt_uuid);
column!(DateTime<Utc>, opt_timestamp);
column!(NaiveDate, opt_date);
column!(Decimal, opt_decimal);

/// Typed access to a row's columns.
pub trait RowExt {
    /// A column that must not be NULL.
    fn get<T: Column>(&self, index: usize) -> Result<T, DbError>;
    /// A column that may be NULL.
    fn opt<T: Column>(&self, index: usize) -> Result<Option<T>, DbError>;
    /// A column as a parameter of type `sql_type` (NULL as `Param::Null`).
    fn param(&self, index: usize, sql_type: SqlType) -> Result<Param, DbError>;
}

impl<R: Row + ?Sized> RowExt for R {
    fn get<T: Column>(&self, index: usize) -> Result<T, DbError> {
        T::read(self, index)?.ok_or_else(|| DbError::Decode(format!("column {index} is NULL")))
    }

    fn opt<T: Column>(&self, index: usize) -> Result<Option<T>, DbError> {
        T::read(self, index)
    }

    fn param(&self, index: usize, sql_type: SqlType) -> Result<Param, DbError> {
        let value = match sql_type {
            SqlType::Bool => self.opt_bool(index)?.map(Param::Bool),
            SqlType::Int => self.opt_i64(index)?.map(Param::Int),
            SqlType::Float => self.opt_f64(index)?.map(Param::Float),
            SqlType::Text => self.opt_text(index)?.map(Param::Text),
            SqlType::Bytes => self.opt_bytes(index)?.map(Param::Bytes),
            SqlType::Uuid => self.opt_uuid(index)?.map(Param::Uuid),
            SqlType::Timestamp => self.opt_timestamp(index)?.map(Param::Timestamp),
            SqlType::Date => self.opt_date(index)?.map(Param::Date),
            SqlType::Decimal => self.opt_decimal(index)?.map(Param::Decimal),
        };
        Ok(value.unwrap_or(Param::Null(sql_type)))
    }
}

/// Runs a savepoint statement: `verb` is `SAVEPOINT`, `RELEASE SAVEPOINT` or `ROLLBACK TO
/// SAVEPOINT`.
pub async fn savepoint<T: Tx>(tx: &mut T, verb: &str, name: &str) -> Result<(), DbError> {
    tx.execute(&Query::new(format!("{verb} {name}"))).await?;
    Ok(())
}

/// An open transaction.
#[async_trait]
pub trait Tx: Send {
    type Row: Row;

    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, query: &Query) -> Result<u64, DbError>;
    async fn fetch_all(&mut self, query: &Query) -> Result<Vec<Self::Row>, DbError>;
    async fn fetch_optional(&mut self, query: &Query) -> Result<Option<Self::Row>, DbError>;
    /// The next integer id for a master-data record.
    async fn next_id(&mut self) -> Result<i64, DbError>;
    /// Makes the other transactions that lock the same tenant wait until this one ends, so that
    /// a tenant's ERP writes take turns (they cannot deadlock, nor race on a unique name). A
    /// no-op where writes take turns anyway.
    async fn lock_tenant(&mut self, tenant: Uuid) -> Result<(), DbError>;
    /// Tells other processes, once this transaction commits, that `tenant` has new events.
    /// A no-op where one process owns the database.
    async fn notify_events(&mut self, tenant: Uuid) -> Result<(), DbError> {
        let _ = tenant;
        Ok(())
    }
    /// What ends a `SELECT ... FOR UPDATE` of rows that other transactions may be claiming at
    /// the same time, so that each skips the rows another holds (`FOR UPDATE OF {alias} SKIP
    /// LOCKED` on PostgreSQL; nothing where writes take turns anyway).
    fn skip_locked(&self, alias: &str) -> String {
        let _ = alias;
        String::new()
    }
    /// Makes sure later ids are above `max_id` (after an import kept ids).
    async fn reserve_ids_through(&mut self, max_id: i64) -> Result<(), DbError>;
    async fn commit(self) -> Result<(), DbError>;
    async fn rollback(self) -> Result<(), DbError>;
}

/// How full one connection pool is (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Which pool: `main`, or SQLite's `writer` and `reader`.
    pub name: &'static str,
    /// Connections open, idle or in use.
    pub size: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// A database engine.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    type Tx: Tx + 'static;

    /// `sqlite` or `postgres`.
    fn name(&self) -> &'static str;
    /// Whether several Takt processes may share this database, so state such as rate-limit
    /// buckets must live in it rather than in one process's memory.
    fn shared(&self) -> bool;
    /// The group whose transactions a tenant's single writes share (group commit): each
    /// tenant's own where tenants write in parallel; one for all where writes take turns anyway.
    fn write_group(&self, tenant: Uuid) -> Uuid {
        tenant
    }
    /// Starts a transaction that will write.
    async fn begin_write(&self) -> Result<Self::Tx, DbError>;
    /// Starts a read-only transaction with one consistent snapshot.
    async fn begin_read(&self) -> Result<Self::Tx, DbError>;
    /// A reading connection for one statement, outside any transaction (no `BEGIN`, no
    /// `COMMIT`: two round trips fewer); commit and rollback do nothing.
    async fn begin_single_read(&self) -> Result<Self::Tx, DbError> {
        self.begin_read().await
    }
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), DbError>;
    /// Applies the backend's migrations.
    async fn migrate(&self) -> Result<(), DbError>;
    /// The migrations this build carries, by version and description.
    fn known_migrations(&self) -> Vec<(i64, String)>;
    /// The migrations the database recorded, by version, and whether each succeeded (none
    /// when it was never migrated).
    async fn applied_migrations(&self) -> Result<Vec<(i64, bool)>, DbError>;
    /// What only this engine can tell about its health (`takt doctor`).
    async fn engine_health(&self) -> Result<crate::EngineHealth, DbError>;
    /// Closes every connection.
    async fn close(&self);
    /// The connection pools and how full they are.
    fn pools(&self) -> Vec<PoolStats> {
        Vec::new()
    }
    /// Forwards to `sink` the tenants whose events other processes commit (see
    /// [`Tx::notify_events`]). A no-op where one process owns the database.
    fn watch_events(&self, sink: tokio::sync::broadcast::Sender<Uuid>) {
        let _ = sink;
    }
}
