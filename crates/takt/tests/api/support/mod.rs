//! The test harness: the real Takt server on a loopback port, on a fresh SQLite file or a fresh
//! PostgreSQL database, driven over HTTP; and the `backend_tests!` macro that runs one scenario
//! on both backends.

pub mod postgres;

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use takt::database::Database;
use takt_app::Service;
use takt_domain::api_key::ApiKey;
use takt_domain::rate_limit::RatePolicy;
use takt_http::Config;

/// The database engine a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether PostgreSQL scenarios can run here (see [`postgres::cluster`]).
pub fn postgres_available() -> bool {
    postgres::cluster().is_some()
}

/// The master-data API's sixteen entities, as paths name them.
pub const MASTER_ENTITIES: [&str; 16] = [
    "ProductType",
    "Currency",
    "UnitOfMeasure",
    "Location",
    "ReceiptProfile",
    "SerialRange",
    "OwnershipType",
    "ApprovalStatus",
    "PropertyDefinition",
    "BomType",
    "Product",
    "Bom",
    "BomVersion",
    "BomSlot",
    "Recipe",
    "Schedule",
];

/// A configuration that stays out of the way of tests: a generous rate limit.
pub fn test_config() -> Config {
    Config { rate_limit: RatePolicy { per_minute: 1_000_000 }, ..Config::default() }
}

/// A fresh, empty database of `backend`: its location and the directory that holds it.
pub async fn fresh_database(backend: Backend) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let location = match backend {
        Backend::Sqlite => dir.path().join("takt.db").display().to_string(),
        Backend::Postgres => postgres::cluster().expect("PostgreSQL is available").fresh_database().await,
    };
    (location, dir)
}

/// A running server with one tenant, `acme`, and a key for it.
pub struct TestApp {
    pub backend: Backend,
    pub address: SocketAddr,
    pub store: Arc<dyn Service>,
    /// The database's location, as `--database` takes it.
    pub database: String,
    /// A key of the tenant `acme`.
    pub key: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, test_config()).await
    }

    pub async fn spawn_with(backend: Backend, config: Config) -> TestApp {
        let (database, dir) = fresh_database(backend).await;
        TestApp::serve(backend, database, dir, config).await
    }

    /// Serves an existing database.
    pub async fn serve(backend: Backend, database: String, dir: tempfile::TempDir, config: Config) -> TestApp {
        TestApp::serve_with(backend, database, dir, config, axum::Router::new()).await
    }

    /// Serves an existing database, with `extra` routes inside the application's layers.
    pub async fn serve_with(
        backend: Backend,
        database: String,
        dir: tempfile::TempDir,
        config: Config,
        extra: axum::Router,
    ) -> TestApp {
        let store = Database::parse(&database).open(8).await.expect("open the test database");
        let address = takt::server::spawn_with("127.0.0.1:0".parse().unwrap(), store.clone(), config, extra)
            .await
            .expect("serve");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut app = TestApp { backend, address, store, database, key: String::new(), client, dir };
        app.key = app.key_for("acme").await;
        app
    }

    /// A new key for `tenant` (created if new).
    pub async fn key_for(&self, tenant: &str) -> String {
        let key = ApiKey::generate();
        self.store.create_key(tenant, Some("test"), &key).await.expect("create a key");
        key.reveal().to_owned()
    }

    /// Runs one SQL statement on the database behind the server (to set up what no request can,
    /// such as a lease that ran out); answers how many rows it changed.
    pub async fn execute_sql(&self, sql: &str) -> u64 {
        use sqlx::Connection;
        match self.backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", self.database);
                let mut db = sqlx::SqliteConnection::connect(&url).await.expect("open the SQLite file");
                sqlx::query(sql).execute(&mut db).await.expect("the statement runs").rows_affected()
            }
            Backend::Postgres => {
                let mut db = sqlx::PgConnection::connect(&self.database).await.expect("connect to PostgreSQL");
                sqlx::query(sql).execute(&mut db).await.expect("the statement runs").rows_affected()
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A request with the `acme` key.
    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call { app: self, method, path: path.to_owned(), key: Some(self.key.clone()), headers: Vec::new(), body: None }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path).send().await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.call(Method::PUT, path).json(body).send().await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.call(Method::POST, path).json(body).send().await
    }

    pub async fn delete(&self, path: &str, body: Value) -> Response {
        self.call(Method::DELETE, path).json(body).send().await
    }
}

/// The `takt` binary with `--database` set.
pub fn cli(database: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_takt"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TAKT_DATABASE_URL", database)
        .env("TAKT_LOG", "warn");
    command
}

/// A request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    key: Option<String>,
    headers: Vec<(String, String)>,
    body: Option<(Vec<u8>, Option<String>)>,
}

impl Call<'_> {
    /// Uses another key.
    pub fn key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    /// Sends no Authorization header.
    pub fn no_key(mut self) -> Self {
        self.key = None;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some((serde_json::to_vec(&body).unwrap(), Some("application/json".to_owned())));
        self
    }

    /// A raw body with the given content type (or none).
    pub fn raw(mut self, body: impl Into<Vec<u8>>, content_type: Option<&str>) -> Self {
        self.body = Some((body.into(), content_type.map(str::to_owned)));
        self
    }

    pub async fn send(self) -> Response {
        let mut request = self.app.client.request(self.method, self.app.url(&self.path));
        if let Some(key) = &self.key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some((body, content_type)) = self.body {
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            request = request.body(body);
        }
        Response::read(request.send().await.expect("the server answers")).await
    }
}

/// A response: status, headers, and the body as JSON.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Response {
    /// Reads a whole answer; a body that is not JSON is kept as a string.
    pub async fn read(response: reqwest::Response) -> Response {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Response { status, headers, body }
    }

    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            serde_json::to_string_pretty(&self.body).unwrap()
        );
        &self.body
    }

    /// Asserts an error answer: status, code, and (when given) the fields named in `details`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Value {
        let body = self.expect(status);
        assert_eq!(body["success"], false, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
        body
    }

    /// The `field`s listed in an error's `details`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["error"]["details"]
            .as_array()
            .map(|d| d.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// What a scenario starts from: a running app, or just the backend (to configure its own).
pub trait Start: Sized {
    fn start(backend: Backend) -> impl Future<Output = Self>;
}

impl Start for TestApp {
    async fn start(backend: Backend) -> TestApp {
        TestApp::spawn(backend).await
    }
}

impl Start for Backend {
    async fn start(backend: Backend) -> Backend {
        backend
    }
}

/// Runs each scenario twice: `<name>::sqlite` and `<name>::postgres`.
///
/// ```ignore
/// backend_tests! {
///     async fn resync_updates(app: TestApp) { ... }
///     async fn rate_limits(backend: Backend) { ... }
/// }
/// ```
#[macro_export]
macro_rules! backend_tests {
    ($($(#[$meta:meta])* async fn $name:ident($arg:ident: $ty:ident) $body:block)*) => {$(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($arg: $ty) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                scenario(<$ty as $crate::support::Start>::start($crate::support::Backend::Sqlite).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::support::postgres_available() {
                    scenario(<$ty as $crate::support::Start>::start($crate::support::Backend::Postgres).await).await
                }
            }
        }
    )*};
}
