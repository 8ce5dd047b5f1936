//! Running the `takt` binary: one-shot commands, and `takt serve` as a child process that is
//! killed when its guard drops; and a small HTTP client for servers in other processes.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::support::{self, Response};

/// How long a child process may take to start or stop before the test gives up on it (a guard
/// against hangs, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(60);

/// What a finished command printed.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Asserts a zero exit status, showing what the command printed otherwise.
    #[track_caller]
    pub fn success(&self) -> &Output {
        assert!(self.status.success(), "the command failed ({}):\n{}{}", self.status, self.stdout, self.stderr);
        self
    }

    /// Asserts a non-zero exit status and that standard error says `message`.
    #[track_caller]
    pub fn failure(&self, message: &str) -> &Output {
        assert!(!self.status.success(), "the command succeeded, expected a failure:\n{}{}", self.stdout, self.stderr);
        assert!(self.stderr.contains(message), "standard error does not say {message:?}:\n{}", self.stderr);
        self
    }
}

/// Runs a command to completion.
pub async fn run(command: Command) -> Output {
    run_with_stdin(command, None).await
}

/// Runs a command with `input` on its standard input.
pub async fn run_with_stdin(mut command: Command, input: Option<Vec<u8>>) -> Output {
    tokio::task::spawn_blocking(move || {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
        let mut child = command.spawn().expect("start takt");
        if let Some(input) = input {
            let mut stdin = child.stdin.take().expect("a piped stdin");
            stdin.write_all(&input).expect("write to takt's stdin");
        }
        let out = child.wait_with_output().expect("wait for takt");
        Output {
            status: out.status,
            stdout: String::from_utf8(out.stdout).expect("UTF-8 on stdout"),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("the command's thread")
}

/// `takt ARGS` on `database`.
pub fn takt(database: &str, args: &[&str]) -> Command {
    let mut command = support::cli(database);
    command.args(args);
    command
}

/// Whether `text` is an API key: `ery_live_` and 32 lowercase hex characters.
pub fn is_api_key(text: &str) -> bool {
    text.strip_prefix("ery_live_")
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Creates a key with the CLI and returns it.
pub async fn create_key(database: &str, tenant: &str) -> String {
    let out = run(takt(database, &["keys", "create", "--tenant", tenant])).await;
    out.success();
    let key = out.stdout.trim_end().to_owned();
    assert!(is_api_key(&key), "not a key: {:?}", out.stdout);
    key
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

/// `takt serve` in a child process; killed when dropped.
pub struct Server {
    child: Child,
    pub address: SocketAddr,
    stderr: Arc<Mutex<String>>,
    client: reqwest::Client,
}

impl Server {
    /// `takt serve --listen 127.0.0.1:0 ARGS` on `database`.
    pub async fn serve(database: &str, args: &[&str]) -> Server {
        let mut command = takt(database, &["serve", "--listen", "127.0.0.1:0"]);
        command.args(args);
        Server::start(command).await
    }

    /// Starts a `takt serve` command (JSON logs at level info are added, to learn the address
    /// it bound) and waits until `/health` answers.
    pub async fn start(mut command: Command) -> Server {
        command.env("TAKT_LOG", "info").env("TAKT_LOG_FORMAT", "json");
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("start takt serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (bound, address) = mpsc::channel();
        let pipe = child.stderr.take().expect("a piped stderr");
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if let Ok(event) = serde_json::from_str::<Value>(&line)
                    && event["message"] == "takt is serving"
                    && let Some(address) = event["address"].as_str().and_then(|a| a.parse::<SocketAddr>().ok())
                {
                    let _ = bound.send(address);
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = tokio::task::spawn_blocking(move || address.recv_timeout(PATIENCE)).await.unwrap();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut server = match address {
            Ok(address) => Server { child, address, stderr, client },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("takt serve did not start:\n{}", stderr.lock().unwrap());
            }
        };
        server.wait_healthy().await;
        server
    }

    async fn wait_healthy(&mut self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(response) = self.client.get(self.url("/health")).send().await
                && response.status().is_success()
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("takt serve exited ({status}):\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "takt serve never became healthy:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the server wrote on standard error so far.
    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A client of this server that sends `key`.
    pub fn api(&self, key: &str) -> Api {
        Api { base: self.url(""), key: Some(key.to_owned()), headers: Vec::new(), client: self.client.clone() }
    }

    /// Sends a signal (`TERM`, `INT`) and waits for the process to exit.
    pub async fn signal(mut self, signal: &str) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args([&format!("-{signal}"), &pid]).status().expect("run kill");
        assert!(status.success(), "kill -{signal} {pid} failed");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for takt serve") {
                // The reader thread sees the end of the pipe soon after the exit.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return (status, self.log());
            }
            assert!(Instant::now() < deadline, "takt serve did not stop on SIG{signal}:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of a server in any process, with one key (or none).
#[derive(Clone)]
pub struct Api {
    base: String,
    key: Option<String>,
    headers: Vec<(String, String)>,
    client: reqwest::Client,
}

impl Api {
    pub fn new(address: SocketAddr, key: &str) -> Api {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        Api { base: format!("http://{address}"), key: Some(key.to_owned()), headers: Vec::new(), client }
    }

    /// The same server, without a key.
    pub fn anonymous(&self) -> Api {
        Api { key: None, ..self.clone() }
    }

    /// The same client, sending `name: value` with every request.
    pub fn with_header(&self, name: &str, value: &str) -> Api {
        let mut api = self.clone();
        api.headers.push((name.to_owned(), value.to_owned()));
        api
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(serde_json::to_vec(body).unwrap());
        }
        Response::read(request.send().await.expect("the server answers")).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send(Method::PUT, path, Some(&body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str, body: Value) -> Response {
        self.send(Method::DELETE, path, Some(&body)).await
    }
}
