//! A throwaway PostgreSQL cluster for the test run: initdb + pg_ctl into a temporary directory,
//! listening on a unix socket only. A watchdog stops it and removes the directory when the test
//! process ends, however it ends.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use sqlx::{Connection, Executor, PgConnection};

/// A running cluster.
pub struct Cluster {
    socket_dir: PathBuf,
}

/// How a cluster trades durability for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync off: for tests, where a crash loses nothing of value.
    Off,
    /// PostgreSQL's defaults: for the benchmark (`benches/bulk_sync.rs` includes this file).
    #[allow(dead_code)]
    Default,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

impl Cluster {
    /// A URL for a database of this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://takt@localhost/{database}?host={}", self.socket_dir.display())
    }

    /// Creates an empty database and returns its URL.
    pub async fn fresh_database(&self) -> String {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&self.url("postgres")).await.expect("connect to the test cluster");
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create a test database");
        admin.close().await.ok();
        self.url(&name)
    }
}

/// The cluster, started on first use; `None` (after saying so loudly) when this machine has no
/// PostgreSQL. With `CI=true` a missing PostgreSQL fails the test instead.
pub fn cluster() -> Option<&'static Cluster> {
    match CLUSTER.get_or_init(|| start(Durability::Off)) {
        Ok(cluster) => Some(cluster),
        Err(reason) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL is required when CI=true, and the test cluster could not start: {reason}");
            }
            warn_once(reason);
            None
        }
    }
}

fn warn_once(reason: &str) {
    static WARNED: OnceLock<()> = OnceLock::new();
    WARNED.get_or_init(|| {
        // Written to the process's stderr directly, past the test harness's output capture.
        let banner = "!".repeat(78);
        let _ = writeln!(
            std::io::stderr(),
            "\n{banner}\n!! SKIPPING EVERY POSTGRESQL TEST: {reason}\n!! Install PostgreSQL (apt-get install -y postgresql) to run them; CI=true makes this an error.\n{banner}\n"
        );
    });
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("TAKT_TEST_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect()
        })
        .unwrap_or_default();
    versions.sort_by_key(|p| {
        p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    if let Some(dir) = versions.pop() {
        return Ok(dir);
    }
    if let Ok(out) = Command::new("sh").args(["-c", "command -v initdb"]).output()
        && out.status.success()
    {
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if let Some(dir) = path.parent() {
            return Ok(dir.to_path_buf());
        }
    }
    Err("no PostgreSQL server installation found (no initdb)".into())
}

/// PostgreSQL refuses to run as root; as root, the cluster runs as the `postgres` user.
fn run_as() -> Result<Option<(u32, u32)>, String> {
    let id = |flag: &str, user: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, user]).output().ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    let me = Command::new("id").arg("-u").output().map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&me.stdout).trim() != "0" {
        return Ok(None);
    }
    match (id("-u", "postgres"), id("-g", "postgres")) {
        (Some(uid), Some(gid)) => Ok(Some((uid, gid))),
        _ => Err("running as root needs a 'postgres' user to run the cluster as".into()),
    }
}

fn command(program: &Path, user: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(program);
    if let Some((uid, gid)) = user {
        use std::os::unix::process::CommandExt;
        command.uid(uid).gid(gid);
    }
    command
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Starts a cluster of its own (the tests share the one [`cluster`] gives).
pub fn start(durability: Durability) -> Result<Cluster, String> {
    let bin = bin_dir()?;
    let user = run_as()?;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let root = std::env::temp_dir().join(format!("takt-pg-{}-{nanos}", std::process::id()));
    let data = root.join("data");
    let socket_dir = root.join("sock");
    std::fs::create_dir_all(&socket_dir).map_err(|e| e.to_string())?;
    if let Some((uid, gid)) = user {
        for dir in [&root, &socket_dir] {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
    }

    let mut initdb = command(&bin.join("initdb"), user);
    initdb.args(["-D"]).arg(&data).args(["-U", "takt", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]);
    run(initdb, "initdb")?;

    let pg_ctl = bin.join("pg_ctl");
    let speed = match durability {
        Durability::Off => "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        Durability::Default => "",
    };
    let options = format!("-k {} -c listen_addresses='' -c max_connections=300 {speed}", socket_dir.display());
    let mut start = command(&pg_ctl, user);
    start.arg("-D").arg(&data).arg("-l").arg(root.join("postgres.log")).args(["-w", "-o", &options, "start"]);
    start.stdout(Stdio::null());
    run(start, "pg_ctl start")?;

    let watchdog = format!(
        "while [ -d /proc/{pid} ]; do sleep 1; done; '{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{root}'",
        pid = std::process::id(),
        pg_ctl = pg_ctl.display(),
        data = data.display(),
        root = root.display(),
    );
    let mut guard = command(Path::new("/bin/sh"), user);
    guard.args(["-c", &watchdog]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    {
        use std::os::unix::process::CommandExt;
        guard.process_group(0);
    }
    guard.spawn().map_err(|e| format!("starting the cluster's watchdog: {e}"))?;
    Ok(Cluster { socket_dir })
}
