//! A request body must keep arriving: within `body_timeout`, plus one second for every
//! `body_min_rate` bytes received so far. A body that stalls or trickles is cut off, and the
//! reader answers `408` (see [`crate::body`]).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::Limits;

/// Set when a request's body was cut off for arriving too slowly; in the request's extensions.
#[derive(Debug, Clone, Default)]
pub(crate) struct CutOff(Arc<AtomicBool>);

impl CutOff {
    pub(crate) fn happened(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The error a paced body ends with when it is cut off.
#[derive(Debug)]
pub struct BodyTooSlow;

impl std::fmt::Display for BodyTooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body arrived too slowly")
    }
}

impl std::error::Error for BodyTooSlow {}

/// The pace a body must keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pace {
    timeout: Duration,
    min_rate: u64,
}

impl Pace {
    pub(crate) fn of(limits: &Limits) -> Pace {
        Pace { timeout: limits.body_timeout, min_rate: u64::from(limits.body_min_rate.max(1)) }
    }
}

struct Paced {
    inner: Body,
    start: Instant,
    received: u64,
    pace: Pace,
    deadline: Pin<Box<Sleep>>,
    cut_off: CutOff,
    done: bool,
}

impl Paced {
    fn earned(&self) -> Duration {
        let seconds = self.received / self.pace.min_rate;
        let nanos = (self.received % self.pace.min_rate) * 1_000_000_000 / self.pace.min_rate;
        self.pace.timeout + Duration::new(seconds, nanos as u32)
    }
}

impl HttpBody for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.received += data.len() as u64;
                    let deadline = self.start + self.earned();
                    self.deadline.as_mut().reset(deadline);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending => {
                ready!(self.deadline.as_mut().poll(cx));
                self.done = true;
                self.cut_off.0.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Puts every request body that is not empty on a pace.
pub(crate) async fn pace_body(State(pace): State<Pace>, request: Request) -> Request {
    if request.body().is_end_stream() {
        return request;
    }
    let (mut parts, inner) = request.into_parts();
    let cut_off = CutOff::default();
    parts.extensions.insert(cut_off.clone());
    let start = Instant::now();
    let body = Paced {
        inner,
        start,
        received: 0,
        pace,
        deadline: Box::pin(tokio::time::sleep_until(start + pace.timeout)),
        cut_off,
        done: false,
    };
    Request::from_parts(parts, Body::new(body))
}
