//! Writing the records that stand alone (cells, resources, operators): one row each, no
//! parent, no children.

use takt_domain::erp::{CellInput, ErpEntity, OperatorInput, Pin, ResourceInput};
use takt_domain::json::Patch;

use super::tables::table;
use super::upsert::{Columns, Upsert, Written};
use super::write::{Changed, Writer, unique_conflict};
use crate::StoreError;
use crate::sql::Tx;

impl Writer<'_> {
    pub(super) async fn cells<T: Tx>(
        &self,
        tx: &mut T,
        cells: &[&CellInput],
        changed: &mut Vec<Changed>,
    ) -> Result<Vec<Written>, StoreError> {
        let rows: Vec<Upsert> = cells
            .iter()
            .map(|input| {
                let mut c = Columns::new(table(ErpEntity::Cell));
                c.set("name", input.name.as_str())
                    .patch("color", &input.color)
                    .patch("sequence", &input.sequence)
                    .patch("active", &input.active)
                    .patch("wip_limit", &input.wip_limit)
                    .patch("enforce_sequence", &input.enforce_sequence)
                    .patch("capacity_hours_per_day", &input.capacity_hours_per_day);
                Upsert { key: &input.key, columns: c, owner: None }
            })
            .collect();
        let one = match cells {
            [one] => Some(one.name.as_str()),
            _ => None,
        };
        self.upsert(tx, ErpEntity::Cell, &rows, &[], 0.., changed, |e| {
            unique_conflict(e, ErpEntity::Cell, "name_folded", "name", one)
        })
        .await
    }

    pub(super) async fn resources<T: Tx>(
        &self,
        tx: &mut T,
        resources: &[&ResourceInput],
        changed: &mut Vec<Changed>,
    ) -> Result<Vec<Written>, StoreError> {
        let rows: Vec<Upsert> = resources
            .iter()
            .map(|input| {
                let mut c = Columns::new(table(ErpEntity::Resource));
                c.set("name", input.name.as_str())
                    .patch("type", &input.resource_type)
                    .patch("description", &input.description)
                    .patch("identifier", &input.identifier)
                    .patch("location", &input.location)
                    .patch("status", &input.status);
                Upsert { key: &input.key, columns: c, owner: None }
            })
            .collect();
        self.upsert(tx, ErpEntity::Resource, &rows, &[], 0.., changed, StoreError::from).await
    }

    pub(super) async fn operators<T: Tx>(
        &self,
        tx: &mut T,
        operators: &[&OperatorInput],
        changed: &mut Vec<Changed>,
    ) -> Result<Vec<Written>, StoreError> {
        let mut rows = Vec::with_capacity(operators.len());
        for input in operators {
            let pin_hash = match &input.pin {
                Patch::Set(Pin::Hashed(hash)) => Patch::Set(hash.clone()),
                Patch::Set(Pin::Given(_)) => {
                    return Err(StoreError::Internal("a PIN reached the store unhashed".into()));
                }
                Patch::Null => Patch::Null,
                Patch::Absent => Patch::Absent,
            };
            let mut c = Columns::new(table(ErpEntity::Operator));
            c.set("name", input.name.as_str())
                .set("employee_number", input.employee_number.as_str())
                .patch("pin_hash", &pin_hash)
                .patch("active", &input.active);
            rows.push(Upsert { key: &input.key, columns: c, owner: None });
        }
        let one = match operators {
            [one] => Some(one.employee_number.as_str()),
            _ => None,
        };
        self.upsert(tx, ErpEntity::Operator, &rows, &[], 0.., changed, |e| {
            unique_conflict(e, ErpEntity::Operator, "employee_number_folded", "employee_number", one)
        })
        .await
    }
}
