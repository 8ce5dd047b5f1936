//! One HTTP/1.1 connection: served by hyper, watched for the header and idle timeouts, and
//! closed with a short linger so that a client still sending sees its answer.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use takt_http::Limits;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::Instant;
use tower::ServiceExt;

/// The request line and headers may take this many bytes at most (hyper answers `431` beyond),
/// which also bounds what a connection's read buffer holds.
const HEAD_BUFFER: usize = 64 * 1024;

/// How long a closed connection is still read (and what comes thrown away), so that the client's
/// unread bytes do not make the system reset the connection before the client has read the answer.
const LINGER: Duration = Duration::from_secs(2);

/// What the watchdog needs to know about a connection.
struct State {
    /// Requests whose answer is not yet all handed to hyper.
    busy: usize,
    /// When `busy` last fell to zero.
    idle_since: Instant,
    /// When the next request's head began: the connection's start, or its first byte after an
    /// answer.
    head_started: Option<Instant>,
}

#[derive(Clone)]
struct Activity(Arc<Mutex<State>>);

impl Activity {
    fn new() -> Activity {
        let now = Instant::now();
        Activity(Arc::new(Mutex::new(State { busy: 0, idle_since: now, head_started: Some(now) })))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read_some(&self) {
        let mut state = self.state();
        if state.busy == 0 && state.head_started.is_none() {
            state.head_started = Some(Instant::now());
        }
    }

    fn start(&self) -> Busy {
        let mut state = self.state();
        state.busy += 1;
        state.head_started = None;
        Busy(self.clone())
    }

    fn is_busy(&self) -> bool {
        self.state().busy > 0
    }

    /// When the connection is to be closed, if nothing happens meanwhile.
    fn deadline(&self, limits: &Limits) -> Option<Instant> {
        let state = self.state();
        match (state.busy, state.head_started) {
            (0, Some(started)) => Some(started + limits.header_timeout),
            (0, None) => Some(state.idle_since + limits.idle_timeout),
            _ => None,
        }
    }
}

/// A request in progress, until its answer's body is done.
struct Busy(Activity);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.busy -= 1;
        if state.busy == 0 {
            state.idle_since = Instant::now();
        }
    }
}

/// An answer's body that keeps its request counted as in progress (an event stream, say).
struct Guarded {
    body: Body,
    _busy: Busy,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, telling the watchdog when bytes arrive.
struct Watched {
    stream: TcpStream,
    activity: Activity,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.read_some();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

type Answer = Pin<Box<dyn Future<Output = Result<hyper::Response<Body>, Infallible>> + Send>>;

/// Serves `stream` until the client leaves, a timeout closes it, or `stop` asks the server to
/// stop (then the request in progress, if any, is finished first). `_slot` is held meanwhile.
pub(super) async fn serve(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let activity = Activity::new();
    let io = TokioIo::new(Watched { stream, activity: activity.clone() });
    let counted = activity.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| -> Answer {
        let busy = counted.start();
        let answer = app.clone().oneshot(request.map(Body::new));
        Box::pin(async move {
            let Ok(response) = answer.await;
            Ok(response.map(|body| Body::new(Guarded { body, _busy: busy })))
        })
    });
    let mut connection =
        http1::Builder::new().max_header_size(HEAD_BUFFER).max_buf_size(HEAD_BUFFER).serve_connection(io, service);
    let mut stopping = *stop.borrow();
    loop {
        let now = Instant::now();
        let wake = activity
            .deadline(&limits)
            .map_or(now + limits.header_timeout, |deadline| deadline.min(now + limits.header_timeout));
        tokio::select! {
            served = std::future::poll_fn(|cx| connection.poll_without_shutdown(cx)) => {
                if let Err(error) = served {
                    tracing::debug!(%error, "a connection ended with an error");
                }
                break;
            }
            () = tokio::time::sleep_until(wake) => {
                if activity.deadline(&limits).is_some_and(|deadline| deadline <= Instant::now()) {
                    // No request is in progress: closing loses nothing.
                    return;
                }
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                if !activity.is_busy() {
                    return;
                }
                Pin::new(&mut connection).graceful_shutdown();
            }
        }
    }
    linger(connection.into_parts().io.into_inner().stream).await;
}

/// Closes the sending side, then reads and throws away what the client still sends, for a
/// moment, before the socket is closed.
async fn linger(mut stream: TcpStream) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut sink = vec![0; 16 * 1024];
    let _ = tokio::time::timeout(LINGER, async { while let Ok(1..) = stream.read(&mut sink).await {} }).await;
}
