//! Writing rows of one table on their sync keys, many at a time.

use std::collections::{HashMap, HashSet};

use takt_domain::text::fold;

use chrono::{DateTime, Utc};
use takt_domain::erp::SyncKey;
use takt_domain::json::Patch;
use uuid::Uuid;

use super::tables::{Col, Table, Write};
use crate::TenantId;
use crate::sql::{DbError, Param, Query, RowExt, SqlType, Tx};

/// The most sync keys one lookup of stored rows carries.
const LOOKUP_CHUNK: usize = 400;

/// The columns of one row of a table: values for a new row, and which of them an update
/// overwrites (fields a request leaves out keep their stored values). A column's folded twin
/// and its default follow from the table's description.
pub(super) struct Columns {
    table: &'static Table,
    names: Vec<&'static str>,
    values: Vec<Param>,
    update: Vec<&'static str>,
    /// Columns only Takt moves that a request gave: a new row holds the value given, a stored
    /// row must already hold it.
    kept: Vec<&'static str>,
}

impl Columns {
    /// The columns of a row of `table`, holding those set only on create.
    pub(super) fn new(table: &'static Table) -> Columns {
        let mut columns =
            Columns { table, names: Vec::new(), values: Vec::new(), update: Vec::new(), kept: Vec::new() };
        for col in table.columns {
            match col.write {
                Write::OnCreate(value) => {
                    columns.push(col, col.param(value), false);
                }
                Write::Deleted => {
                    columns.push(col, Param::Null(col.ty.sql_type()), true);
                }
                _ => {}
            }
        }
        columns
    }

    /// A column every request gives.
    pub(super) fn set(&mut self, name: &str, value: impl Into<Param>) -> &mut Self {
        let col = self.table.column(name);
        debug_assert_eq!(col.write, Write::Given, "{name} is not given by every request");
        self.push(col, value.into(), true)
    }

    /// An optional field as the request gave it: set, cleared (`null`, then its default), or
    /// left out (its default on create, kept on update).
    pub(super) fn patch<T: Clone + Into<Param>>(&mut self, name: &str, patch: &Patch<T>) -> &mut Self {
        let col = self.table.column(name);
        let Write::Optional(default) = col.write else { panic!("{name} is not an optional column") };
        match patch {
            Patch::Set(v) => self.push(col, v.clone().into(), true),
            Patch::Null => self.push(col, col.param(default), true),
            Patch::Absent => self.push(col, col.param(default), false),
        }
    }

    /// A column only Takt moves (a status), as a request gave it: the value of a new row, and
    /// the value a stored row must already hold (see [`Plan::moved_by_takt`]).
    pub(super) fn initial(&mut self, name: &'static str, value: Option<&str>) -> &mut Self {
        let Some(value) = value else { return self };
        let index = self.names.iter().position(|n| *n == name).unwrap_or_else(|| panic!("{name} is not set on create"));
        self.values[index] = Param::Text(value.to_owned());
        self.kept.push(name);
        self
    }

    /// A column and its folded twin, if it has one.
    fn push(&mut self, col: &'static Col, value: Param, update: bool) -> &mut Self {
        let folded = col.folded.map(|twin| match &value {
            Param::Text(text) => (twin, Param::Text(fold(text))),
            _ => (twin, Param::Null(SqlType::Text)),
        });
        for (name, value) in std::iter::once((col.name, value)).chain(folded) {
            self.names.push(name);
            self.values.push(value);
            if update {
                self.update.push(name);
            }
        }
        self
    }

    /// Whether two rows can share one statement: same columns, same columns updated.
    fn same_shape(&self, other: &Columns) -> bool {
        self.names == other.names && self.update == other.update
    }

    /// The columns a stored row must already hold, with their values.
    fn kept(&self) -> impl Iterator<Item = (&'static str, &Param)> {
        self.names.iter().zip(&self.values).filter(|(name, _)| self.kept.contains(name)).map(|(n, v)| (*n, v))
    }

    /// The columns an update overwrites, with their values.
    fn updates(&self) -> impl Iterator<Item = (&'static str, &Param)> {
        self.names.iter().zip(&self.values).filter(|(name, _)| self.update.contains(name)).map(|(n, v)| (*n, v))
    }
}

/// One row to write: its sync key and its columns.
pub(super) struct Upsert<'a> {
    pub key: &'a SyncKey,
    pub columns: Columns,
    /// For a row nested in its parent: the column naming the parent, which a stored row must
    /// already hold (a nested sync does not move a record to another parent).
    pub owner: Option<&'static str>,
}

