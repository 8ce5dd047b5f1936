//! The shop floor's storage (SPEC section 7): statuses and their roll-up, time entries,
//! quantities.

pub mod time;

pub mod collection;
pub mod issues;
