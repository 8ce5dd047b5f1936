//! The master-data API (SPEC.md section 4, seeds 003 and 004) through HTTP against the real
//! server: every entity's List, Upsert and Delete, Product/Copy, the integrity rules, key and
//! path spellings, byte limits, Unicode filters and tenant isolation, each scenario on SQLite
//! and on PostgreSQL.

pub(crate) mod fixtures;

mod bom;
mod filters;
mod in_use;
mod keys;
mod limits;
mod product;
mod recipe_schedule;
mod reference_data;
mod tenancy;
mod walkthrough;
