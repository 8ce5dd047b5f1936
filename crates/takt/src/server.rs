//! Running the HTTP server: the accept loop, with its cap on connections, and graceful shutdown.

mod connection;

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::{Arc, Once};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use takt_app::Service;
use takt_http::{Config, Limits};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;

use crate::background;

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    service: Arc<dyn Service>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    background::start(service.clone(), &config);
    let limits = config.limits.clone();
    serve_router(listener, takt_http::app(service, config), limits, shutdown).await
}

/// Open files kept for what is not a client's connection: the database, logs, webhooks' calls.
const FILES_KEPT: u64 = 128;

/// Raises the open-files soft limit to the hard limit, once per process; returns the soft limit.
fn raise_open_files_limit() -> Option<u64> {
    static RAISE: Once = Once::new();
    RAISE.call_once(|| {
        let before = rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft);
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(now) => tracing::info!(before = before.unwrap_or(0), now, "raised the open-files limit"),
            Err(error) => tracing::warn!(%error, "could not raise the open-files limit"),
        }
    });
    rlimit::getrlimit(rlimit::Resource::NOFILE).ok().map(|(soft, _)| soft)
}

/// The most connections to hold: as configured, or fewer if the open-files limit is lower.
fn connection_cap(configured: usize) -> usize {
    let Some(files) = raise_open_files_limit() else { return configured.max(1) };
    let room = usize::try_from(files.saturating_sub(FILES_KEPT)).unwrap_or(usize::MAX).max(1);
    if configured > room {
        tracing::warn!(
            configured,
            open_files = files,
            cap = room,
            "fewer connections than configured: too few open files"
        );
    }
    configured.min(room).max(1)
}

async fn serve_router(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let cap = connection_cap(limits.max_connections);
    let slots = Arc::new(Semaphore::new(cap));
    let (stop, stopped) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    let mut refused = Refused::default();
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of files or memory for a moment (the cap keeps this rare): wait, go on.
                    tracing::error!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            refused.count(cap);
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection::serve(stream, app.clone(), limits.clone(), stopped.clone(), slot));
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = slots.acquire_many(u32::try_from(cap).unwrap_or(u32::MAX)).await.context("waiting for connections")?;
    Ok(())
}

/// Connections closed at once for being over the cap, logged at most every ten seconds.
#[derive(Default)]
struct Refused {
    since_logged: u64,
    logged_at: Option<Instant>,
}

impl Refused {
    fn count(&mut self, cap: usize) {
        self.since_logged += 1;
        if self.logged_at.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
            tracing::warn!(cap, refused = self.since_logged, "refused connections over the cap");
            self.since_logged = 0;
            self.logged_at = Some(Instant::now());
        }
    }
}

/// Binds `addr` and serves in the background; returns the bound address (port 0 picks one).
pub async fn spawn(addr: SocketAddr, service: Arc<dyn Service>, config: Config) -> Result<SocketAddr> {
    spawn_with(addr, service, config, Router::new()).await
}

/// Like [`spawn`], with `extra` routes inside the application's layers.
pub async fn spawn_with(
    addr: SocketAddr,
    service: Arc<dyn Service>,
    config: Config,
    extra: Router,
) -> Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr()?;
    background::start(service.clone(), &config);
    let limits = config.limits.clone();
    let app = takt_http::app_with(service, config, extra);
    tokio::spawn(async move {
        if let Err(error) = serve_router(listener, app, limits, std::future::pending()).await {
            tracing::error!(%error, "the server stopped");
        }
    });
    Ok(bound)
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