/// A stored row that a nested sync would move: its place in the rows, and the parent it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Owned {
    pub row: usize,
    pub parent: Uuid,
}

/// A stored row that a request gives another value of a column only Takt moves: its place in
/// the rows, the column, and the value the row holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Kept {
    pub row: usize,
    pub column: &'static str,
    pub held: Param,
    pub given: Param,
}

/// The most rows one statement carries, and the most parameters (both engines take 32766).
const MAX_ROWS: usize = 500;
const MAX_PARAMS: usize = 30_000;
/// The parameters every row has besides its columns: id, tenant, sync key, two timestamps.
const ROW_PARAMS: usize = 6;

/// What writing one row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Written {
    pub id: Uuid,
    pub created: bool,
    /// False when the row already held every value the request gave: nothing was written.
    pub changed: bool,
}

/// Rows of one table to write on their sync keys, compared with what is stored before anything
/// is written: a row that would change nothing is not written at all.
pub(super) struct Plan<'a, 'k> {
    table: &'a str,
    tenant: TenantId,
    rows: &'a [Upsert<'k>],
    /// Each row's id if it is stored already.
    stored: Vec<Option<Uuid>>,
    /// Whether writing each row changes something.
    changes: Vec<bool>,
    /// The first row nested in another parent than the one that holds it.
    owned: Option<Owned>,
    /// The first stored row given another value of a column only Takt moves.
    kept: Option<Kept>,
    /// Whether each row's stored record is deleted (the write brings it back).
    deleted: Vec<bool>,
}

