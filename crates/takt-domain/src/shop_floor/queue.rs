//! A cell's dispatch queue: what runs, what is held, what comes next, and what blocks it.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::erp::records::Operation;

/// What keeps an operation from starting now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockedBy {
    /// The cell enforces its routing order and an earlier operation of the part is not completed.
    Predecessor,
    /// An open issue causes a standstill.
    Hold,
    /// The cell has as many operations in progress as its WIP limit allows.
    WipLimit,
}

/// The part a queued operation belongs to, as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueuedPart {
    pub id: Uuid,
    pub external_id: String,
    pub part_number: String,
    pub quantity: i64,
    pub material: Option<String>,
    /// A rush order: ahead of the others.
    pub is_bullet_card: bool,
}

/// The job a queued operation belongs to, as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueuedJob {
    pub id: Uuid,
    pub external_id: String,
    pub job_number: String,
    pub customer: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<i64>,
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QueueLine {
    pub operation: Operation,
    pub part: QueuedPart,
    pub job: QueuedJob,
    /// Whether nothing blocks it.
    pub ready: bool,
    pub blocked_by: Vec<BlockedBy>,
}
