//! Who made a change.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who made a change: an API key (by its lookup prefix), an operator at a terminal, or Takt
/// itself for changes that follow from others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    ApiKey { id: String },
    Operator { id: Uuid, name: String },
    System,
}
