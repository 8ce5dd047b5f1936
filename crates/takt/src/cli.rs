//! The command line: `takt serve`, `takt migrate`, `takt keys ...`, `takt export`, `takt import`,
//! `takt doctor`, `takt push`, `takt completions`, `takt man`.
//! Every option also reads from an environment variable.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use takt_app::Service;
use takt_domain::api_key::{ApiKey, prefix_query};
use takt_domain::rate_limit::RatePolicy;
use takt_domain::webhook::{RetrySchedule, parse_duration};
use takt_http::wording;
use takt_store::error::Entity;
use takt_store::{StoreError, TransferSummary};
use tracing_subscriber::EnvFilter;

use crate::database::Database;
use crate::doctor::DoctorArgs;
use crate::server;

/// Takt: an open manufacturing execution system server.
#[derive(Debug, Parser)]
#[command(name = "takt", version, about)]
pub struct Cli {
    /// A SQLite file (PATH or sqlite://PATH) or a PostgreSQL URL (postgres://...).
    #[arg(long, global = true, env = "TAKT_DATABASE_URL", default_value = "takt.db")]
    pub database: String,

    /// The most connections to open to PostgreSQL (per process).
    #[arg(
        long,
        global = true,
        env = "TAKT_DATABASE_MAX_CONNECTIONS",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections: u32,

    /// How logs are written on standard error.
    #[arg(long, global = true, env = "TAKT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Which logs are written (tracing's filter syntax).
    #[arg(long, global = true, env = "TAKT_LOG", default_value = "info")]
    pub log: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrating the database first).
    Serve(ServeArgs),
    /// Bring the database's schema up to date, and exit.
    Migrate,
    /// Create, list and revoke API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write one tenant's data (or everything) to a file that `takt import` loads into any database.
    Export(ExportArgs),
    /// Load a file written by `takt export`, ids kept, all or nothing.
    Import(ImportArgs),
    /// Check the database, its migrations, the keys and each webhook endpoint; say what to fix.
    Doctor(DoctorArgs),
    /// Send a CSV or JSON-lines file of records to a server's bulk-sync API.
    Push(Box<crate::push::PushArgs>),
    /// Print the completion script of a shell (bash, zsh, fish, ...).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into --dir.
    Man {
        #[arg(long, env = "TAKT_MAN_DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "TAKT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Requests a minute per API key (a token bucket that refills evenly).
    #[arg(long, env = "TAKT_RATE_LIMIT", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,

    /// The largest request body, in bytes.
    #[arg(long, env = "TAKT_BODY_LIMIT", default_value_t = 16 * 1024 * 1024)]
    pub body_limit: usize,

    /// How long events are kept (`30d`, `12h`, `90m`); older ones are pruned.
    #[arg(long, env = "TAKT_EVENT_RETENTION", default_value = "30d", value_parser = positive_duration)]
    pub event_retention: Duration,

    /// The delays between the attempts of a webhook delivery (`5s,5m,30m,2h,5h,10h,10h`).
    #[arg(long, env = "TAKT_WEBHOOK_RETRY_SCHEDULE", default_value_t = RetrySchedule::default())]
    pub webhook_retry_schedule: RetrySchedule,

    /// Let webhooks call loopback addresses (127.0.0.0/8, ::1): for a receiver on this host.
    #[arg(long, env = "TAKT_WEBHOOK_ALLOW_LOOPBACK")]
    pub webhook_allow_loopback: bool,

    /// Switch off a webhook whose every delivery has failed for this long.
    #[arg(long, env = "TAKT_WEBHOOK_DISABLE_AFTER", default_value = "5d", value_parser = positive_duration)]
    pub webhook_disable_after: Duration,

    /// How long a request's headers may take to arrive; then the connection is closed.
    #[arg(long, env = "TAKT_HEADER_TIMEOUT", default_value = "10s", value_parser = positive_duration)]
    pub header_timeout: Duration,

    /// How long a request body may take, plus one second per `--body-min-rate` bytes received;
    /// a slower body is cut off with `408`.
    #[arg(long, env = "TAKT_BODY_TIMEOUT", default_value = "10s", value_parser = positive_duration)]
    pub body_timeout: Duration,

    /// The slowest pace a request body may keep, in bytes a second (see `--body-timeout`).
    #[arg(long, env = "TAKT_BODY_MIN_RATE", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..))]
    pub body_min_rate: u32,

    /// How long a kept-alive connection may wait for its next request.
    #[arg(long, env = "TAKT_IDLE_TIMEOUT", default_value = "60s", value_parser = positive_duration)]
    pub idle_timeout: Duration,

    /// The most HTTP connections open at once; more are closed as soon as they are accepted.
    #[arg(long, env = "TAKT_MAX_CONNECTIONS_HTTP", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections_http: u32,

    /// Browser origins whose pages may call the API (`https://mes.plant.example`, or `*` for
    /// any); repeat the option or separate them with commas. None: no CORS.
    #[arg(long = "cors-origin", env = "TAKT_CORS_ORIGIN", value_delimiter = ',', value_parser = cors_origin)]
    pub cors_origins: Vec<String>,

    /// How long an operator stays signed in at the terminal (`/terminal/<plant>`): a shift.
    #[arg(long, env = "TAKT_TERMINAL_SESSION", default_value = "12h", value_parser = positive_duration)]
    pub terminal_session: Duration,
}

