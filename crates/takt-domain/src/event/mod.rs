//! Events: every change to a tenant's data, as the feed, the stream and webhooks carry it.

pub mod pattern;

pub use pattern::{PatternError, TypePattern, TypePatterns};
