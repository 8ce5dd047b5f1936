//! The embedded SQLite backend: one file, WAL mode, one writer connection and a pool of
//! readers. Types SQLite lacks are stored as text (timestamps in RFC 3339 UTC with
//! microseconds, decimals with their exact digits, dates as `YYYY-MM-DD`) and UUIDs as 16-byte
//! blobs.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row as _, Sqlite, SqlitePool, Transaction};
use takt_store::EngineHealth;
use takt_store::sql::{Backend, DbError, Param, PoolStats, Query, Row, Tx};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many connections read at once (writes go through one connection).
const READERS: u32 = 8;

/// A SQLite database file.
pub struct SqliteBackend {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteBackend {
    /// Opens (creating if needed) the database at `location`: a path or `sqlite://PATH`.
    pub async fn open(location: &str) -> Result<SqliteBackend, DbError> {
        let path = location.strip_prefix("sqlite://").or_else(|| location.strip_prefix("sqlite:")).unwrap_or(location);
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        // A file's connection does not go stale: no ping (a round trip to the connection's
        // thread) before each use.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await
            .map_err(classify)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(classify)?;
        Ok(SqliteBackend { writer, reader })
    }
}

/// A transaction on one connection.
pub enum SqliteTx {
    /// A transaction, committed or rolled back as a whole.
    Open(Transaction<'static, Sqlite>),
    /// A connection for one statement, outside any transaction: commit and rollback do nothing.
    Single(PoolConnection<Sqlite>),
}

impl SqliteTx {
    fn connection(&mut self) -> &mut sqlx::SqliteConnection {
        match self {
            SqliteTx::Open(tx) => tx,
            SqliteTx::Single(connection) => connection,
        }
    }
}

/// A row read from SQLite.
pub struct SqliteRowRef(SqliteRow);

fn timestamp_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Rewrites the shared SQL's `$n` placeholders as anonymous `?`, and says which parameter each
/// `?` takes, in order. SQLite looks numbered and named parameters up in a list, linearly, when
/// it parses a statement and again when sqlx binds it: a bulk upsert with thousands of
/// parameters would spend most of its time there. Anonymous ones cost nothing.
fn positional(sql: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(sql.len());
    let mut order = Vec::new();
    let mut in_literal = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\'' => {
                in_literal = !in_literal;
                out.push(c);
            }
            '$' if !in_literal && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) => {
                let mut number = 0_usize;
                while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
                    number = number * 10 + d.to_digit(10).unwrap_or_default() as usize;
                    chars.next();
                }
                order.push(number);
                out.push('?');
            }
            _ => out.push(c),
        }
    }
    (out, order)
}

fn arguments<'q>(query: &'q Query, order: &[usize]) -> Result<SqliteArguments<'q>, DbError> {
    use sqlx::Arguments as _;
    let mut args = SqliteArguments::default();
    for &number in order {
        let param = query
            .params()
            .get(number.wrapping_sub(1))
            .ok_or_else(|| DbError::Other(format!("the statement names ${number}, which has no parameter")))?;
        let added = match param {
            Param::Null(_) => args.add(None::<i64>),
            Param::Bool(b) => args.add(*b),
            Param::Int(i) => args.add(*i),
            Param::Float(f) => args.add(*f),
            Param::Text(s) => args.add(s.as_str()),
            Param::Bytes(b) => args.add(b.as_slice()),
            Param::Uuid(u) => args.add(*u),
            Param::Timestamp(t) => args.add(timestamp_text(t)),
            Param::Date(d) => args.add(d.format("%Y-%m-%d").to_string()),
            Param::Decimal(d) => args.add(d.to_string()),
        };
        added.map_err(|e| DbError::Other(format!("cannot bind {param:?}: {e}")))?;
    }
    Ok(args)
}

