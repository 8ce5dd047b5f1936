//! ERP records as the API returns them.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::json::decimal_number;

/// A work centre.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Cell {
    pub id: Uuid,
    pub external_id: String,
    pub external_source: String,
    pub name: String,
    pub color: Option<String>,
    pub sequence: Option<i64>,
    pub active: bool,
    /// Most operations `in_progress` at once; none when unset.
    pub wip_limit: Option<i64>,
    /// Whether an operation may start only after the earlier ones of its part are completed.
    pub enforce_sequence: bool,
    #[serde(serialize_with = "decimal_number")]
    #[schema(value_type = Option<f64>)]
    pub capacity_hours_per_day: Option<Decimal>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Equipment, tooling and the like.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Resource {
    pub id: Uuid,
    pub external_id: String,
    pub external_source: String,
    pub name: String,
    #[serde(rename = "type")]
    pub resource_type: Option<String>,
    pub description: Option<String>,
    pub identifier: Option<String>,
    pub location: Option<String>,
    pub status: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A sales order; `parts` only when read one at a time.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Job {
    pub id: Uuid,
    pub external_id: String,
    pub external_source: String,
    pub job_number: String,
    pub customer: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<i64>,
    pub notes: Option<String>,
    /// The JSON object the client keeps with the job.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<Part>>,
}

/// A work order under a job; `operations` only when read one at a time or within a job.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Part {
    pub id: Uuid,
    pub job_id: Uuid,
    pub job_external_id: String,
    pub external_id: String,
    pub external_source: String,
    pub part_number: String,
    pub material: Option<String>,
    pub quantity: i64,
    pub notes: Option<String>,
    /// A rush order, dispatched first.
    pub is_bullet_card: bool,
    pub drawing_no: Option<String>,
    pub cnc_program_name: Option<String>,
    /// `not_started`, `in_progress`, `on_hold` or `completed`; rolled up from its operations.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<Operation>>,
}

/// A routing step in a cell.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Operation {
    pub id: Uuid,
    pub part_id: Uuid,
    pub part_external_id: String,
    /// None while the operation has no cell yet (made without an ERP).
    pub cell_id: Option<Uuid>,
    pub cell_name: Option<String>,
    pub external_id: String,
    pub external_source: String,
    pub operation_name: String,
    pub sequence: Option<i64>,
    #[serde(serialize_with = "decimal_number")]
    #[schema(value_type = Option<f64>)]
    pub estimated_time_minutes: Option<Decimal>,
    /// The same value as `estimated_time_minutes`, under the name the reference's clients read.
    #[serde(serialize_with = "decimal_number")]
    #[schema(value_type = Option<f64>)]
    pub estimated_time: Option<Decimal>,
    pub notes: Option<String>,
    /// How far along it is, 0 to 100, as planning reports it.
    pub completion_percentage: Option<i64>,
    pub assigned_operator_id: Option<Uuid>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    /// `not_started`, `in_progress`, `on_hold` or `completed`; moved only by the lifecycle.
    pub status: String,
    /// Totals of the operation's quantity ledger.
    pub quantity_good: i64,
    pub quantity_scrap: i64,
    pub quantity_rework: i64,
    /// The length of the union of its closed time entries, in whole seconds.
    pub actual_time_seconds: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A person at the machines; the PIN is never answered, only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Operator {
    pub id: Uuid,
    pub external_id: String,
    pub external_source: String,
    pub name: String,
    pub employee_number: String,
    /// Whether a PIN is set (the terminal asks for it).
    pub has_pin: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Any ERP record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ErpRecord {
    Cell(Cell),
    Resource(Resource),
    Job(Job),
    Part(Part),
    Operation(Operation),
    Operator(Operator),
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncAction {
    Created,
    Updated,
}

/// The answer to one synced record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SyncOutcome {
    pub action: SyncAction,
    pub id: Uuid,
    pub external_id: String,
}

impl ErpRecord {
    pub fn id(&self) -> Uuid {
        match self {
            ErpRecord::Cell(r) => r.id,
            ErpRecord::Resource(r) => r.id,
            ErpRecord::Job(r) => r.id,
            ErpRecord::Part(r) => r.id,
            ErpRecord::Operation(r) => r.id,
            ErpRecord::Operator(r) => r.id,
        }
    }

    /// The execution status of a job, part or operation (`not_started`, ...); none for the others.
    pub fn execution_status(&self) -> Option<&str> {
        match self {
            ErpRecord::Job(r) => Some(&r.status),
            ErpRecord::Part(r) => Some(&r.status),
            ErpRecord::Operation(r) => Some(&r.status),
            ErpRecord::Cell(_) | ErpRecord::Resource(_) | ErpRecord::Operator(_) => None,
        }
    }
}
