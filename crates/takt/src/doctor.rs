//! `takt doctor`: checks the database, its migrations, the keys and each webhook endpoint, prints
//! one line per check with what to do, and fails when something must be fixed.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};
use clap::Args;
use futures::StreamExt;
use takt_app::Service;
use takt_http::wording;
use takt_store::{Diagnosis, EngineHealth, StoreError, TenantKeys, WebhookTarget};

use crate::database::Database;

/// Below this much free disk beside a SQLite file, doctor fails; below [`DISK_LOW`] it warns.
const DISK_CRITICAL: u64 = 256 * 1024 * 1024;
const DISK_LOW: u64 = 1024 * 1024 * 1024;
/// How many webhook endpoints are probed at once.
const PROBES_AT_ONCE: usize = 8;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// How many `takt serve` processes share this PostgreSQL database (each opens
    /// `--max-connections` plus one to listen for events).
    #[arg(long, env = "TAKT_INSTANCES", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub instances: u32,

    /// Judge webhook URLs on loopback addresses as `takt serve --webhook-allow-loopback` does.
    #[arg(long, env = "TAKT_WEBHOOK_ALLOW_LOOPBACK")]
    pub webhook_allow_loopback: bool,

    /// Do not probe webhook endpoints.
    #[arg(long)]
    pub skip_webhooks: bool,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Ok,
    Warn,
    Fail,
}

/// The lines doctor prints, and whether any must be fixed.
#[derive(Default)]
struct Report {
    lines: String,
    failed: usize,
}

impl Report {
    fn line(&mut self, verdict: Verdict, what: impl AsRef<str>, todo: Option<String>) {
        let tag = match verdict {
            Verdict::Ok => "ok  ",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
        };
        let _ = writeln!(self.lines, "{tag}  {}", what.as_ref());
        if let Some(todo) = todo {
            let _ = writeln!(self.lines, "      -> {todo}");
        }
        if verdict == Verdict::Fail {
            self.failed += 1;
        }
    }

    /// Prints the report; an error when something must be fixed.
    fn finish(self) -> Result<()> {
        print!("{}", self.lines);
        match self.failed {
            0 => Ok(()),
            1 => bail!("1 check failed"),
            n => bail!("{n} checks failed"),
        }
    }
}

/// Runs every check against `database` without changing it (no migration is applied).
pub async fn run(database: &Database, max_connections: u32, args: &DoctorArgs) -> Result<()> {
    let mut report = Report::default();
    if let Database::Sqlite(path) = database
        && !Path::new(path).exists()
    {
        report.line(
            Verdict::Fail,
            format!("no database file at {path}"),
            Some("check --database; `takt migrate` (or the first `takt serve`) creates it".to_owned()),
        );
        return report.finish();
    }
    let store = match database.open_as_is(max_connections).await {
        Ok(store) => store,
        Err(error) => {
            report.line(
                Verdict::Fail,
                format!("{} does not answer: {error:#}", database.display()),
                Some("check --database, and that the database server runs and lets this user in".to_owned()),
            );
            return report.finish();
        }
    };
    match store.ping().await {
        Ok(()) => report.line(Verdict::Ok, format!("{} answers ({})", database.display(), store.backend()), None),
        Err(error) => {
            report.line(Verdict::Fail, format!("the database does not answer: {}", wording::sentence(&error)), None)
        }
    }
    let diagnosis = store.diagnose().await;
    migrations(&mut report, &diagnosis);
    keys(&mut report, &diagnosis.tenants);
    engine(&mut report, &diagnosis.engine, max_connections, args.instances);
    if !args.skip_webhooks {
        webhooks(&mut report, store.as_ref(), &diagnosis.webhooks, args.webhook_allow_loopback).await;
    }
    store.close().await;
    report.finish()
}

fn could_not(report: &mut Report, what: &str, error: &StoreError) {
    report.line(
        Verdict::Fail,
        format!("could not check {what}: {}", wording::sentence(error)),
        Some("bring the schema up to date first (`takt migrate`), then run doctor again".to_owned()),
    );
}

fn migrations(report: &mut Report, diagnosis: &Diagnosis) {
    let applied = match &diagnosis.applied_migrations {
        Ok(applied) => applied,
        Err(error) => return could_not(report, "the migrations", error),
    };
    let known: BTreeSet<i64> = diagnosis.known_migrations.iter().map(|(v, _)| *v).collect();
    let done: BTreeSet<i64> = applied.iter().filter(|(_, ok)| *ok).map(|(v, _)| *v).collect();
    let broken: Vec<i64> = applied.iter().filter(|(_, ok)| !ok).map(|(v, _)| *v).collect();
    let newer: Vec<i64> = applied.iter().map(|(v, _)| *v).filter(|v| !known.contains(v)).collect();
    let pending: Vec<String> = diagnosis
        .known_migrations
        .iter()
        .filter(|(v, _)| !done.contains(v))
        .map(|(v, name)| format!("{v} {name}"))
        .collect();
    if !broken.is_empty() {
        report.line(
            Verdict::Fail,
            format!("migration {broken:?} failed part-way"),
            Some("restore the database from a backup taken before it, then run `takt migrate`".to_owned()),
        );
    }
    if !newer.is_empty() {
        report.line(
            Verdict::Fail,
            format!("the database has migrations this takt does not know ({newer:?}): a newer takt migrated it"),
            Some("run the newer takt against it".to_owned()),
        );
    }
    if pending.is_empty() {
        report.line(Verdict::Ok, format!("the schema is current ({} migrations)", known.len()), None);
    } else {
        report.line(
            Verdict::Fail,
            format!("{} migration(s) pending: {}", pending.len(), pending.join(", ")),
            Some("run `takt migrate` (`takt serve` also migrates when it starts)".to_owned()),
        );
    }
}

