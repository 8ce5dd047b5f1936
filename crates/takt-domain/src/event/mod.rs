//! Events: every change to a tenant's data, as the feed, the stream and webhooks carry it.

mod actor;
mod change;
pub mod pattern;
mod record;

pub use actor::Actor;
pub use change::{Change, diff};
pub use pattern::{PatternError, TypePattern, TypePatterns};
pub use record::Event;
