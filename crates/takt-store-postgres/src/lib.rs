//! The PostgreSQL backend: the database several Takt instances share. Native types throughout
//! (UUID, TIMESTAMPTZ, NUMERIC, DATE, BOOLEAN); rate-limit buckets live in the database so that
//! limits hold across instances.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{
    PgArgumentBuffer, PgArguments, PgDatabaseError, PgListener, PgPoolOptions, PgRow, PgTypeInfo, PgValueFormat,
    PgValueRef,
};
use sqlx::{Decode, Encode, PgPool, Postgres, Row as _, Transaction};
use takt_store::EngineHealth;
use takt_store::sql::{Backend, DbError, Param, PoolStats, Query, Row, SqlType, Tx};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A PostgreSQL database.
pub struct PostgresBackend {
    pool: PgPool,
    /// The URL connected to, for the connection that listens for other processes' events.
    url: String,
}

impl PostgresBackend {
    /// Connects to `url` (`postgres://...`) with at most `max_connections` connections.
    pub async fn connect(url: &str, max_connections: u32) -> Result<PostgresBackend, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .map_err(classify)?;
        Ok(PostgresBackend { pool, url: url.to_owned() })
    }
}

/// A transaction on one connection.
pub enum PostgresTx {
    /// A transaction, committed or rolled back as a whole.
    Open(Transaction<'static, Postgres>),
    /// A connection for one statement, outside any transaction: commit and rollback do nothing.
    Single(PoolConnection<Postgres>),
}

impl PostgresTx {
    fn connection(&mut self) -> &mut sqlx::PgConnection {
        match self {
            PostgresTx::Open(tx) => tx,
            PostgresTx::Single(connection) => connection,
        }
    }
}

/// A row read from PostgreSQL.
pub struct PostgresRow(PgRow);

/// A decimal as a `NUMERIC`, its scale kept. sqlx writes and reads every zero as a plain `0`,
/// so `0.00` would come back as `0`; zeros are written and read here, the rest by sqlx.
struct Numeric(Decimal);

/// `NUMERIC`'s binary form of zero: no digits, weight 0, positive, then the scale.
fn zero_numeric(scale: u16) -> [u8; 8] {
    let [s0, s1] = scale.to_be_bytes();
    [0, 0, 0, 0, 0, 0, s0, s1]
}

impl sqlx::Type<Postgres> for Numeric {
    fn type_info() -> PgTypeInfo {
        <Decimal as sqlx::Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Numeric {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        if !self.0.is_zero() {
            return <Decimal as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf);
        }
        let scale = u16::try_from(self.0.scale())?;
        buf.extend_from_slice(&zero_numeric(scale));
        Ok(IsNull::No)
    }
}

impl<'r> Decode<'r, Postgres> for Numeric {
    fn decode(value: PgValueRef<'r>) -> Result<Numeric, BoxDynError> {
        if value.format() == PgValueFormat::Binary {
            let bytes = value.as_bytes()?;
            if let [0, 0, 0, 0, 0, 0, s0, s1] = *bytes {
                return Ok(Numeric(Decimal::try_new(0, u32::from(u16::from_be_bytes([s0, s1])))?));
            }
        }
        <Decimal as Decode<'r, Postgres>>::decode(value).map(Numeric)
    }
}

fn arguments(query: &Query) -> Result<PgArguments, DbError> {
    use sqlx::Arguments as _;
    let mut args = PgArguments::default();
    for param in query.params() {
        let added = match param {
            Param::Null(SqlType::Bool) => args.add(None::<bool>),
            Param::Null(SqlType::Int) => args.add(None::<i64>),
            Param::Null(SqlType::Float) => args.add(None::<f64>),
            Param::Null(SqlType::Text) => args.add(None::<String>),
            Param::Null(SqlType::Bytes) => args.add(None::<Vec<u8>>),
            Param::Null(SqlType::Uuid) => args.add(None::<Uuid>),
            Param::Null(SqlType::Timestamp) => args.add(None::<DateTime<Utc>>),
            Param::Null(SqlType::Date) => args.add(None::<NaiveDate>),
            Param::Null(SqlType::Decimal) => args.add(None::<Decimal>),
            Param::Bool(b) => args.add(*b),
            Param::Int(i) => args.add(*i),
            Param::Float(f) => args.add(*f),
            Param::Text(s) => args.add(s.clone()),
            Param::Bytes(b) => args.add(b.clone()),
            Param::Uuid(u) => args.add(*u),
            Param::Timestamp(t) => args.add(*t),
            Param::Date(d) => args.add(*d),
            Param::Decimal(d) => args.add(Numeric(*d)),
        };
        added.map_err(|e| DbError::Other(format!("cannot bind {param:?}: {e}")))?;
    }
    Ok(args)
}

/// `Key (tenant_id, name_folded)=(...) already exists.` -> `["tenant_id", "name_folded"]`
fn key_columns(detail: Option<&str>) -> Vec<String> {
    detail
        .and_then(|d| d.strip_prefix("Key ("))
        .and_then(|d| d.split_once(")="))
        .map(|(columns, _)| columns.split(", ").map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Sorts a PostgreSQL error into what the store reacts to.
fn classify(error: sqlx::Error) -> DbError {
    match &error {
        sqlx::Error::Database(db) => {
            let message = db.message().to_owned();
            let Some(pg) = db.try_downcast_ref::<PgDatabaseError>() else { return DbError::Other(message) };
            match pg.code() {
                "23505" => DbError::Unique {
                    table: pg.table().unwrap_or_default().to_owned(),
                    columns: key_columns(pg.detail()),
                },
                "23503" => DbError::ForeignKey(message),
                // serialization_failure, deadlock_detected, lock_not_available
                "40001" | "40P01" | "55P03" => DbError::Retryable(message),
                code if code.starts_with("08") || code.starts_with("57P") => DbError::Unavailable(message),
                _ => DbError::Other(format!("{message} ({})", pg.code())),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            DbError::Unavailable(error.to_string())
        }
        _ => DbError::Other(error.to_string()),
    }
}

#[async_trait]
impl Tx for PostgresTx {
    type Row = PostgresRow;

    async fn execute(&mut self, query: &Query) -> Result<u64, DbError> {
        let result =
            sqlx::query_with(query.sql(), arguments(query)?).execute(self.connection()).await.map_err(classify)?;
        Ok(result.rows_affected())
    }

    async fn fetch_all(&mut self, query: &Query) -> Result<Vec<PostgresRow>, DbError> {
        let rows =
            sqlx::query_with(query.sql(), arguments(query)?).fetch_all(self.connection()).await.map_err(classify)?;
        Ok(rows.into_iter().map(PostgresRow).collect())
    }

    async fn fetch_optional(&mut self, query: &Query) -> Result<Option<PostgresRow>, DbError> {
        let row = sqlx::query_with(query.sql(), arguments(query)?)
            .fetch_optional(self.connection())
            .await
            .map_err(classify)?;
        Ok(row.map(PostgresRow))
    }

    async fn next_id(&mut self) -> Result<i64, DbError> {
        let row =
            sqlx::query("SELECT nextval('master_data_ids')").fetch_one(self.connection()).await.map_err(classify)?;
        row.try_get(0).map_err(classify)
    }

    async fn lock_tenant(&mut self, tenant: Uuid) -> Result<(), DbError> {
        // NO KEY UPDATE: other transactions may still insert rows that reference the tenant.
        sqlx::query("SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE")
            .bind(tenant)
            .execute(self.connection())
            .await
            .map_err(classify)?;
        Ok(())
    }

    fn skip_locked(&self, alias: &str) -> String {
        format!(" FOR UPDATE OF {alias} SKIP LOCKED")
    }

    async fn notify_events(&mut self, tenant: Uuid) -> Result<(), DbError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(EVENTS_CHANNEL)
            .bind(tenant.to_string())
            .execute(self.connection())
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn reserve_ids_through(&mut self, max_id: i64) -> Result<(), DbError> {
        if max_id > 0 {
            sqlx::query("SELECT setval('master_data_ids', GREATEST($1, (SELECT last_value FROM master_data_ids)))")
                .bind(max_id)
                .execute(self.connection())
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    async fn commit(self) -> Result<(), DbError> {
        match self {
            PostgresTx::Open(tx) => tx.commit().await.map_err(classify),
            PostgresTx::Single(_) => Ok(()),
        }
    }

    async fn rollback(self) -> Result<(), DbError> {
        match self {
            PostgresTx::Open(tx) => tx.rollback().await.map_err(classify),
            PostgresTx::Single(_) => Ok(()),
        }
    }
}

fn decode<T>(result: Result<Option<T>, sqlx::Error>) -> Result<Option<T>, DbError> {
    result.map_err(|e| DbError::Decode(e.to_string()))
}

impl Row for PostgresRow {
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
        decode(self.0.try_get(index))
    }

    fn opt_date(&self, index: usize) -> Result<Option<NaiveDate>, DbError> {
        decode(self.0.try_get(index))
    }

    fn opt_decimal(&self, index: usize) -> Result<Option<Decimal>, DbError> {
        decode(self.0.try_get::<Option<Numeric>, _>(index)).map(|d| d.map(|Numeric(d)| d))
    }
}

#[async_trait]
impl Backend for PostgresBackend {
    type Tx = PostgresTx;

    fn name(&self) -> &'static str {
        "postgres"
    }

    fn shared(&self) -> bool {
        true
    }

    async fn begin_write(&self) -> Result<PostgresTx, DbError> {
        Ok(PostgresTx::Open(self.pool.begin().await.map_err(classify)?))
    }

    async fn begin_read(&self) -> Result<PostgresTx, DbError> {
        let tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(classify)?;
        Ok(PostgresTx::Open(tx))
    }

    async fn begin_single_read(&self) -> Result<PostgresTx, DbError> {
        Ok(PostgresTx::Single(self.pool.acquire().await.map_err(classify)?))
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(classify)?;
        Ok(())
    }

    async fn migrate(&self) -> Result<(), DbError> {
        MIGRATOR.run(&self.pool).await.map_err(|e| DbError::Other(format!("migrating failed: {e}")))
    }

    fn known_migrations(&self) -> Vec<(i64, String)> {
        MIGRATOR.iter().map(|m| (m.version, m.description.to_string())).collect()
    }

    async fn applied_migrations(&self) -> Result<Vec<(i64, bool)>, DbError> {
        let (recorded,): (bool,) = sqlx::query_as("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        if !recorded {
            return Ok(Vec::new());
        }
        sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.pool)
            .await
            .map_err(classify)
    }

    async fn engine_health(&self) -> Result<EngineHealth, DbError> {
        let (max, reserved, in_use): (i64, i64, i64) = sqlx::query_as(
            "SELECT current_setting('max_connections')::bigint, \
             current_setting('superuser_reserved_connections')::bigint, (SELECT count(*) FROM pg_stat_activity)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(classify)?;
        Ok(EngineHealth {
            max_connections: Some(max),
            reserved_connections: Some(reserved),
            connections_in_use: Some(in_use),
            ..EngineHealth::default()
        })
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    fn pools(&self) -> Vec<PoolStats> {
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        let max = self.pool.options().get_max_connections();
        vec![PoolStats { name: "main", size: self.pool.size(), idle, max }]
    }

    fn watch_events(&self, sink: tokio::sync::broadcast::Sender<Uuid>) {
        tokio::spawn(listen_for_events(self.url.clone(), sink));
    }
}

/// The channel `NOTIFY` carries a tenant's id on when its events commit.
const EVENTS_CHANNEL: &str = "takt_events";

/// Forwards every tenant id notified on [`EVENTS_CHANNEL`] to `sink`, on a connection of its
/// own. After the connection was lost (notices may have been missed meanwhile) it sends the
/// nil id, which wakes every listener.
async fn listen_for_events(url: String, sink: tokio::sync::broadcast::Sender<Uuid>) {
    let mut listener = loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(EVENTS_CHANNEL).await {
                Ok(()) => break listener,
                Err(error) => tracing::warn!(%error, "listening for events failed; retrying"),
            },
            Err(error) => tracing::warn!(%error, "connecting to listen for events failed; retrying"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    loop {
        let tenant = match listener.recv().await {
            Ok(notice) => Uuid::parse_str(notice.payload()).unwrap_or(Uuid::nil()),
            Err(error) => {
                tracing::warn!(%error, "the event listener lost its connection; reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
                Uuid::nil()
            }
        };
        let _ = sink.send(tenant);
    }
}
