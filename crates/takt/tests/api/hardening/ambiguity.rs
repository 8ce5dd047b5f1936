//! Ambiguous input is refused: an object that gives a key twice is `422` in both dialects
//! (wherever the object is in the body), and so is a date outside years 1 to 9999.

use reqwest::Method;
use serde_json::{Value, json};

use super::{details, erp_records, master_records, send_raw};
use crate::backend_tests;
use crate::support::TestApp;

const REPEATED: &str = "is given more than once in the same object";

fn repeated(field: &str) -> Vec<(String, String)> {
    vec![(field.to_owned(), REPEATED.to_owned())]
}

backend_tests! {
    async fn a_repeated_key_is_422_in_both_dialects_and_writes_nothing(app: TestApp) {
        // The ERP dialect used to keep the last value silently.
        let cell = r#"{"external_id": "A", "external_id": "B", "external_source": "SAP", "name": "Cutting"}"#;
        let response = send_raw(&app, Method::PUT, "/api-cells/sync", cell).await;
        let body = response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), repeated("external_id"));
        assert_eq!(body["error"]["message"], format!("external_id {REPEATED}"));

        let job = r#"{"external_id": "J-1", "external_source": "SAP", "job_number": "J-1",
            "parts": [{"external_id": "P-1", "part_number": "P-1"},
                      {"external_id": "P-2", "part_number": "P-2", "operations": [
                          {"external_id": "O-1", "operation_name": "Cut", "cell_name": "Saw", "cell_name": "Laser"}]}]}"#;
        let response = send_raw(&app, Method::PUT, "/functions/v1/api-jobs/sync", job).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), repeated("parts[1].operations[0].cell_name"));

        // A bulk body is refused whole, like one that is not JSON.
        let bulk = r#"{"cells": [{"external_id": "C-1", "external_source": "SAP", "name": "One"},
                                 {"external_id": "C-2", "external_source": "SAP", "name": "Two", "name": "Deux"}]}"#;
        let response = send_raw(&app, Method::POST, "/api-cells/bulk-sync", bulk).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), repeated("cells[1].name"));

        // The master-data dialect: exact repeats as well as keys that fold alike.
        let response = send_raw(&app, Method::PUT, "/api/ProductType/Upsert", r#"{"name": "A", "name": "B"}"#).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), repeated("name"));
        let response = send_raw(&app, Method::PUT, "/api/ProductType/Upsert", r#"{"name": "A", "Name": "B"}"#).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(response.error_fields(), ["Name"]);
        let response = send_raw(&app, Method::POST, "/api/ProductType/List", r#"{"name": "A", "name": "A"}"#).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), repeated("name"));

        assert_eq!(erp_records(&app, "cells").await, Vec::<Value>::new());
        assert_eq!(erp_records(&app, "jobs").await, Vec::<Value>::new());
        assert_eq!(master_records(&app, "ProductType").await, Vec::<Value>::new());
    }

    async fn many_repeats_are_listed_100_and_counted(app: TestApp) {
        let members: Vec<&str> = std::iter::repeat_n(r#""name": "A""#, 250).collect();
        let text = format!("{{{}}}", members.join(","));
        let response = send_raw(&app, Method::PUT, "/api/ProductType/Upsert", text).await;
        let body = response.expect_error(422, "VALIDATION_ERROR");
        let found = details(&response);
        assert_eq!(found.len(), 101);
        assert!(found[..100].iter().all(|(field, message)| field == "name" && message == REPEATED), "{found:?}");
        assert_eq!(found[100], ("...".to_owned(), "and 149 more".to_owned()));
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("249 fields are invalid: name is given more"), "{message}");
        assert!(message.ends_with("; and 149 more"), "{message}");
    }

    async fn dates_before_year_1_or_after_9999_are_422(app: TestApp) {
        for date in ["0000-01-01", "0000-12-31"] {
            let body = json!({"external_id": "J-1", "external_source": "SAP", "job_number": "J-1", "due_date": date});
            let response = app.put("/api-jobs/sync", body).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(
                details(&response),
                [("due_date".to_owned(), "must be a date from 0001-01-01 to 9999-12-31".to_owned())]
            );
        }
        // A timestamp is held to the same years once it is in UTC.
        for stamp in ["0000-12-31T23:59:59Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"] {
            let response = app.put("/api/Schedule/Upsert", json!({"name": "S-1", "plannedStart": stamp})).await;
            response.expect_error(422, "VALIDATION_ERROR");
            let found = details(&response);
            let message = "must be a timestamp from 0001-01-01 to 9999-12-31 (in UTC)";
            assert!(found.contains(&("plannedStart".to_owned(), message.to_owned())), "{stamp}: {found:?}");
        }
        // The first and last days are dates like any other.
        for (n, date) in ["0001-01-01", "9999-12-31"].into_iter().enumerate() {
            let key = format!("J-{n}");
            let body = json!({"external_id": key, "external_source": "SAP", "job_number": key, "due_date": date});
            let response = app.put("/api-jobs/sync", body).await;
            let id = response.expect(201)["data"]["id"].as_str().unwrap().to_owned();
            let job = app.get(&format!("/api-jobs/{id}")).await;
            assert_eq!(job.expect(200)["data"]["due_date"], date, "{}", job.body);
        }
        assert_eq!(erp_records(&app, "jobs").await.len(), 2);
        assert_eq!(master_records(&app, "Schedule").await, Vec::<Value>::new());
    }
}
