//! The event log (SPEC.md section 6): which writes append which events, the feed, the stream,
//! concurrent writers on one or two instances, tenant isolation; each scenario on SQLite and on
//! PostgreSQL.

pub(crate) mod fixtures;

mod concurrency;
mod feed;
mod log;
mod stream;
mod tenancy;
mod webhooks;
