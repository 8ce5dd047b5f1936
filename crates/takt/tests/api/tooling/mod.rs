//! Integrator tooling (SPEC.md section 9): the API reference at `/docs`, `/metrics`, `takt push`
//! and the completions and man page; each scenario on SQLite and on PostgreSQL.

mod diff;
mod docs;
mod doctor;
mod metrics;
pub(crate) mod prometheus;
mod push;
