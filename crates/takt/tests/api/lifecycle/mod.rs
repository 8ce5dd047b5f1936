//! The shop floor's lifecycle (SPEC section 7): the transition table for operations and jobs,
//! the answers and error codes, the roll-up and its events, routing order and WIP limits,
//! time entries and quantities, and actions that race.

mod concurrency;
pub(crate) mod fixtures;
mod quantities;
mod queue;
mod reference_client;
mod rollup;
mod rules;
mod time;
mod transitions;
