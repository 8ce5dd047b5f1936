//! Reading a push file into records: CSV with a header row, or JSON lines (one object a line).
//!
//! The client checks the file's shape against the entity's field list (the one the server parses
//! with): which columns or keys exist, and that numbers, booleans and nested lists are what their
//! fields take. Values (lengths, ranges, dates, references) are the server's to judge; a refused
//! record lands in the failed file.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use clap::ValueEnum;
use serde_json::{Map, Number, Value};
use takt_domain::erp::STAND_INS;
use takt_domain::json::{BodyError, from_slice};
use takt_domain::schema::{Field, Kind};

/// The column (CSV) or key (JSON lines) that carries a failed record's error in the failed file;
/// it is skipped when that file is pushed again.
pub const ERROR_FIELD: &str = "_error";

/// How a push file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row of field names.
    Csv,
    /// One JSON object a line (`.jsonl`, `.ndjson`).
    Jsonl,
}

impl Format {
    /// The format a file's extension says, if it says one.
    pub fn of(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }
}

/// One record of the file.
#[derive(Debug)]
pub struct Record {
    /// Where it starts in the file (1-based; a CSV header is line 1).
    pub line: u64,
    /// The JSON object sent for it.
    pub value: Value,
    /// The CSV row as read (every column, for the failed file); `None` for JSON lines.
    pub row: Option<csv::StringRecord>,
}

/// A whole file, read and checked.
#[derive(Debug)]
pub struct Input {
    pub format: Format,
    /// The CSV header row, as read.
    pub header: Option<csv::StringRecord>,
    pub records: Vec<Record>,
}

/// Something wrong with the file, found before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    /// `column 5 (quantity)` or `parts[0].quantity`; `None` for the whole line.
    pub at: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "line {}, {at}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Reads `bytes` as `format`: the records of `entity` (plural, for messages) or every problem.
pub fn read(bytes: &[u8], format: Format, entity: &str, fields: &'static [Field]) -> Result<Input, Vec<Problem>> {
    match format {
        Format::Csv => read_csv(bytes, entity, fields),
        Format::Jsonl => read_jsonl(bytes, entity, fields),
    }
}

fn unknown(entity: &str, fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    format!("is not a field of {entity} (they are: {})", names.join(", "))
}

fn read_csv(bytes: &[u8], entity: &str, fields: &'static [Field]) -> Result<Input, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header = reader.headers().map_err(|e| vec![csv_problem(&e)])?.clone();
    let mut problems = Vec::new();
    let mut columns: Vec<Option<&'static Field>> = Vec::new();
    let mut seen = HashSet::new();
    for (index, name) in header.iter().enumerate() {
        let at = Some(format!("column {} ({name})", index + 1));
        let problem = |message: String| Problem { line: 1, at: at.clone(), message };
        if name == ERROR_FIELD {
            columns.push(None);
            continue;
        }
        if !seen.insert(name) {
            problems.push(problem("is given twice".to_owned()));
        }
        match fields.iter().find(|f| f.name == name) {
            Some(field) if matches!(field.kind, Kind::Objects { .. }) => {
                problems.push(problem("holds nested records, which only JSON lines can carry".to_owned()));
            }
            Some(field) => columns.push(Some(field)),
            None => problems.push(problem(unknown(entity, fields))),
        }
        columns.resize(index + 1, None);
    }
    for field in fields.iter().filter(|f| f.required && !matches!(f.kind, Kind::Objects { .. })) {
        if seen.contains(field.name) {
            continue;
        }
        let stand_in = STAND_INS.iter().find(|(required, _)| *required == field.name).map(|(_, s)| *s);
        match stand_in {
            Some(stand_in) if seen.contains(stand_in) => {}
            Some(stand_in) => problems.push(Problem {
                line: 1,
                at: None,
                message: format!("the required column {} (or {stand_in}) is missing", field.name),
            }),
            None => problems.push(Problem {
                line: 1,
                at: None,
                message: format!("the required column {} is missing", field.name),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut records = Vec::new();
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                problems.push(csv_problem(&error));
                continue;
            }
        };
        let line = row.position().map_or(0, csv::Position::line);
        let mut object = Map::new();
        for (index, (cell, column)) in row.iter().zip(&columns).enumerate() {
            let Some(field) = column else { continue };
            if cell.is_empty() {
                continue;
            }
            match typed(field.kind, cell) {
                Ok(value) => {
                    object.insert(field.name.to_owned(), value);
                }
                Err(message) => {
                    problems.push(Problem { line, at: Some(format!("column {} ({})", index + 1, field.name)), message })
                }
            }
        }
        records.push(Record { line, value: Value::Object(object), row: Some(row) });
    }
    if problems.is_empty() { Ok(Input { format: Format::Csv, header: Some(header), records }) } else { Err(problems) }
}

fn csv_problem(error: &csv::Error) -> Problem {
    let line = error.position().map_or(0, csv::Position::line);
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} cells where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text".to_owned(),
        _ => error.to_string(),
    };
    Problem { line, at: None, message }
}

