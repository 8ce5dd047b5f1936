//! The master-data API's entities (SPEC.md section 4, seeds 003 and 004): one description per
//! entity ([`spec::EntitySpec`]) and one generic mechanism that reads, checks and names records.

pub mod entities;
pub mod input;
pub mod record;
pub mod render;
pub mod rules;
pub mod spec;
pub mod version;

pub use entities::ALL;
pub use input::{
    Filter, FilterTarget, FilterValue, ListQuery, UpsertInput, parse_copy, parse_delete, parse_list, parse_upsert,
};
pub use record::{FieldValue, Fields, Property, Record, Values};
pub use spec::{DefaultValue, EntityKind, EntitySpec, MasterField, OnDelete, RefBy, Reference, Title};
