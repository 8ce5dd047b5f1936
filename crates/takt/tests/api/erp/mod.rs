//! The ERP sync API (seed 000, SPEC section 3) over HTTP against the real server, every scenario
//! on SQLite and on PostgreSQL.

pub(crate) mod fixtures;

mod body;
mod bulk;
mod compat;
mod concurrency;
mod cors;
mod create;
mod fields;
mod group_commit;
mod nested;
mod operators;
mod patch_delete;
mod read;
mod references;
mod sort;
mod sync;
mod tenancy;
mod validation;
