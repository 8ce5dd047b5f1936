//! Writing rows of one table on their sync keys, many at a time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use takt_domain::erp::SyncKey;
use takt_domain::json::Patch;
use takt_domain::text::fold;
use uuid::Uuid;

use crate::TenantId;
use crate::sql::{DbError, Param, Query, RowExt, SqlType, Tx};

/// The columns of one row: values for a new row, and which of them an update overwrites
/// (fields a request leaves out keep their stored values).
#[derive(Default)]
pub(super) struct Columns {
    names: Vec<&'static str>,
    values: Vec<Param>,
    update: Vec<&'static str>,
}

impl Columns {
    /// A column the request always sets.
    pub(super) fn always(&mut self, name: &'static str, value: impl Into<Param>) -> &mut Self {
        self.names.push(name);
        self.values.push(value.into());
        self.update.push(name);
        self
    }

    /// A column set only when the row is created.
    pub(super) fn on_create(&mut self, name: &'static str, value: impl Into<Param>) -> &mut Self {
        self.names.push(name);
        self.values.push(value.into());
        self
    }

    /// A field as the request gave it: set, cleared (`null`), or left out (`default` on create).
    pub(super) fn patch<T: Clone + Into<Param>>(
        &mut self,
        name: &'static str,
        patch: &Patch<T>,
        default: Param,
    ) -> &mut Self {
        match patch {
            Patch::Set(v) => self.always(name, v.clone()),
            Patch::Null => self.always(name, default),
            Patch::Absent => self.on_create(name, default),
        }
    }

    /// A text field and its case-folded twin.
    pub(super) fn text_folded(&mut self, name: &'static str, folded: &'static str, patch: &Patch<String>) -> &mut Self {
        self.patch(name, patch, Param::Null(SqlType::Text));
        self.patch(folded, &patch.as_ref().map(|t| fold(t)), Param::Null(SqlType::Text))
    }

    /// Whether two rows can share one statement: same columns, same columns updated.
    fn same_shape(&self, other: &Columns) -> bool {
        self.names == other.names && self.update == other.update
    }
}

/// One row to write: its sync key and its columns.
pub(super) struct Upsert<'a> {
    pub key: &'a SyncKey,
    pub columns: Columns,
}

/// The most rows one statement carries, and the most parameters (both engines take 32766).
const MAX_ROWS: usize = 500;
const MAX_PARAMS: usize = 30_000;
/// The parameters every row has besides its columns: id, tenant, sync key, two timestamps.
const ROW_PARAMS: usize = 6;

/// Inserts or updates each row on its sync key; answers each row's id, and whether the row was
/// created, in the order of `rows`.
///
/// Rows with the same columns share one `INSERT ... VALUES (...), (...) ON CONFLICT (sync key)
/// DO UPDATE ... RETURNING`. The id Rust generated for a row comes back only when the row is
/// new. A sync key that repeats waits for a later statement (one statement may not touch a row
/// twice), so a record repeated in a request is applied in order.
pub(super) async fn upsert_rows<T: Tx>(
    tx: &mut T,
    table: &str,
    tenant: TenantId,
    rows: &[Upsert<'_>],
    at: DateTime<Utc>,
) -> Result<Vec<(Uuid, bool)>, DbError> {
    let mut seen: HashMap<&SyncKey, usize> = HashMap::new();
    let generation: Vec<usize> = rows
        .iter()
        .map(|row| {
            let count = seen.entry(row.key).or_insert(0);
            *count += 1;
            *count - 1
        })
        .collect();
    // Made in request order, whatever statement a row goes into: ids order records by creation.
    let batch = Batch { table, tenant, at, rows, new_ids: rows.iter().map(|_| Uuid::now_v7()).collect() };
    let mut written = vec![None; rows.len()];
    for round in 0..seen.values().copied().max().unwrap_or(0) {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for index in (0..rows.len()).filter(|i| generation[*i] == round) {
            match groups.iter_mut().find(|g| rows[g[0]].columns.same_shape(&rows[index].columns)) {
                Some(group) => group.push(index),
                None => groups.push(vec![index]),
            }
        }
        for group in groups {
            let per_statement = (MAX_PARAMS / (ROW_PARAMS + rows[group[0]].columns.names.len())).clamp(1, MAX_ROWS);
            for chunk in group.chunks(per_statement) {
                batch.write(tx, chunk, &mut written).await?;
            }
        }
    }
    Ok(written.into_iter().map(|w| w.expect("every row was written")).collect())
}

/// Rows of one table being written together.
struct Batch<'a, 'k> {
    table: &'a str,
    tenant: TenantId,
    at: DateTime<Utc>,
    rows: &'a [Upsert<'k>],
    /// The id each row gets if it is new.
    new_ids: Vec<Uuid>,
}

impl Batch<'_, '_> {
    /// Writes the rows at `chunk` (all of one shape) in one statement.
    async fn write<T: Tx>(
        &self,
        tx: &mut T,
        chunk: &[usize],
        written: &mut [Option<(Uuid, bool)>],
    ) -> Result<(), DbError> {
        let (table, rows) = (self.table, self.rows);
        let shape = &rows[chunk[0]].columns;
        let mut q = Query::new(format!(
            "INSERT INTO {table} (id, tenant_id, external_source, external_id, created_at, updated_at, {}) VALUES ",
            shape.names.join(", ")
        ));
        for (n, &index) in chunk.iter().enumerate() {
            let row = &rows[index];
            q.push(if n == 0 { "(" } else { ", (" });
            q.bind_list([
                self.new_ids[index].into(),
                self.tenant.0.into(),
                row.key.external_source.as_str().into(),
                row.key.external_id.as_str().into(),
                self.at.into(),
                self.at.into(),
            ]);
            q.push(", ").bind_list(row.columns.values.iter().cloned()).push(")");
        }
        q.push(" ON CONFLICT (tenant_id, external_source, external_id) DO UPDATE SET updated_at = excluded.updated_at");
        for name in &shape.update {
            q.push(&format!(", {name} = excluded.{name}"));
        }
        q.push(" RETURNING id, external_source, external_id");
        let mut ids: HashMap<(String, String), Uuid> = HashMap::with_capacity(chunk.len());
        for row in tx.fetch_all(&q).await? {
            ids.insert((row.get(1)?, row.get(2)?), row.get(0)?);
        }
        for &index in chunk {
            let key = rows[index].key;
            let id = *ids
                .get(&(key.external_source.clone(), key.external_id.clone()))
                .ok_or_else(|| DbError::Other(format!("the upsert into {table} did not return {}", key.external_id)))?;
            written[index] = Some((id, id == self.new_ids[index]));
        }
        Ok(())
    }
}