/// Sorts a SQLite error into what the store reacts to.
fn classify(error: sqlx::Error) -> DbError {
    match &error {
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|c| c.parse::<i32>().ok()).unwrap_or_default();
            let message = db.message().to_owned();
            match code & 0xff {
                // SQLITE_BUSY, SQLITE_LOCKED
                5 | 6 => DbError::Retryable(message),
                // SQLITE_CONSTRAINT
                19 => {
                    if let Some(list) = message.strip_prefix("UNIQUE constraint failed: ") {
                        let mut table = String::new();
                        let columns = list
                            .split(", ")
                            .map(|qualified| match qualified.split_once('.') {
                                Some((t, c)) => {
                                    table = t.to_owned();
                                    c.to_owned()
                                }
                                None => qualified.to_owned(),
                            })
                            .collect();
                        DbError::Unique { table, columns }
                    } else if message.contains("FOREIGN KEY") {
                        DbError::ForeignKey(message)
                    } else {
                        DbError::Other(message)
                    }
                }
                _ => DbError::Other(message),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            DbError::Unavailable(error.to_string())
        }
        _ => DbError::Other(error.to_string()),
    }
}

#[async_trait]
impl Tx for SqliteTx {
    type Row = SqliteRowRef;

    async fn execute(&mut self, query: &Query) -> Result<u64, DbError> {
        let (sql, order) = positional(query.sql());
        let result =
            sqlx::query_with(&sql, arguments(query, &order)?).execute(self.connection()).await.map_err(classify)?;
        Ok(result.rows_affected())
    }

    async fn fetch_all(&mut self, query: &Query) -> Result<Vec<SqliteRowRef>, DbError> {
        let (sql, order) = positional(query.sql());
        let rows =
            sqlx::query_with(&sql, arguments(query, &order)?).fetch_all(self.connection()).await.map_err(classify)?;
        Ok(rows.into_iter().map(SqliteRowRef).collect())
    }

    async fn fetch_optional(&mut self, query: &Query) -> Result<Option<SqliteRowRef>, DbError> {
        let (sql, order) = positional(query.sql());
        let row = sqlx::query_with(&sql, arguments(query, &order)?)
            .fetch_optional(self.connection())
            .await
            .map_err(classify)?;
        Ok(row.map(SqliteRowRef))
    }

    async fn next_id(&mut self) -> Result<i64, DbError> {
        let row = sqlx::query(
            "UPDATE id_counters SET next_value = next_value + 1 WHERE name = 'master_data' RETURNING next_value - 1",
        )
        .fetch_one(self.connection())
        .await
        .map_err(classify)?;
        row.try_get(0).map_err(classify)
    }

    async fn lock_tenant(&mut self, _tenant: Uuid) -> Result<(), DbError> {
        // Every write transaction holds SQLite's one write lock already.
        Ok(())
    }

