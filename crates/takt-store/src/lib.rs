//! Takt's storage: the operations a use case composes on one transaction, in SQL that the
//! SQLite and PostgreSQL backends share ([`sql`]), and [`sql::Db`], which opens those
//! transactions.
//!
//! Everything a request reads or writes is scoped to one tenant. Ids (UUIDv7 for ERP records,
//! integers for master data) and timestamps are made in Rust, never by the database.

pub mod error;
pub mod model;
pub mod sql;

pub use error::StoreError;
pub use model::*;

use chrono::{DateTime, Utc};

/// The current time, to the microsecond both engines keep.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("the clock is within range")
}
