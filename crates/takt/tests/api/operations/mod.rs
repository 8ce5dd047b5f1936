//! Takt's operations tests: the `takt` command line (keys, migrate, serve, export, import) run as
//! the real binary, data moved between SQLite and PostgreSQL, and several server processes
//! sharing one PostgreSQL database.

pub(crate) mod common;
mod fixtures;
mod instances;
mod keys;
mod serve;
mod transfer;
mod webhook_crash;