/// `*`, or an origin as browsers send it: `scheme://host[:port]`, nothing after.
fn cors_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text == "*" {
        return Ok(text.to_owned());
    }
    let url = url::Url::parse(text).map_err(|e| format!("not an origin ({e}); write it as https://host[:port]"))?;
    let origin = url.origin().ascii_serialization();
    if origin == "null" || origin != text.trim_end_matches('/') {
        return Err(format!("not an origin; write it as {origin} (scheme, host and port only)"));
    }
    Ok(origin)
}

/// A duration such as `30d`, `12h`, `5m`, `10s` or `250ms`, more than zero.
fn positive_duration(text: &str) -> Result<Duration, String> {
    match parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("must be more than zero".to_owned()),
        Ok(duration) => Ok(duration),
        Err(error) => Err(error.to_string()),
    }
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key (and the tenant, if new); prints only the key on standard output.
    Create {
        /// The tenant the key belongs to.
        #[arg(long, env = "TAKT_TENANT")]
        tenant: String,
        /// A label, to tell keys apart.
        #[arg(long, env = "TAKT_KEY_NAME")]
        name: Option<String>,
    },
    /// List every key (never the key itself).
    List {
        /// Print JSON lines instead of a table.
        #[arg(long, env = "TAKT_KEYS_JSON")]
        json: bool,
    },
    /// Revoke the key whose lookup prefix starts with PREFIX (as `keys list` shows it).
    Revoke {
        #[arg(env = "TAKT_KEY_PREFIX")]
        prefix: String,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only this tenant (default: every tenant).
    #[arg(long, env = "TAKT_TENANT")]
    pub tenant: Option<String>,
    /// Where to write (default: standard output).
    #[arg(long, short, env = "TAKT_EXPORT_FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to load (default: standard input).
    #[arg(env = "TAKT_IMPORT_FILE")]
    pub file: Option<PathBuf>,
}

fn init_logs(cli: &Cli) {
    let filter = EnvFilter::try_new(&cli.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
    }
}

