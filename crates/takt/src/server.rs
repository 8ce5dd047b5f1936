//! Running the HTTP server.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::Router;
use takt_app::Service;
use takt_http::Config;
use tokio::net::TcpListener;

use crate::background;

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    service: Arc<dyn Service>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    background::start(service.clone(), &config);
    serve_router(listener, takt_http::app(service, config), shutdown).await
}

async fn serve_router(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("serving HTTP")
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
    let app = takt_http::app_with(service, config, extra);
    tokio::spawn(async move {
        if let Err(error) = serve_router(listener, app, std::future::pending()).await {
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
