//! `Content-Encoding` (SPEC section 10): a gzip body is decoded and written, in both dialects;
//! one that unpacks past the body limit is `413` however small it is on the wire; any other
//! encoding is `415`; none of the refused ones writes anything.

use std::io::Write;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use reqwest::Method;
use serde_json::json;
use takt_http::Config;
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

use super::raw::{connect, head, health_answers, read_answer};
use super::{erp_records, master_records};
use crate::backend_tests;
use crate::support::{Backend, TestApp, test_config};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `mib` MiB of JSON whitespace, then `tail`, gzipped (about a thousandth of the size).
fn bomb(mib: usize, tail: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..mib {
        encoder.write_all(&spaces).unwrap();
    }
    encoder.write_all(tail).unwrap();
    encoder.finish().unwrap()
}

fn cell(id: &str) -> serde_json::Value {
    json!({"external_id": id, "external_source": "SAP", "name": format!("Cell {id}")})
}

backend_tests! {
    async fn a_gzip_body_is_decoded_and_written(app: TestApp) {
        for (n, encoding) in ["gzip", "GZIP", "x-gzip"].into_iter().enumerate() {
            let id = format!("WC-{n}");
            let body = gzip(&serde_json::to_vec(&cell(&id)).unwrap());
            let response = app
                .call(Method::PUT, "/api-cells/sync")
                .header("content-encoding", encoding)
                .raw(body, Some("application/json"))
                .send()
                .await;
            assert_eq!(response.expect(201)["data"]["external_id"], id.as_str(), "{encoding}");
        }
        let bulk: Vec<_> = (0..1000).map(|n| cell(&format!("B-{n}"))).collect();
        let body = gzip(&serde_json::to_vec(&json!({ "cells": bulk })).unwrap());
        let response = app
            .call(Method::POST, "/api-cells/bulk-sync")
            .header("content-encoding", "gzip")
            .raw(body, Some("application/json"))
            .send()
            .await;
        response.expect(200);
        let listed = app.get("/api-cells?limit=1").await;
        assert_eq!(listed.expect(200)["data"]["pagination"]["total"], 1003);

        let body = gzip(&serde_json::to_vec(&json!({"name": "Widget"})).unwrap());
        let response = app
            .call(Method::PUT, "/api/ProductType/Upsert")
            .header("content-encoding", "gzip")
            .raw(body, Some("application/json"))
            .send()
            .await;
        response.expect(201);
        assert_eq!(master_records(&app, "ProductType").await.len(), 1);

        // `identity` is no encoding at all.
        let response = app
            .call(Method::PUT, "/api-cells/sync")
            .header("content-encoding", "identity")
            .raw(serde_json::to_vec(&cell("WC-plain")).unwrap(), Some("application/json"))
            .send()
            .await;
        response.expect(201);
    }

    async fn a_gzip_bomb_is_413_and_writes_nothing(backend: Backend) {
        let app = TestApp::spawn_with(backend, Config { body_limit: 1024 * 1024, ..test_config() }).await;
        // 128 MiB of JSON whitespace before a valid record, far less than the limit on the wire.
        let wire = bomb(128, &serde_json::to_vec(&cell("WC-1")).unwrap());
        assert!(wire.len() < 1024 * 1024, "{}", wire.len());
        let mut stream = connect(&app).await;
        stream.write_all(&head(&app, "PUT", "/api-cells/sync", wire.len(), "content-encoding: gzip\r\n")).await.unwrap();
        let sending = tokio::spawn(async move {
            let _ = stream.write_all(&wire).await;
            stream
        });
        health_answers(app.address).await;
        let mut stream = sending.await.unwrap();
        let answer = timeout(Duration::from_secs(10), read_answer(&mut stream)).await.expect("answered");
        answer.expect("an answer").expect_error(413, "PAYLOAD_TOO_LARGE");
        health_answers(app.address).await;

        // Through a client too, on the other dialect.
        let response = app
            .call(Method::PUT, "/api/ProductType/Upsert")
            .header("content-encoding", "gzip")
            .raw(bomb(16, br#"{"name": "Widget"}"#), Some("application/json"))
            .send()
            .await;
        response.expect_error(413, "PAYLOAD_TOO_LARGE");
        // The connection is closed after the answer, and the answer says so: no client sends its
        // next request into it.
        assert_eq!(response.header("connection"), Some("close"));
        assert!(erp_records(&app, "cells").await.is_empty(), "nothing was written");
        assert!(master_records(&app, "ProductType").await.is_empty(), "nothing was written");
    }

    async fn other_encodings_are_415_and_write_nothing(app: TestApp) {
        let body = serde_json::to_vec(&cell("WC-1")).unwrap();
        for encoding in ["deflate", "br", "zstd", "compress", "gzip, br", "gzip,gzip", "garbage"] {
            for path in ["/api-cells/sync", "/functions/v1/api-cells/sync"] {
                let response = app
                    .call(Method::PUT, path)
                    .header("content-encoding", encoding)
                    .raw(body.clone(), Some("application/json"))
                    .send()
                    .await;
                let error = response.expect_error(415, "UNSUPPORTED_MEDIA_TYPE");
                assert!(error["error"]["message"].as_str().unwrap().contains("Content-Encoding"), "{error}");
            }
            let response = app
                .call(Method::PUT, "/api/ProductType/Upsert")
                .header("content-encoding", encoding)
                .raw(&br#"{"name": "Widget"}"#[..], Some("application/json"))
                .send()
                .await;
            response.expect_error(415, "UNSUPPORTED_MEDIA_TYPE");
        }
        // Two encodings in two headers are refused as well.
        let response = app
            .call(Method::PUT, "/api-cells/sync")
            .header("content-encoding", "gzip")
            .header("content-encoding", "gzip")
            .raw(gzip(&gzip(&body)), Some("application/json"))
            .send()
            .await;
        response.expect_error(415, "UNSUPPORTED_MEDIA_TYPE");
        // Bytes that are not gzip under `gzip` are a body that cannot be read.
        let response = app
            .call(Method::PUT, "/api-cells/sync")
            .header("content-encoding", "gzip")
            .raw(body, Some("application/json"))
            .send()
            .await;
        response.expect_error(400, "BAD_REQUEST");
        assert!(erp_records(&app, "cells").await.is_empty(), "nothing was written");
        assert!(master_records(&app, "ProductType").await.is_empty(), "nothing was written");
    }
}
