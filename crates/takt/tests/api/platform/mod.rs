//! Takt's platform tests: API keys, rate limits, the errors both dialects share, and the parity
//! of the SQLite and PostgreSQL backends where the engines differ. Every scenario drives the real
//! server over HTTP, once on SQLite and once on PostgreSQL.

mod auth;
mod errors;
mod fixtures;
mod parity;
mod rate_limit;