    async fn reserve_ids_through(&mut self, max_id: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE id_counters SET next_value = max(next_value, $1 + 1) WHERE name = 'master_data'")
            .bind(max_id)
            .execute(self.connection())
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn commit(self) -> Result<(), DbError> {
        match self {
            SqliteTx::Open(tx) => tx.commit().await.map_err(classify),
            SqliteTx::Single(_) => Ok(()),
        }
    }

    async fn rollback(self) -> Result<(), DbError> {
        match self {
            SqliteTx::Open(tx) => tx.rollback().await.map_err(classify),
            SqliteTx::Single(_) => Ok(()),
        }
    }
}

fn decode<T>(result: Result<Option<T>, sqlx::Error>) -> Result<Option<T>, DbError> {
    result.map_err(|e| DbError::Decode(e.to_string()))
}

fn parsed<T, E: std::fmt::Display>(
    text: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, DbError> {
    text.map(|t| parse(&t).map_err(|e| DbError::Decode(format!("'{t}': {e}")))).transpose()
}

impl Row for SqliteRowRef {
    fn opt_bool(&self, index: usize) -> Result<Option<bool>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_i64(&self, index: usize) -> Result<Option<i64>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_f64(&self, index: usize) -> Result<Option<f64>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_text(&self, index: usize) -> Result<Option<String>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_bytes(&self, index: usize) -> Result<Option<Vec<u8>>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_uuid(&self, index: usize) -> Result<Option<Uuid>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_timestamp(&self, index: usize) -> Result<Option<DateTime<Utc>>, DbError> {
        parsed(self.opt_text(index)?, |t| DateTime::parse_from_rfc3339(t).map(|d| d.with_timezone(&Utc)))
    }

    fn opt_date(&self, index: usize) -> Result<Option<NaiveDate>, DbError> {
        parsed(self.opt_text(index)?, |t| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
    }

    fn opt_decimal(&self, index: usize) -> Result<Option<Decimal>, DbError> {
        parsed(self.opt_text(index)?, Decimal::from_str)
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    type Tx = SqliteTx;

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn shared(&self) -> bool {
        false
    }

    /// One writer connection: every write takes its turn, so all share one group.
    fn write_group(&self, _tenant: Uuid) -> Uuid {
        Uuid::nil()
    }

    async fn begin_write(&self) -> Result<SqliteTx, DbError> {
        Ok(SqliteTx::Open(self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(classify)?))
    }

    async fn begin_read(&self) -> Result<SqliteTx, DbError> {
        Ok(SqliteTx::Open(self.reader.begin().await.map_err(classify)?))
    }

    async fn begin_single_read(&self) -> Result<SqliteTx, DbError> {
        Ok(SqliteTx::Single(self.reader.acquire().await.map_err(classify)?))
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.reader).await.map_err(classify)?;
        Ok(())
    }

    /// sqlx's SQLite migrator takes no lock: two processes starting on one new file (a
    /// `takt keys create` beside a first `takt serve`) race, the loser fails, and tried again
    /// finds the schema up to date.
    async fn migrate(&self) -> Result<(), DbError> {
        let mut attempt = 1;
        loop {
            match MIGRATOR.run(&self.writer).await {
                Ok(()) => return Ok(()),
                Err(error) if attempt < 5 => {
                    tracing::debug!(%error, attempt, "migrating failed; trying again");
                    tokio::time::sleep(Duration::from_millis(50 * attempt * attempt)).await;
                    attempt += 1;
                }
                Err(error) => return Err(DbError::Other(format!("migrating failed: {error}"))),
            }
        }
    }

    fn known_migrations(&self) -> Vec<(i64, String)> {
        MIGRATOR.iter().map(|m| (m.version, m.description.to_string())).collect()
    }

    async fn applied_migrations(&self) -> Result<Vec<(i64, bool)>, DbError> {
        let recorded = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'";
        if sqlx::query(recorded).fetch_optional(&self.reader).await.map_err(classify)?.is_none() {
            return Ok(Vec::new());
        }
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.reader)
            .await
            .map_err(classify)
    }

    async fn engine_health(&self) -> Result<EngineHealth, DbError> {
        let problems: Vec<(String,)> =
            sqlx::query_as("PRAGMA integrity_check").fetch_all(&self.reader).await.map_err(classify)?;
        let files: Vec<(i64, String, String)> =
            sqlx::query_as("PRAGMA database_list").fetch_all(&self.reader).await.map_err(classify)?;
        Ok(EngineHealth {
            integrity: Some(problems.into_iter().map(|(p,)| p).collect::<Vec<_>>().join("; ")),
            file: files.into_iter().find(|(_, name, _)| name == "main").map(|(_, _, file)| file),
            ..EngineHealth::default()
        })
    }

    async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    fn pools(&self) -> Vec<PoolStats> {
        vec![stats("writer", &self.writer), stats("reader", &self.reader)]
    }
}

fn stats(name: &'static str, pool: &SqlitePool) -> PoolStats {
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
    PoolStats { name, size: pool.size(), idle, max: pool.options().get_max_connections() }
}

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn numbered_placeholders_become_anonymous_in_order() {
        let (sql, order) = positional("INSERT INTO t VALUES ($1, $2, 'a$3', $12, $2) -- $x");
        assert_eq!(sql, "INSERT INTO t VALUES (?, ?, 'a$3', ?, ?) -- $x");
        assert_eq!(order, [1, 2, 12, 2]);
    }
}