fn keys(report: &mut Report, tenants: &Result<Vec<TenantKeys>, StoreError>) {
    let tenants = match tenants {
        Ok(tenants) => tenants,
        Err(error) => return could_not(report, "the keys", error),
    };
    let with_keys = tenants.iter().filter(|t| t.active_keys > 0).count();
    if with_keys == 0 {
        report.line(
            Verdict::Fail,
            "no API key: no request can reach the API",
            Some("create one with `takt keys create --tenant <your-plant>`".to_owned()),
        );
    } else {
        let keys: i64 = tenants.iter().map(|t| t.active_keys).sum();
        report.line(Verdict::Ok, format!("{keys} active key(s) for {with_keys} tenant(s)"), None);
    }
    for tenant in tenants.iter().filter(|t| t.active_keys == 0) {
        report.line(
            Verdict::Warn,
            format!("tenant {} has no active key: its data cannot be reached", tenant.tenant),
            Some(format!("`takt keys create --tenant {}` if it is still in use", tenant.tenant)),
        );
    }
}

fn engine(report: &mut Report, health: &Result<EngineHealth, StoreError>, max_connections: u32, instances: u32) {
    let health = match health {
        Ok(health) => health,
        Err(error) => return could_not(report, "the database engine", error),
    };
    match health.integrity.as_deref() {
        Some("ok") => report.line(Verdict::Ok, "SQLite integrity_check: ok", None),
        Some(problems) => report.line(
            Verdict::Fail,
            format!("SQLite integrity_check: {problems}"),
            Some("stop takt, copy the file aside, and restore a backup (or `takt export` what still reads)".to_owned()),
        ),
        None => {}
    }
    if let Some(file) = &health.file {
        disk(report, Path::new(file));
    }
    if let (Some(max), Some(reserved), Some(in_use)) =
        (health.max_connections, health.reserved_connections, health.connections_in_use)
    {
        let needed = i64::from(instances) * (i64::from(max_connections) + 1);
        let available = max - reserved;
        let what = format!(
            "PostgreSQL takes {available} connections ({max} less {reserved} reserved), {in_use} open now; \
             {instances} instance(s) × ({max_connections} + 1 listener) need {needed}"
        );
        if needed > available {
            report.line(
                Verdict::Fail,
                what,
                Some("raise PostgreSQL's max_connections, or lower --max-connections or the instances".to_owned()),
            );
        } else {
            report.line(Verdict::Ok, what, None);
        }
    }
}

fn disk(report: &mut Report, file: &Path) {
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match free_bytes(folder) {
        Some(free) => {
            let what = format!("{} MiB free beside {}", free / (1024 * 1024), file.display());
            let verdict = match free {
                f if f < DISK_CRITICAL => Verdict::Fail,
                f if f < DISK_LOW => Verdict::Warn,
                _ => Verdict::Ok,
            };
            let todo = (verdict != Verdict::Ok).then(|| "free disk space: SQLite needs room to write".to_owned());
            report.line(verdict, what, todo);
        }
        None => report.line(Verdict::Warn, format!("could not read the free disk beside {}", file.display()), None),
    }
}

#[cfg(unix)]
fn free_bytes(folder: &Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(folder).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_folder: &Path) -> Option<u64> {
    None
}

async fn webhooks(
    report: &mut Report,
    store: &dyn Service,
    targets: &Result<Vec<WebhookTarget>, StoreError>,
    allow_loopback: bool,
) {
    let targets = match targets {
        Ok(targets) => targets,
        Err(error) => return could_not(report, "the webhooks", error),
    };
    if targets.is_empty() {
        report.line(Verdict::Ok, "no active webhook", None);
        return;
    }
    let probes: Vec<(&WebhookTarget, Result<u16, String>)> = futures::stream::iter(targets)
        .map(|target| async move { (target, store.probe_webhook(&target.url, allow_loopback).await) })
        .buffered(PROBES_AT_ONCE)
        .collect()
        .await;
    for (target, probe) in probes {
        let name = format!("webhook {} of {} ({})", target.id, target.tenant, target.url);
        match probe {
            Ok(status) => report.line(Verdict::Ok, format!("{name} answers (HTTP {status})"), None),
            Err(why) => report.line(
                Verdict::Fail,
                format!("{name} cannot be reached: {why}"),
                Some(format!(
                    "fix the endpoint, or switch the webhook off: PATCH /api-webhooks/{} {{\"active\": false}}",
                    target.id
                )),
            ),
        }
    }
}
