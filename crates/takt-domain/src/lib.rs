//! Takt's domain: the types, validation and rules of the ERP sync API and the master-data API.
//!
//! Nothing here does I/O. Requests arrive as JSON values and leave as typed inputs or as
//! [`error::Invalid`], which lists every bad field by its JSON path.

pub mod api_key;
pub mod erp;
pub mod error;
pub mod event;
pub mod idempotency;
pub mod json;
pub mod master_data;
pub mod rate_limit;
pub mod schema;
pub mod shop_floor;
pub mod text;
pub mod webhook;
