//! The shop floor's storage (SPEC section 7): the lifecycle and its roll-up, time entries,
//! the quantity ledger.

pub mod lifecycle;
pub mod quantities;
pub mod queue;
pub mod time;

pub mod collection;
pub mod issues;
