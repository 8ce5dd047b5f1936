//! The shop floor (SPEC section 7): statuses and the moves between them, time, quantities.

pub mod lifecycle;
pub mod quantity;
pub mod queue;
pub mod time;

pub mod collection;
pub mod issue;
pub mod scrap_reason;
pub mod substep;

pub use lifecycle::{Action, RefusedMove, Status, Target, derived_event};
