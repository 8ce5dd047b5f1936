//! Parsing costs time linear in a body's size: an object with far more keys than its entity has
//! fields is refused unread, naming the object; `details` lists at most 100 fields and counts
//! the rest; a 1.6 MB object of 100,000 keys is a `422` while `/health` keeps answering.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use super::{details, erp_records, master_records, send_raw};
use crate::backend_tests;
use crate::support::TestApp;

/// A JSON object: `start`'s members, then `extra` more keys `key_0000000`, `key_0000001`, ...
fn wide(start: &Value, extra: usize) -> String {
    let mut text = start.to_string();
    text.pop();
    for i in 0..extra {
        if text.len() > 1 {
            text.push(',');
        }
        text.push_str(&format!("\"key_{i:07}\":1"));
    }
    text.push('}');
    text
}

fn job(external_id: &str) -> Value {
    json!({"external_id": external_id, "external_source": "SAP", "job_number": external_id})
}

/// The fields of a job, as the refusal counts them.
const JOB_FIELDS: usize = 10;

backend_tests! {
    async fn an_object_with_far_more_keys_than_fields_is_refused_naming_its_path(app: TestApp) {
        // Up to 4 × 10 + 16 = 56 keys, every unknown one is listed; one more, and the object is
        // refused as a whole.
        let limit = 4 * JOB_FIELDS + 16;
        let within = send_raw(&app, Method::PUT, "/api-jobs/sync", wide(&job("J-1"), limit - 3)).await;
        within.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(within.error_fields().len(), limit - 3, "{}", within.body);
        assert_eq!(details(&within)[0], ("key_0000000".to_owned(), "is not a known field".to_owned()));

        let over = send_raw(&app, Method::PUT, "/api-jobs/sync", wide(&job("J-1"), limit - 2)).await;
        let body = over.expect_error(422, "VALIDATION_ERROR");
        let refusal = format!(
            "the body has {} keys, far more than the {JOB_FIELDS} fields of this object; it was not read",
            limit + 1
        );
        assert_eq!(details(&over), [(String::new(), refusal.clone())]);
        assert_eq!(body["error"]["message"], refusal);

        // Nested: the part names its path.
        let mut nested = job("J-2");
        nested["parts"] = json!([{"external_id": "P-1", "part_number": "P-1"}, "PART"]);
        let text = nested.to_string().replace("\"PART\"", &wide(&json!({}), 500));
        let response = send_raw(&app, Method::PUT, "/api-jobs/sync", text).await;
        response.expect_error(422, "VALIDATION_ERROR");
        let found = details(&response);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "parts[1]");
        assert!(found[0].1.starts_with("has 500 keys, far more than the "), "{found:?}");

        // The master-data dialect, whose keys are folded first, refuses the same way.
        let response = send_raw(&app, Method::PUT, "/api/ProductType/Upsert", wide(&json!({"name": "Sheet"}), 5000)).await;
        response.expect_error(422, "VALIDATION_ERROR");
        let found = details(&response);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "");
        assert!(found[0].1.starts_with("the body has 5001 keys, far more than the "), "{found:?}");

        assert_eq!(erp_records(&app, "jobs").await, Vec::<Value>::new());
        assert_eq!(master_records(&app, "ProductType").await, Vec::<Value>::new());
    }

    async fn details_list_at_most_100_fields_and_then_count_the_rest(app: TestApp) {
        // 300 empty parts: each lacks its external_id and its part_number.
        let mut body = job("J-1");
        body["parts"] = Value::Array(vec![json!({}); 300]);
        let response = app.put("/api-jobs/sync", body).await;
        response.expect_error(422, "VALIDATION_ERROR");
        let found = details(&response);
        assert_eq!(found.len(), 101, "{found:?}");
        assert_eq!(found[0], ("parts[0].external_id".to_owned(), "is required".to_owned()));
        assert_eq!(found[100], ("...".to_owned(), "and 500 more".to_owned()));
        let message = response.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("600 fields are invalid: parts[0].external_id is required; "), "{message}");
        assert!(message.ends_with("; and 500 more"), "{message}");
        assert_eq!(message.matches(" is required").count(), 100, "{message}");

        // Exactly 100 are all listed.
        let mut body = job("J-1");
        body["parts"] = Value::Array(vec![json!({}); 50]);
        let response = app.put("/api-jobs/sync", body).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response).len(), 100);
        assert!(response.error_fields().iter().all(|f| f.starts_with("parts[")));
        assert_eq!(erp_records(&app, "jobs").await, Vec::<Value>::new());
    }

    async fn an_object_of_100000_keys_is_refused_while_health_keeps_answering(app: TestApp) {
        let text = wide(&job("J-1"), 100_000 - 3);
        assert!((1_500_000..1_800_000).contains(&text.len()), "1.6 MB: {} bytes", text.len());
        let text = Arc::new(text);
        let attacks: Vec<_> = (0..2)
            .map(|_| crate::hardening::send_in_background(&app, Method::PUT, "/api-jobs/sync", text.as_bytes().to_vec()))
            .collect();
        crate::hardening::health_keeps_answering(&app, &attacks).await;
        for attack in attacks {
            let response = attack.await.expect("the request ran");
            response.expect_error(422, "VALIDATION_ERROR");
            let found = details(&response);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, "");
            assert!(found[0].1.starts_with("the body has 100000 keys, far more than the "), "{found:?}");
        }
        assert_eq!(erp_records(&app, "jobs").await, Vec::<Value>::new());
    }
}
