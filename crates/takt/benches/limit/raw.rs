//! The ceilings: Takt's own upsert of a job, on a database Takt migrated, sent straight through
//! sqlx with the pool and pragmas Takt's backend uses, no HTTP, no Takt code in between.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use uuid::Uuid;

use crate::data::{Job, PRODUCT_PREFIX, SOURCE};
use crate::load::{Run, drive};

/// The columns of the statement `takt-store/src/sql/erp/upsert.rs` builds for a job that
/// gives `job_number`, `customer`, `due_date` and `priority` (the set and patched columns after
/// the ones every row has and those set on create), and what an update overwrites.
const COLUMNS: &str = "id, tenant_id, external_source, external_id, created_at, updated_at, status, deleted_at, \
     job_number, job_number_folded, customer, customer_folded, due_date, priority, notes, metadata";
const PER_ROW: usize = 16;
const UPDATE: &str = " ON CONFLICT (tenant_id, external_source, external_id) DO UPDATE SET \
     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at, job_number = excluded.job_number, \
     job_number_folded = excluded.job_number_folded, customer = excluded.customer, \
     customer_folded = excluded.customer_folded, due_date = excluded.due_date, priority = excluded.priority \
     RETURNING id, external_source, external_id";

/// A database opened as Takt's backend opens it.
#[derive(Clone)]
pub enum Raw {
    /// The SQLite backend's writer: one connection, WAL, `synchronous=NORMAL`, foreign keys on.
    Sqlite(SqlitePool),
    /// A pool of as many connections as `takt serve` opens by default.
    Postgres(PgPool),
}

/// Which placeholders a statement uses: SQLite's backend sends anonymous `?` (see
/// `positional` in `takt-store-sqlite`), PostgreSQL's the shared SQL's `$n`.
fn upsert_sql(rows: usize, anonymous: bool) -> String {
    let mut sql = format!("INSERT INTO jobs ({COLUMNS}) VALUES ");
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..PER_ROW {
            if column > 0 {
                sql.push_str(", ");
            }
            if anonymous {
                sql.push('?');
            } else {
                sql.push_str(&format!("${}", row * PER_ROW + column + 1));
            }
        }
        sql.push(')');
    }
    sql + UPDATE
}

fn date(job: &Job) -> NaiveDate {
    NaiveDate::parse_from_str(&job.due_date, "%Y-%m-%d").expect("a due date")
}

impl Raw {
    /// Opens `database` (a SQLite path or a PostgreSQL URL), which Takt has migrated.
    pub async fn open(database: &str) -> Raw {
        if database.starts_with("postgres") {
            Raw::Postgres(sqlx::postgres::PgPoolOptions::new().max_connections(16).connect(database).await.unwrap())
        } else {
            let options = SqliteConnectOptions::new()
                .filename(database)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            Raw::Sqlite(SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap())
        }
    }

    /// The id of the tenant named `name`.
    pub async fn tenant(&self, name: &str) -> Uuid {
        let sql = "SELECT id FROM tenants WHERE name = $1";
        match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(sql).bind(name).fetch_one(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(sql).bind(name).fetch_one(pool).await.unwrap(),
        }
    }

    /// Upserts `jobs` in one statement, in a transaction of its own (autocommit).
    pub async fn upsert(&self, tenant: Uuid, jobs: &[Job]) {
        let at = Utc::now();
        match self {
            Raw::Sqlite(pool) => {
                let sql = upsert_sql(jobs.len(), true);
                let mut q = sqlx::query(&sql);
                let stamp = at.to_rfc3339_opts(SecondsFormat::Micros, true);
                for job in jobs {
                    q = q
                        .bind(Uuid::now_v7())
                        .bind(tenant)
                        .bind(SOURCE)
                        .bind(&job.external_id)
                        .bind(stamp.clone())
                        .bind(stamp.clone())
                        .bind("not_started")
                        .bind(None::<String>)
                        .bind(&job.job_number)
                        .bind(job.job_number.to_lowercase())
                        .bind(&job.customer)
                        .bind(job.customer.to_lowercase())
                        .bind(&job.due_date)
                        .bind(job.priority)
                        .bind(None::<String>)
                        .bind(None::<String>);
                }
                let rows = q.fetch_all(pool).await.unwrap();
                assert_eq!(rows.len(), jobs.len());
            }
            Raw::Postgres(pool) => {
                let sql = upsert_sql(jobs.len(), false);
                let mut q = sqlx::query(&sql);
                for job in jobs {
                    q = q
                        .bind(Uuid::now_v7())
                        .bind(tenant)
                        .bind(SOURCE)
                        .bind(&job.external_id)
                        .bind(at)
                        .bind(at)
                        .bind("not_started")
                        .bind(None::<DateTime<Utc>>)
                        .bind(&job.job_number)
                        .bind(job.job_number.to_lowercase())
                        .bind(&job.customer)
                        .bind(job.customer.to_lowercase())
                        .bind(date(job))
                        .bind(job.priority)
                        .bind(None::<String>)
                        .bind(None::<String>);
                }
                let rows = q.fetch_all(pool).await.unwrap();
                assert_eq!(rows.len(), jobs.len());
            }
        }
    }