/// Runs the command line; the process exits with the returned code.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs(&cli);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            match error.downcast_ref::<StoreError>() {
                Some(store) => eprintln!("takt: {}", wording::sentence(store)),
                None => eprintln!("takt: {error:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Push(args) => return crate::push::run(args).await,
        Command::Completions { shell } => return crate::manual::completions(*shell),
        Command::Man { dir } => return crate::manual::man(dir.as_deref()),
        _ => {}
    }
    let database = Database::parse(&cli.database);
    if let Command::Doctor(args) = &cli.command {
        return crate::doctor::run(&database, cli.max_connections, args).await;
    }
    let store = database.open(cli.max_connections).await?;
    match cli.command {
        Command::Serve(args) => {
            let config = takt_http::Config {
                rate_limit: RatePolicy { per_minute: args.rate_limit },
                body_limit: args.body_limit,
                event_retention: args.event_retention,
                webhook_retry_schedule: args.webhook_retry_schedule.steps().to_vec(),
                webhook_allow_loopback: args.webhook_allow_loopback,
                webhook_disable_after: args.webhook_disable_after,
                limits: takt_http::Limits {
                    header_timeout: args.header_timeout,
                    body_timeout: args.body_timeout,
                    body_min_rate: args.body_min_rate,
                    idle_timeout: args.idle_timeout,
                    max_connections: args.max_connections_http as usize,
                },
                cors_origins: args.cors_origins,
                terminal_session: args.terminal_session,
                ..takt_http::Config::default()
            };
            let listener =
                tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
            if store.list_keys().await?.is_empty() {
                eprintln!(
                    "takt: this database has no API keys yet. Create one (it is printed once) with:\n\n    \
                     takt keys create --tenant <your-plant> --database {}\n\n\
                     then try the API in your browser, with that key, at http://{}/docs\n",
                    database.display(),
                    listener.local_addr()?
                );
            }
            tracing::info!(
                address = %listener.local_addr()?,
                docs = %format!("http://{}/docs", listener.local_addr()?),
                database = %database.display(),
                backend = store.backend(),
                "takt is serving"
            );
            let served = server::serve(listener, store.clone(), config, server::shutdown_signal()).await;
            store.close().await;
            served
        }
        Command::Migrate => {
            tracing::info!(database = %database.display(), "the schema is up to date");
            Ok(())
        }
        Command::Keys(KeysCommand::Create { tenant, name }) => {
            if tenant.trim().is_empty() {
                bail!("--tenant must not be empty");
            }
            let mut attempt = 1;
            let (key, info) = loop {
                let key = ApiKey::generate();
                match store.create_key(tenant.trim(), name.as_deref(), &key).await {
                    Ok(info) => break (key, info),
                    // The new key's lookup prefix is taken (48 random bits collided): make another.
                    Err(error @ StoreError::Taken { entity: Entity::Key, .. }) if attempt < 3 => {
                        tracing::debug!(reason = %wording::sentence(&error), "creating the key again");
                        attempt += 1;
                    }
                    Err(error) => return Err(error.into()),
                }
            };
            tracing::info!(tenant = %info.tenant, prefix = %info.lookup_prefix, "created an API key");
            println!("{}", key.reveal());
            Ok(())
        }
        Command::Keys(KeysCommand::List { json }) => {
            let keys = store.list_keys().await?;
            let mut out = std::io::stdout().lock();
            if json {
                for key in &keys {
                    writeln!(out, "{}", serde_json::to_string(key)?)?;
                }
            } else {
                writeln!(
                    out,
                    "{:<22} {:<20} {:<16} {:<20} {:<20} REVOKED",
                    "PREFIX", "TENANT", "NAME", "CREATED", "LAST USED"
                )?;
                let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map_or("-".to_owned(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                };
                for key in &keys {
                    writeln!(
                        out,
                        "{:<22} {:<20} {:<16} {:<20} {:<20} {}",
                        key.lookup_prefix,
                        key.tenant,
                        key.name.as_deref().unwrap_or("-"),
                        when(Some(key.created_at)),
                        when(key.last_used_at),
                        when(key.revoked_at)
                    )?;
                }
            }
            Ok(())
        }
        Command::Keys(KeysCommand::Revoke { prefix }) => {
            let query =
                prefix_query(&prefix).context("PREFIX must be hex characters, as `takt keys list` shows them")?;
            let key = store.revoke_key(&query).await?;
            eprintln!("revoked {} (tenant {})", key.lookup_prefix, key.tenant);
            Ok(())
        }
        Command::Export(args) => {
            let summary = match &args.output {
                Some(path) => export_to_file(store.as_ref(), args.tenant.as_deref(), path).await?,
                None => {
                    let mut writer = BufWriter::new(std::io::stdout());
                    store.export(args.tenant.as_deref(), &mut writer).await?
                }
            };
            let rows: u64 = summary.rows.iter().map(|(_, n)| n).sum();
            eprintln!("exported {} tenant(s), {rows} rows", summary.tenants);
            Ok(())
        }
        Command::Import(args) => {
            let mut reader: Box<dyn BufRead + Send> = match &args.file {
                Some(path) => Box::new(BufReader::new(
                    std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
                )),
                None => Box::new(BufReader::new(std::io::stdin())),
            };
            let summary = store.import(&mut reader).await?;
            let rows: u64 = summary.rows.iter().map(|(_, n)| n).sum();
            eprintln!("imported {} tenant(s), {rows} rows into {}", summary.tenants, database.display());
            Ok(())
        }
        Command::Push(_) | Command::Completions { .. } | Command::Man { .. } | Command::Doctor(_) => {
            unreachable!("run before the database is opened")
        }
    }
}

/// Writes an export to `path`. A file is written aside and renamed when complete, so that a
/// failed export leaves no partial file, and an older file of that name untouched; a device or
/// a pipe is written to directly.
async fn export_to_file(store: &dyn Service, tenant: Option<&str>, path: &Path) -> Result<TransferSummary> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("opening {}", path.display()))?;
        return Ok(store.export(tenant, &mut BufWriter::new(file)).await?);
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let mut writer = BufWriter::new(file);
    let written = match store.export(tenant, &mut writer).await {
        Ok(summary) => writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&partial, path))
            .with_context(|| format!("writing {}", path.display()))
            .map(|()| summary),
        Err(error) => Err(error.into()),
    };
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}