/// A CSV cell as the JSON value its field takes: numbers and booleans by the field's kind,
/// everything else as text.
fn typed(kind: Kind, cell: &str) -> Result<Value, String> {
    match kind {
        Kind::Integer { .. } => cell
            .parse::<Number>()
            .ok()
            .filter(|_| !cell.contains(['.', 'e', 'E']))
            .map(Value::Number)
            .ok_or_else(|| format!("must be a whole number, not {cell:?}")),
        Kind::Decimal(_) => cell
            .parse::<Number>()
            .map(Value::Number)
            .map_err(|_| format!("must be a number such as 12.5, not {cell:?}")),
        Kind::Bool if cell.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Kind::Bool if cell.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        Kind::Bool => Err(format!("must be true or false, not {cell:?}")),
        Kind::JsonObject { .. } => {
            serde_json::from_str(cell).map_err(|_| format!("must be a JSON object, not {cell:?}"))
        }
        _ => Ok(Value::String(cell.to_owned())),
    }
}

fn read_jsonl(bytes: &[u8], entity: &str, fields: &'static [Field]) -> Result<Input, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut records = Vec::new();
    for (index, text) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = index as u64 + 1;
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let whole = |message: String| Problem { line, at: None, message };
        match from_slice(text) {
            Err(BodyError::Syntax(error)) => problems.push(whole(format!("is not JSON: {error}"))),
            Err(BodyError::Repeated { listed, .. }) => {
                problems.extend(listed.0.into_iter().map(|e| Problem { line, at: Some(e.field), message: e.message }))
            }
            Ok(Value::Object(mut object)) => {
                object.shift_remove(ERROR_FIELD);
                check_object(&object, fields, entity, "", line, &mut problems);
                records.push(Record { line, value: Value::Object(object), row: None });
            }
            Ok(_) => problems.push(whole("must be a JSON object (one record a line)".to_owned())),
        }
    }
    if problems.is_empty() { Ok(Input { format: Format::Jsonl, header: None, records }) } else { Err(problems) }
}

fn check_object(
    object: &Map<String, Value>,
    fields: &'static [Field],
    entity: &str,
    prefix: &str,
    line: u64,
    problems: &mut Vec<Problem>,
) {
    for (key, value) in object {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            problems.push(Problem { line, at: Some(path), message: unknown(entity, fields) });
            continue;
        };
        if let Err(message) = json_type(field.kind, value) {
            problems.push(Problem { line, at: Some(path), message: message.to_owned() });
        } else if let (Kind::Objects { fields: children, .. }, Value::Array(items)) = (field.kind, value) {
            for (i, item) in items.iter().enumerate() {
                if let Value::Object(child) = item {
                    check_object(child, children, field.name, &format!("{path}[{i}]"), line, problems);
                }
            }
        }
    }
}

/// Whether a JSON value has the type its field takes; `null` is the server's to judge.
fn json_type(kind: Kind, value: &Value) -> Result<(), &'static str> {
    let fits = match kind {
        _ if value.is_null() => true,
        Kind::Integer { .. } | Kind::Decimal(_) => value.is_number(),
        Kind::Bool => value.is_boolean(),
        Kind::Objects { .. } => value.as_array().is_some_and(|items| items.iter().all(Value::is_object)),
        _ => value.is_string(),
    };
    if fits {
        return Ok(());
    }
    Err(match kind {
        Kind::Integer { .. } | Kind::Decimal(_) => "must be a number",
        Kind::Bool => "must be true or false",
        Kind::Objects { .. } => "must be an array of objects",
        _ => "must be a string",
    })
}

#[cfg(test)]
mod tests {
    use takt_domain::erp::{JOB_FIELDS, OPERATION_FIELDS};

    use super::*;

    #[test]
    fn csv_cells_are_typed_by_their_fields() {
        let csv = "external_id,external_source,job_number,priority,notes\nSO-1,SAP,J-1,3,\n";
        let input = read(csv.as_bytes(), Format::Csv, "jobs", JOB_FIELDS).unwrap();
        let expected =
            serde_json::json!({"external_id": "SO-1", "external_source": "SAP", "job_number": "J-1", "priority": 3});
        assert_eq!(input.records[0].value, expected);
        assert_eq!(input.records[0].line, 2);
    }

    #[test]
    fn a_stand_in_column_replaces_a_required_one() {
        let csv = "external_id,external_source,part_id,operation_name,cell_id\n";
        assert!(read(csv.as_bytes(), Format::Csv, "operations", OPERATION_FIELDS).is_ok());
        let problems =
            read(b"external_id,external_source,operation_name,cell_id\n", Format::Csv, "operations", OPERATION_FIELDS)
                .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("part_external_id (or part_id)"), "{}", problems[0]);
    }

    #[test]
    fn jsonl_checks_nested_keys_and_types() {
        let text = "{\"external_id\":\"SO-1\",\"parts\":[{\"external_id\":\"P\",\"colour\":1,\"quantity\":\"2\"}]}\n";
        let problems = read(text.as_bytes(), Format::Jsonl, "jobs", JOB_FIELDS).unwrap_err();
        let at: Vec<_> = problems.iter().map(|p| p.at.clone().unwrap()).collect();
        assert_eq!(at, ["parts[0].colour", "parts[0].quantity"]);
    }
}