    /// Copies the product named `seed` into `count` products named by [`crate::data::product_name`], with
    /// one `INSERT ... SELECT` (every column copied but the id, the name and the unique `suid`),
    /// and moves the master-data id counter past them, as `takt import` does.
    pub async fn load_products(&self, seed: &str, count: usize) {
        let (columns_sql, series) = match self {
            Raw::Sqlite(_) => (
                "SELECT name FROM pragma_table_info('products') ORDER BY cid",
                format!(
                    "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) SELECT i FROM s)"
                ),
            ),
            Raw::Postgres(_) => (
                "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'products' ORDER BY ordinal_position",
                format!("(SELECT generate_series(1, {count}) AS i)"),
            ),
        };
        let columns: Vec<String> = match self {
            Raw::Sqlite(pool) => sqlx::query_scalar(columns_sql).fetch_all(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar(columns_sql).fetch_all(pool).await.unwrap(),
        };
        let base: i64 = match self {
            Raw::Sqlite(pool) => sqlx::query_scalar("SELECT max(id) FROM products").fetch_one(pool).await.unwrap(),
            Raw::Postgres(pool) => sqlx::query_scalar("SELECT max(id) FROM products").fetch_one(pool).await.unwrap(),
        };
        let prefix = PRODUCT_PREFIX;
        let values: Vec<String> = columns
            .iter()
            .map(|column| match column.as_str() {
                "id" => format!("{base} + n.i"),
                "name" => format!("'{prefix}' || n.i"),
                "name_folded" => format!("'{}' || n.i", prefix.to_lowercase()),
                "suid" | "suid_folded" => "NULL".to_owned(),
                other => format!("p.{other}"),
            })
            .collect();
        let insert = format!(
            "INSERT INTO products ({}) SELECT {} FROM {series} n CROSS JOIN products p WHERE p.name = '{seed}'",
            columns.join(", "),
            values.join(", ")
        );
        let last = base + count as i64;
        match self {
            Raw::Sqlite(pool) => {
                sqlx::query(&insert).execute(pool).await.unwrap();
                let counter = "UPDATE id_counters SET next_value = $1 WHERE name = 'master_data'";
                sqlx::query(counter).bind(last + 1).execute(pool).await.unwrap();
            }
            Raw::Postgres(pool) => {
                sqlx::query(&insert).execute(pool).await.unwrap();
                sqlx::query("SELECT setval('master_data_ids', $1)").bind(last).execute(pool).await.unwrap();
                sqlx::query("ANALYZE products").execute(pool).await.unwrap();
            }
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            Raw::Sqlite(pool) => pool.close().await,
            Raw::Postgres(pool) => pool.close().await,
        }
    }
}

/// The three ceilings of one database.
pub struct Ceilings {
    pub bulk_fresh: Run,
    pub bulk_unchanged: Run,
    pub single: Run,
    /// The same from one task: what the engine and driver do without a queue at the pool.
    pub single_alone: Run,
}

/// Measures the ceilings on `database`, in tenant `tenant`: `bulk` statements of `rows` new
/// jobs one after another, the same statements again (every row already stored and unchanged),
/// then `single` one-row upserts of new jobs from one task and from `connections` concurrent
/// tasks.
pub async fn ceilings(
    raw: &Raw,
    tenant: Uuid,
    bulk: usize,
    rows: usize,
    single: usize,
    connections: usize,
    limit: Duration,
) -> Ceilings {
    let batches: Arc<Vec<Vec<Job>>> =
        Arc::new((0..bulk).map(|b| (0..rows).map(|r| Job::new("RAW-BULK", b * rows + r)).collect()).collect());
    let statements = |batches: Arc<Vec<Vec<Job>>>| {
        let raw = raw.clone();
        drive(1, bulk, limit, move |i| {
            let (raw, batches) = (raw.clone(), batches.clone());
            async move {
                raw.upsert(tenant, &batches[i]).await;
                batches[i].len()
            }
        })
    };
    let bulk_fresh = statements(batches.clone()).await;
    let bulk_unchanged = statements(batches).await;
    let singles = |series: &'static str, tasks: usize| {
        let raw = raw.clone();
        drive(tasks, single, limit, move |i| {
            let raw = raw.clone();
            async move {
                raw.upsert(tenant, &[Job::new(series, i)]).await;
                1
            }
        })
    };
    let single_alone = singles("RAW-ALONE", 1).await;
    let single = singles("RAW-ONE", connections).await;
    Ceilings { bulk_fresh, bulk_unchanged, single, single_alone }
}
