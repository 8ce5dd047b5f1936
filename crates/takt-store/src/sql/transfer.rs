//! Export and import: a tenant's data (or all of it) as JSON lines that any backend can load,
//! ids kept. The first line describes the file, every other line is one row, the last line
//! counts the rows so that a truncated file is refused.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use takt_domain::text::fold;
use uuid::Uuid;

use super::catalog::{ColumnType, TABLES, TableDef};
use super::{DbError, Param, Query, Row, RowExt, SqlType, Tx};
use crate::error::{Entity, Lookup};
use crate::now;
use crate::{StoreError, TransferSummary};

/// The `format` of the first line.
pub const FORMAT: &str = "takt-export";
/// The version of the format this build writes and reads.
pub const VERSION: i64 = 1;
const PAGE: i64 = 1000;
const NOT_AN_EXPORT: &str = "this is not a Takt export (its first line is not {\"format\": \"takt-export\", ...})";

fn io(error: std::io::Error) -> StoreError {
    StoreError::Internal(format!("writing the export failed: {error}"))
}

fn encode(row: &impl Row, index: usize, kind: ColumnType) -> Result<Value, DbError> {
    Ok(match kind {
        ColumnType::Uuid => row.opt::<Uuid>(index)?.map(|u| json!(u.to_string())).unwrap_or(Value::Null),
        ColumnType::Text => row.opt::<String>(index)?.map(Value::String).unwrap_or(Value::Null),
        ColumnType::Int => row.opt::<i64>(index)?.map(|i| json!(i)).unwrap_or(Value::Null),
        ColumnType::Float => row.opt::<f64>(index)?.map(|f| json!(f)).unwrap_or(Value::Null),
        ColumnType::Bool => row.opt::<bool>(index)?.map(Value::Bool).unwrap_or(Value::Null),
        ColumnType::Timestamp => row
            .opt::<DateTime<Utc>>(index)?
            .map(|t| json!(t.to_rfc3339_opts(SecondsFormat::Micros, true)))
            .unwrap_or(Value::Null),
        ColumnType::Date => row.opt::<NaiveDate>(index)?.map(|d| json!(d.to_string())).unwrap_or(Value::Null),
        ColumnType::Decimal => row.opt::<Decimal>(index)?.map(|d| json!(d.to_string())).unwrap_or(Value::Null),
        ColumnType::Bytes => row.opt::<Vec<u8>>(index)?.map(|b| json!(hex_encode(&b))).unwrap_or(Value::Null),
    })
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

fn decode(value: &Value, kind: ColumnType) -> Result<Param, String> {
    if value.is_null() {
        return Ok(Param::Null(kind.sql_type()));
    }
    let text = || value.as_str().ok_or_else(|| format!("expected a string, got {value}"));
    Ok(match kind {
        ColumnType::Uuid => Param::Uuid(Uuid::try_parse(text()?).map_err(|e| e.to_string())?),
        ColumnType::Text => Param::Text(text()?.to_owned()),
        ColumnType::Int => Param::Int(value.as_i64().ok_or_else(|| format!("expected an integer, got {value}"))?),
        ColumnType::Float => Param::Float(value.as_f64().ok_or_else(|| format!("expected a number, got {value}"))?),
        ColumnType::Bool => Param::Bool(value.as_bool().ok_or_else(|| format!("expected true or false, got {value}"))?),
        ColumnType::Timestamp => {
            Param::Timestamp(DateTime::parse_from_rfc3339(text()?).map_err(|e| e.to_string())?.with_timezone(&Utc))
        }
        ColumnType::Date => Param::Date(NaiveDate::parse_from_str(text()?, "%Y-%m-%d").map_err(|e| e.to_string())?),
        ColumnType::Decimal => Param::Decimal(Decimal::from_str_exact(text()?).map_err(|e| e.to_string())?),
        ColumnType::Bytes => Param::Bytes(hex_decode(text()?).ok_or("expected hex")?),
    })
}

/// Writes every row of one tenant (or of all) in import order.
pub async fn export<T: Tx>(
    tx: &mut T,
    tenant: Option<&str>,
    out: &mut (dyn std::io::Write + Send),
) -> Result<TransferSummary, StoreError> {
    let (tenant_id, tenant_name) = match tenant {
        Some(name) => {
            let query = Query::new("SELECT id, name FROM tenants WHERE name_folded = $1").arg(fold(name));
            let row = tx.fetch_optional(&query).await?;
            let row = row.ok_or_else(|| StoreError::missing(Entity::Tenant, Lookup::Name(name.to_owned()), None))?;
            (Some(row.get::<Uuid>(0)?), Some(row.get::<String>(1)?))
        }
        None => (None, None),
    };
    let header = json!({
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now().to_rfc3339_opts(SecondsFormat::Micros, true),
        "tenant": tenant_name,
    });
    writeln!(out, "{header}").map_err(io)?;
    let mut summary = TransferSummary::default();
    let mut total = 0_u64;
    for table in TABLES.iter() {
        let columns: Vec<&str> = table.columns.iter().map(|(c, _)| c.as_str()).collect();
        let mut count = 0_u64;
        loop {
            let mut q = Query::new(format!("SELECT {} FROM {}", columns.join(", "), table.name));
            if let Some(id) = tenant_id {
                q.push(if table.tenant_scoped() { " WHERE tenant_id = " } else { " WHERE id = " }).bind(id);
            }
            q.push(&format!(" ORDER BY {} LIMIT ", table.key.join(", ")))
                .bind(PAGE)
                .push(" OFFSET ")
                .bind(count as i64);
            let rows = tx.fetch_all(&q).await?;
            for row in &rows {
                let mut object = Map::new();
                for (index, (name, kind)) in table.columns.iter().enumerate() {
                    object.insert(name.clone(), encode(row, index, *kind)?);
                }
                writeln!(out, "{}", json!({"table": table.name, "row": object})).map_err(io)?;
            }
            count += rows.len() as u64;
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        if table.name == "tenants" {
            summary.tenants = count;
        }
        if count > 0 {
            summary.rows.push((table.name.clone(), count));
        }
        total += count;
    }
    writeln!(out, "{}", json!({"end": true, "rows": total})).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(summary)
}

fn bad_line(line: usize, message: impl std::fmt::Display) -> StoreError {
    StoreError::invalid(format!("line {line}"), message.to_string())
}

/// Loads an export, all or nothing, ids kept; the caller commits.
pub async fn import<T: Tx>(
    tx: &mut T,
    input: &mut (dyn std::io::BufRead + Send),
) -> Result<TransferSummary, StoreError> {
    let tables: BTreeMap<&str, &TableDef> = TABLES.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut summary = TransferSummary::default();
    let mut late_updates: Vec<Query> = Vec::new();
    let mut max_master_id = 0_i64;
    let mut total = 0_u64;
    let mut ended = false;
    let mut line_number = 0;
    let mut line = String::new();
    loop {
        line.clear();
        let read = input.read_line(&mut line).map_err(|e| match line_number {
            0 => bad_line(1, NOT_AN_EXPORT),
            _ => bad_line(line_number + 1, e),
        })?;
        if read == 0 {
            break;
        }
        line_number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(&line) {
            Ok(value) => value,
            Err(_) if line_number == 1 => return Err(bad_line(1, NOT_AN_EXPORT)),
            Err(_) if !line.ends_with('\n') => {
                return Err(bad_line(line_number, "the file ends in the middle of a line: it is truncated"));
            }
            Err(error) => return Err(bad_line(line_number, error)),
        };
        if line_number == 1 {
            if value["format"] != FORMAT {
                return Err(bad_line(1, NOT_AN_EXPORT));
            }
            if value["version"] != VERSION {
                return Err(bad_line(
                    1,
                    format!("export format version {} is not supported (this Takt reads {VERSION})", value["version"]),
                ));
            }
            continue;
        }
        if ended {
            return Err(bad_line(line_number, "rows after the end line"));
        }
        if value["end"] == true {
            if value["rows"].as_u64() != Some(total) {
                return Err(bad_line(
                    line_number,
                    format!("the file announces {} rows but holds {total}", value["rows"]),
                ));
            }
            ended = true;
            continue;
        }
        let name = value["table"].as_str().ok_or_else(|| bad_line(line_number, "a row without \"table\""))?;
        let table = tables.get(name).ok_or_else(|| bad_line(line_number, format!("unknown table '{name}'")))?;
        let row = value["row"].as_object().ok_or_else(|| bad_line(line_number, "a row without \"row\""))?;
        if row.len() != table.columns.len() {
            return Err(bad_line(
                line_number,
                format!("{name} rows have {} columns, this one has {}", table.columns.len(), row.len()),
            ));
        }
        let mut names = Vec::with_capacity(row.len());
        let mut params = Vec::with_capacity(row.len());
        let mut late = Vec::new();
        for (column, kind) in &table.columns {
            let raw = row.get(column).ok_or_else(|| bad_line(line_number, format!("{name}.{column} is missing")))?;
            let param = decode(raw, *kind).map_err(|e| bad_line(line_number, format!("{name}.{column}: {e}")))?;
            if table.late.contains(column) && !raw.is_null() {
                late.push((column.as_str(), param));
                params.push(Param::Null(SqlType::Int));
            } else {
                params.push(param);
            }
            names.push(column.as_str());
        }
        if table.key == ["id"]
            && let Some(Param::Int(id)) = params.first()
        {
            max_master_id = max_master_id.max(*id);
        }
        let mut insert = Query::new(format!("INSERT INTO {name} ({}) VALUES (", names.join(", ")));
        insert.bind_list(params.iter().cloned()).push(")");
        tx.execute(&insert).await.map_err(|e| match e {
            DbError::Unique { .. } if name == "tenants" => bad_line(
                line_number,
                format!("tenant '{}' already exists in this database", row["name"].as_str().unwrap_or_default()),
            ),
            DbError::Unique { ref columns, .. } if columns == &["id"] => bad_line(
                line_number,
                format!(
                    "{name} id {} is already used in this database; an import keeps every id, so it needs a \
                     database that holds none of them (an empty one)",
                    row["id"]
                ),
            ),
            DbError::Unique { .. } => {
                bad_line(line_number, format!("a {name} row with the same key already exists in this database"))
            }
            other => bad_line(line_number, other),
        })?;
        if !late.is_empty() {
            let mut update = Query::new(format!("UPDATE {name} SET "));
            for (i, (column, param)) in late.into_iter().enumerate() {
                update.push(if i == 0 { "" } else { ", " }).push(&format!("{column} = ")).bind(param);
            }
            update.push(" WHERE id = ").bind(params[0].clone());
            late_updates.push(update);
        }
        total += 1;
        if name == "tenants" {
            summary.tenants += 1;
        }
        match summary.rows.last_mut() {
            Some((last, count)) if last == name => *count += 1,
            _ => summary.rows.push((name.to_owned(), 1)),
        }
    }
    if line_number == 0 {
        return Err(bad_line(1, format!("the file is empty: {NOT_AN_EXPORT}")));
    }
    if !ended {
        return Err(bad_line(line_number, "the file ends without its end line: it is truncated"));
    }
    for update in &late_updates {
        tx.execute(update).await.map_err(|e| StoreError::Internal(e.to_string()))?;
    }
    tx.reserve_ids_through(max_master_id).await?;
    Ok(summary)
}
