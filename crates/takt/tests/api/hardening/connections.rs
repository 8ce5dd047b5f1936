//! Connections (SPEC section 10): headers within a timeout, bodies at a minimum pace, idle
//! connections closed, a body declared over the limit answered at once, and a cap on connections.
//! Each attack runs while `/health` is shown to answer within a second. The timeouts are short
//! here so that the scenarios are quick; the backend matters only where something could be
//! written, but every scenario runs on both.

use std::time::Duration;

use serde_json::json;
use takt_http::{Config, Limits};
use tokio::io::AsyncWriteExt;
use tokio::time::{Instant, sleep, timeout};

use super::erp_records;
use super::raw::{closes_within, connect, exchange, head, health_answers, read_answer};
use crate::backend_tests;
use crate::support::{Backend, TestApp, test_config};

fn short() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        body_min_rate: 1024,
        idle_timeout: Duration::from_secs(2),
        max_connections: 1024,
    }
}

async fn spawn(backend: Backend, limits: Limits) -> TestApp {
    TestApp::spawn_with(backend, Config { limits, ..test_config() }).await
}

const CELL: &[u8] = br#"{"external_id": "WC-1", "external_source": "SAP", "name": "Cell 1"}"#;

backend_tests! {
    async fn trickled_headers_are_closed_after_the_header_timeout(backend: Backend) {
        let app = spawn(backend, short()).await;
        let started = Instant::now();
        let attackers: Vec<_> = (0..350)
            .map(|_| {
                let address = app.address;
                tokio::spawn(async move {
                    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
                    stream.write_all(b"GET /health HTTP/1.1\r\nx-trickle: ").await.unwrap();
                    let (mut read, mut write) = stream.into_split();
                    let trickle = async {
                        while write.write_all(b"a").await.is_ok() {
                            sleep(Duration::from_secs(1)).await;
                        }
                        std::future::pending::<()>().await;
                    };
                    let mut buf = [0u8; 1024];
                    let closed = async {
                        while let Ok(1..) = tokio::io::AsyncReadExt::read(&mut read, &mut buf).await {}
                    };
                    tokio::select! { () = closed => {}, () = trickle => {} }
                    started.elapsed()
                })
            })
            .collect();
        sleep(Duration::from_millis(300)).await;
        health_answers(app.address).await;
        let mut closed_after = Vec::new();
        for attacker in attackers {
            let elapsed = timeout(Duration::from_secs(10), attacker).await.expect("closed within 10 s").unwrap();
            closed_after.push(elapsed);
        }
        // Held until the timeout, not refused at once; then every one is closed.
        assert!(closed_after.iter().all(|&t| t >= Duration::from_millis(900)), "{closed_after:?}");
        health_answers(app.address).await;
    }

    async fn a_stalled_or_trickled_body_is_cut_off_with_408(backend: Backend) {
        let app = spawn(backend, short()).await;
        // 10 MB declared, 2 bytes sent; then one byte every 200 ms, far below 1024 a second.
        let mut stalled = connect(&app).await;
        stalled.write_all(&head(&app, "PUT", "/api-cells/sync", 10_000_000, "")).await.unwrap();
        stalled.write_all(b"{\"").await.unwrap();
        let mut trickled = connect(&app).await;
        trickled.write_all(&head(&app, "PUT", "/api-cells/sync", CELL.len(), "")).await.unwrap();
        let trickling = {
            let mut trickled = trickled;
            tokio::spawn(async move {
                for byte in CELL {
                    if trickled.write_all(&[*byte]).await.is_err() {
                        break;
                    }
                    sleep(Duration::from_millis(200)).await;
                }
                trickled
            })
        };
        health_answers(app.address).await;
        let answer = timeout(Duration::from_secs(5), read_answer(&mut stalled)).await.expect("answered in 5 s");
        answer.expect("an answer").expect_error(408, "REQUEST_TIMEOUT");
        assert!(closes_within(&mut stalled, Duration::from_secs(3)).await, "the connection is closed after the 408");

        let mut trickled = trickling.await.unwrap();
        let answer = timeout(Duration::from_secs(5), read_answer(&mut trickled)).await.expect("answered in 5 s");
        answer.expect("an answer").expect_error(408, "REQUEST_TIMEOUT");
        health_answers(app.address).await;
        assert!(erp_records(&app, "cells").await.is_empty(), "nothing was written");

        // The same body sent at once is written.
        let mut request = head(&app, "PUT", "/api-cells/sync", CELL.len(), "");
        request.extend_from_slice(CELL);
        assert_eq!(exchange(&app, &request).await.expect("an answer").status, 201);
    }

    async fn a_body_declared_over_the_limit_is_413_before_it_is_sent(backend: Backend) {
        // The body timeout is long: an answer that waited for the body would come after it.
        let limits = Limits { body_timeout: Duration::from_secs(60), ..short() };
        let app = TestApp::spawn_with(backend, Config { body_limit: 1024, limits, ..test_config() }).await;
        for expect in ["", "expect: 100-continue\r\n"] {
            let mut stream = connect(&app).await;
            stream.write_all(&head(&app, "PUT", "/api-cells/sync", 10_000_000, expect)).await.unwrap();
            let answer = timeout(Duration::from_secs(2), read_answer(&mut stream)).await.expect("answered at once");
            let answer = answer.expect("an answer");
            answer.expect_error(413, "PAYLOAD_TOO_LARGE");
            health_answers(app.address).await;
        }
        assert!(erp_records(&app, "cells").await.is_empty(), "nothing was written");
    }

    async fn connections_over_the_cap_are_refused_and_the_others_served(backend: Backend) {
        let limits = Limits { header_timeout: Duration::from_secs(30), max_connections: 4, ..short() };
        let app = spawn(backend, limits).await;
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(connect(&app).await);
        }
        sleep(Duration::from_millis(200)).await;
        // The fifth is accepted and closed at once, with no answer.
        let mut over = connect(&app).await;
        let _ = over.write_all(b"GET /health HTTP/1.1\r\nhost: takt\r\n\r\n").await;
        let answer = timeout(Duration::from_secs(2), read_answer(&mut over)).await.expect("closed at once");
        assert!(answer.is_none(), "{answer:?}");
        // A held connection is served, and stays open.
        for _ in 0..2 {
            held[0].write_all(b"GET /health HTTP/1.1\r\nhost: takt\r\n\r\n").await.unwrap();
            let answer = timeout(Duration::from_secs(1), read_answer(&mut held[0])).await.expect("in 1 s");
            assert_eq!(answer.expect("an answer").status, 200);
        }
        // A freed slot takes a new connection.
        held.truncate(3);
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let mut stream = connect(&app).await;
            stream.write_all(b"GET /health HTTP/1.1\r\nhost: takt\r\nconnection: close\r\n\r\n").await.unwrap();
            match timeout(Duration::from_secs(1), read_answer(&mut stream)).await.expect("in 1 s") {
                Some(answer) => {
                    assert_eq!(answer.status, 200);
                    break;
                }
                None => assert!(Instant::now() < deadline, "the slot was freed within 2 s"),
            }
            sleep(Duration::from_millis(50)).await;
        }
    }

    async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout(backend: Backend) {
        let limits = Limits { header_timeout: Duration::from_secs(1), idle_timeout: Duration::from_secs(3), ..short() };
        let app = spawn(backend, limits).await;
        let mut stream = connect(&app).await;
        let mut request = head(&app, "PUT", "/api-cells/sync", CELL.len(), "");
        request.extend_from_slice(CELL);
        for status in [201, 200] {
            stream.write_all(&request).await.unwrap();
            let answer = timeout(Duration::from_secs(2), read_answer(&mut stream)).await.expect("in 2 s");
            assert_eq!(answer.expect("an answer").status, status);
            // Idle for longer than the header timeout: still open (the idle timeout counts here).
            if status == 201 {
                sleep(Duration::from_millis(1800)).await;
            }
        }
        let answered = Instant::now();
        health_answers(app.address).await;
        assert!(closes_within(&mut stream, Duration::from_secs(8)).await, "closed after the idle timeout");
        assert!(answered.elapsed() >= Duration::from_millis(2800), "{:?}", answered.elapsed());
    }

    async fn an_event_stream_outlives_the_idle_timeout(backend: Backend) {
        let config = Config {
            stream_keep_alive: Duration::from_millis(200),
            limits: Limits { idle_timeout: Duration::from_secs(1), ..short() },
            ..test_config()
        };
        let app = TestApp::spawn_with(backend, config).await;
        let mut stream = connect(&app).await;
        let request = format!("GET /api-events/stream HTTP/1.1\r\nhost: takt\r\nauthorization: Bearer {}\r\n\r\n", app.key);
        stream.write_all(request.as_bytes()).await.unwrap();
        // An answer in progress is not idle: it keeps streaming past the idle timeout.
        let mut buf = [0u8; 4096];
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(2500) {
            let read = timeout(Duration::from_secs(1), tokio::io::AsyncReadExt::read(&mut stream, &mut buf)).await;
            assert!(matches!(read, Ok(Ok(1..))), "still streaming after {:?}", started.elapsed());
        }
        app.put("/api-cells/sync", json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cell 1"}))
            .await
            .expect(201);
    }
}