/// Looks up the stored rows and decides which rows change.
///
/// Each row is compared, column by column, with what the table holds after the rows before it
/// in `rows` (a sync key may repeat).
pub(super) async fn plan<'a, 'k, T: Tx>(
    tx: &mut T,
    table: &'a str,
    tenant: TenantId,
    rows: &'a [Upsert<'k>],
) -> Result<Plan<'a, 'k>, DbError> {
    let mut columns: Vec<(&'static str, SqlType)> = Vec::new();
    for row in rows {
        for (name, value) in row.columns.updates().chain(row.columns.kept()) {
            if !columns.iter().any(|(n, _)| *n == name) {
                columns.push((name, value.sql_type()));
            }
        }
    }
    let mut current: HashMap<&SyncKey, (Uuid, HashMap<&'static str, Param>)> = HashMap::new();
    let keys: Vec<&SyncKey> = {
        let mut seen = std::collections::HashSet::new();
        rows.iter().map(|r| r.key).filter(|k| seen.insert(*k)).collect()
    };
    let by_key: HashMap<(&str, &str), &SyncKey> =
        keys.iter().map(|k| ((k.external_source.as_str(), k.external_id.as_str()), *k)).collect();
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        let mut q = Query::new("SELECT t.id, t.external_source, t.external_id");
        for (name, _) in &columns {
            q.push(", t.").push(name);
        }
        q.push(" FROM ").values_table(
            chunk.iter().map(|key| [Param::from(key.external_source.as_str()), Param::from(key.external_id.as_str())]),
        );
        q.push(&format!(" CROSS JOIN {table} t WHERE t.tenant_id = ")).bind(tenant.0);
        q.push(" AND t.external_source = k.column1 AND t.external_id = k.column2");
        for row in tx.fetch_all(&q).await? {
            let (source, external_id): (String, String) = (row.get(1)?, row.get(2)?);
            let Some(key) = by_key.get(&(source.as_str(), external_id.as_str())) else { continue };
            let mut values = HashMap::with_capacity(columns.len());
            for (index, (name, sql_type)) in columns.iter().enumerate() {
                values.insert(*name, row.param(3 + index, *sql_type)?);
            }
            current.insert(*key, (row.get(0)?, values));
        }
    }
    let stored: Vec<Option<Uuid>> = rows.iter().map(|row| current.get(row.key).map(|(id, _)| *id)).collect();
    let deleted: Vec<bool> = rows
        .iter()
        .map(|row| {
            current
                .get(row.key)
                .and_then(|(_, values)| values.get("deleted_at"))
                .is_some_and(|held| !matches!(held, Param::Null(_)))
        })
        .collect();
    let mut changes = Vec::with_capacity(rows.len());
    let mut owned = None;
    let mut kept = None;
    for (index, row) in rows.iter().enumerate() {
        if let (Some(column), Some((_, values)), None) = (row.owner, current.get(row.key), owned) {
            owned = moved(row, column, values).map(|parent| Owned { row: index, parent });
        }
        if let (Some((_, values)), None) = (current.get(row.key), &kept) {
            kept = row.columns.kept().find_map(|(column, given)| match values.get(column) {
                Some(held) if !given.stores_as(held) => {
                    Some(Kept { row: index, column, held: held.clone(), given: given.clone() })
                }
                _ => None,
            });
        }
        let changed = match current.get_mut(row.key) {
            None => {
                let values = row.columns.names.iter().copied().zip(row.columns.values.iter().cloned()).collect();
                current.insert(row.key, (Uuid::nil(), values));
                true
            }
            Some((_, values)) => {
                let mut changed = false;
                for (name, value) in row.columns.updates() {
                    if !values.get(name).is_some_and(|held| value.stores_as(held)) {
                        values.insert(name, value.clone());
                        changed = true;
                    }
                }
                changed
            }
        };
        changes.push(changed);
    }
    Ok(Plan { table, tenant, rows, stored, changes, owned, kept, deleted })
}

/// The parent a row holds in `column`, if it is another than the one the row gives.
fn moved(row: &Upsert<'_>, column: &str, held: &HashMap<&'static str, Param>) -> Option<Uuid> {
    let given = row.columns.names.iter().zip(&row.columns.values).find(|(name, _)| **name == column)?.1;
    match held.get(column) {
        Some(Param::Uuid(parent)) if !given.stores_as(&Param::Uuid(*parent)) => Some(*parent),
        _ => None,
    }
}

impl Plan<'_, '_> {
    /// The first row nested in another parent than the one that holds it, if any.
    pub(super) fn owned(&self) -> Option<Owned> {
        self.owned
    }

    /// The first stored row given another value of a column only Takt moves, if any.
    pub(super) fn moved_by_takt(&self) -> Option<&Kept> {
        self.kept.as_ref()
    }

    /// Whether each row's stored record is deleted, which writing it undoes.
    pub(super) fn restores(&self) -> Vec<bool> {
        self.deleted.clone()
    }

    /// The first row whose sync key is stored already, if any.
    pub(super) fn first_stored(&self) -> Option<usize> {
        self.stored.iter().position(Option::is_some)
    }

    /// The ids of stored rows that the plan changes.
    pub(super) fn updated_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> =
            self.stored.iter().zip(&self.changes).filter_map(|(id, changed)| id.filter(|_| *changed)).collect();
        ids.dedup();
        ids
    }

    /// Inserts or updates each row that changes; answers what happened to each row, in order.
    ///
    /// Rows with the same columns share one `INSERT ... VALUES (...), (...) ON CONFLICT (sync
    /// key) DO UPDATE ... RETURNING`. The id Rust generated for a row comes back only when the
    /// row is new. A sync key that repeats waits for a later statement (one statement may not
    /// touch a row twice), so a record repeated in a request is applied in order.
    /// A new row whose external_id is one of `chosen` takes it as its id.
    pub(super) async fn execute<T: Tx>(
        self,
        tx: &mut T,
        at: DateTime<Utc>,
        chosen: Option<&HashSet<Uuid>>,
    ) -> Result<Vec<Written>, DbError> {
        let rows = self.rows;
        let mut seen: HashMap<&SyncKey, usize> = HashMap::new();
        let generation: Vec<usize> = rows
            .iter()
            .zip(&self.changes)
            .map(|(row, changed)| {
                if !changed {
                    return usize::MAX;
                }
                let count = seen.entry(row.key).or_insert(0);
                *count += 1;
                *count - 1
            })
            .collect();
        // Made in request order, whatever statement a row goes into: ids order records by creation.
        let batch = Batch {
            table: self.table,
            tenant: self.tenant,
            at,
            rows,
            new_ids: rows
                .iter()
                .map(|row| {
                    let given = Uuid::try_parse(&row.key.external_id).ok();
                    given.filter(|id| chosen.is_some_and(|chosen| chosen.contains(id))).unwrap_or_else(Uuid::now_v7)
                })
                .collect(),
        };
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
        // A row that changes nothing answers with the id of the row it matched: the stored one,
        // or the one an earlier row of this plan created.
        let mut ids: HashMap<&SyncKey, Uuid> = HashMap::new();
        let mut outcome = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let done = match written[index] {
                Some((id, created)) => Written { id, created, changed: true },
                None => {
                    let id = self.stored[index].or_else(|| ids.get(row.key).copied()).ok_or_else(|| {
                        DbError::Other(format!("{}: no id for unchanged {}", self.table, row.key.external_id))
                    })?;
                    Written { id, created: false, changed: false }
                }
            };
            ids.insert(row.key, done.id);
            outcome.push(done);
        }
        Ok(outcome)
    }
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
