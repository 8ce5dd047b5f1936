//! What the measures write and read: simple jobs (the shape a connector syncs per sales order),
//! jobs with parts and operations for the nested read, and the reference data of a product.

use serde_json::{Value, json};

/// The `external_source` of every job the benchmark writes.
pub const SOURCE: &str = "LIMIT";

/// A job without parts: the fields a connector typically sends.
#[derive(Debug, Clone)]
pub struct Job {
    pub external_id: String,
    pub job_number: String,
    pub customer: String,
    pub due_date: String,
    pub priority: i64,
}

impl Job {
    /// Job `n` of a series named `series`; every series and number gives another sync key and
    /// job number.
    pub fn new(series: &str, n: usize) -> Job {
        Job {
            external_id: format!("{series}-{n}"),
            job_number: format!("{series}-J{n}"),
            customer: format!("Customer {}", n % 97),
            due_date: format!("2027-{:02}-{:02}", n % 12 + 1, n % 28 + 1),
            priority: (n % 5) as i64,
        }
    }

    /// The job as `PUT /api-jobs/sync` and bulk sync take it.
    pub fn json(&self) -> Value {
        json!({
            "external_id": self.external_id,
            "external_source": SOURCE,
            "job_number": self.job_number,
            "customer": self.customer,
            "due_date": self.due_date,
            "priority": self.priority,
        })
    }
}

/// A `POST /api-jobs/bulk-sync` body of `jobs`.
pub fn bulk(jobs: &[Job]) -> Vec<u8> {
    serde_json::to_vec(&json!({"jobs": jobs.iter().map(Job::json).collect::<Vec<_>>()})).unwrap()
}

/// The cell the nested jobs' operations run in.
pub fn cell() -> Value {
    json!({"external_id": "LIMIT-CELL", "external_source": SOURCE, "name": "Cutting"})
}

/// Job `n` with 2 parts of 3 operations each, for the nested read.
pub fn nested(n: usize) -> Value {
    let mut job = Job::new("NESTED", n).json();
    job["parts"] = (0..2)
        .map(|p| {
            let part = format!("NESTED-{n}-{p}");
            let operations: Vec<Value> = (0..3)
                .map(|o| {
                    json!({"external_id": format!("{part}-{o}"), "operation_name": format!("Step {o}"),
                           "cell_name": "Cutting", "sequence": o * 10, "estimated_time_minutes": 12.5})
                })
                .collect();
            json!({"external_id": part, "part_number": format!("P-{p}"), "material": "Steel 304",
                   "quantity": 25, "operations": operations})
        })
        .collect();
    job
}

/// The master data a product needs, by entity: created through `PUT /api/{Entity}/Upsert`.
pub const REFERENCE_DATA: [(&str, &str); 5] = [
    ("ProductType", "Sheet Metal"),
    ("Currency", "EUR"),
    ("UnitOfMeasure", "pcs"),
    ("Location", "MAIN"),
    ("ReceiptProfile", "Standard"),
];

/// A product on [`REFERENCE_DATA`], every field a create needs.
pub fn product(name: &str) -> Value {
    json!({
        "productType": "Sheet Metal",
        "name": name,
        "version": "A",
        "defaultOwnership": "Internal",
        "defaultCostPerUnit": 12.5,
        "defaultCurrency": "EUR",
        "baseUnit": "pcs",
        "receiptProfile": "Standard",
        "defaultBatchSize": 10,
        "inventoryDecimalPlaces": 0,
        "location": "MAIN",
        "isActive": true,
        "isPlanningConstraint": false
    })
}

/// What the names of the products the benchmark loads start with; a number follows.
pub const PRODUCT_PREFIX: &str = "LIMIT-P-";

/// The name of product `n` of those the benchmark loads.
pub fn product_name(n: usize) -> String {
    format!("{PRODUCT_PREFIX}{n}")
}
