//! Requests that break HTTP itself (SPEC section 10, "One envelope"). What hyper cannot parse
//! into a request (the request line, a header, `Content-Length`, a head over 64 KiB) never
//! reaches Takt: hyper answers it with a bare status and closes the connection (see DECISIONS,
//! "Protocol errors"). What breaks inside a body reaches Takt, and is answered in the envelope.
//! Either way the server goes on serving.

use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::erp_records;
use super::raw::{closes_within, connect, exchange, health_answers, read_answer};
use crate::backend_tests;
use crate::support::TestApp;

backend_tests! {
    async fn a_request_hyper_cannot_parse_gets_its_status_and_a_close(app: TestApp) {
        let huge = format!("GET /health HTTP/1.1\r\nhost: takt\r\nx-huge: {}\r\n\r\n", "a".repeat(80 * 1024));
        let cases: [(&[u8], u16); 4] = [
            (b"GARBAGE\r\n\r\n", 400),
            (b"GET /health HTTP/1.1\r\nhost: takt\r\nbad header\r\n\r\n", 400),
            (b"PUT /api-cells/sync HTTP/1.1\r\nhost: takt\r\ncontent-length: ten\r\n\r\n", 400),
            (huge.as_bytes(), 431),
        ];
        for (request, status) in cases {
            let mut stream = connect(&app).await;
            let _ = stream.write_all(request).await;
            let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut stream)).await.expect("in 5 s");
            let shown = String::from_utf8_lossy(&request[..request.len().min(60)]).into_owned();
            assert_eq!(answer.expect("an answer").status, status, "{shown}");
            assert!(closes_within(&mut stream, Duration::from_secs(3)).await, "closed after {shown}");
            health_answers(app.address).await;
        }
    }

    async fn a_body_that_breaks_its_chunked_framing_is_400_in_the_envelope(app: TestApp) {
        let request = format!(
            "PUT /api-cells/sync HTTP/1.1\r\nhost: takt\r\nauthorization: Bearer {}\r\n\
             content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{{\"a\":\r\nzz\r\n",
            app.key
        );
        let answer = exchange(&app, request.as_bytes()).await.expect("an answer");
        let body = answer.expect_error(400, "BAD_REQUEST");
        assert!(body["error"]["message"].as_str().unwrap().contains("could not be read"), "{body}");
        health_answers(app.address).await;
        assert!(erp_records(&app, "cells").await.is_empty(), "nothing was written");
    }
}
