//! Takt's API tests, one binary driving the real server over HTTP on a loopback port: every
//! scenario once on a fresh SQLite file and once on a fresh database of a throwaway PostgreSQL
//! cluster (see `support`).
//!
//! - `erp_seed`: every example of seed 000, verbatim; `openapi`, `responses`: the contract,
//!   locked by snapshots;
//! - `erp`: the ERP sync API; `master`: the master-data API;
//! - `platform`: keys, rate limits, the errors both dialects share, parity of the engines;
//! - `operations`: the `takt` command, export and import, several instances;
//! - `events`: the event log, its feed and stream, webhooks;
//! - `tooling`: the API reference at `/docs` and `/metrics`;
//! - `hardening`: hostile and ambiguous input (SPEC section 10);
//! - `lifecycle`: the shop floor's moves, roll-up, routing rules, time and quantities.
//! - `terminal`: the operator terminal and the plant board, over HTTP and in a headless browser.

mod support;

mod erp;
mod erp_seed;
mod events;
mod hardening;
pub(crate) mod lifecycle;
mod master;
mod openapi;
mod operations;
mod platform;
mod responses;
mod shop_floor;
mod terminal;
mod tooling;
