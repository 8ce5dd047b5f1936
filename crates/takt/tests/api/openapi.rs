//! The OpenAPI document and the shape of typical answers, locked by snapshots: a change to the
//! contract shows up as a snapshot diff in review.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::support::TestApp;

/// The document, with the version (which moves with every release) left out.
async fn document(app: &TestApp) -> Value {
    let response = app.call(reqwest::Method::GET, "/openapi.json").no_key().send().await;
    let mut document = response.expect(200).clone();
    document["info"]["version"] = json!("[version]");
    document
}

backend_tests! {
    async fn the_openapi_document_is_stable(app: TestApp) {
        let document = document(&app).await;
        assert_eq!(document["openapi"], "3.1.0");
        // serde_json's own text: insta's serializer would spell exact (arbitrary-precision) numbers
        // as serde_json's internal struct.
        insta::assert_snapshot!("openapi", serde_json::to_string_pretty(&document).unwrap());
    }

    async fn the_openapi_document_covers_every_endpoint(app: TestApp) {
        let document = document(&app).await;
        let paths = document["paths"].as_object().unwrap();
        for entity in ["jobs", "parts", "operations", "cells", "resources"] {
            for prefix in ["", "/functions/v1"] {
                assert!(paths[&format!("{prefix}/api-{entity}/sync")]["put"].is_object(), "{prefix} {entity} sync");
                assert!(paths[&format!("{prefix}/api-{entity}/bulk-sync")]["post"].is_object(), "{entity} bulk");
                assert!(paths[&format!("{prefix}/api-{entity}")]["get"].is_object(), "{entity} list");
                assert!(paths[&format!("{prefix}/api-{entity}/{{id}}")]["get"].is_object(), "{entity} get");
            }
        }
        for entity in takt_domain::master_data::ALL.iter() {
            let name = entity.name;
            assert!(paths[&format!("/api/{name}/List")]["post"].is_object(), "{name} List");
            assert!(paths[&format!("/api/{name}/Upsert")]["put"].is_object(), "{name} Upsert");
            assert!(paths[&format!("/api/{name}/Delete")]["delete"].is_object(), "{name} Delete");
            let schemas = &document["components"]["schemas"];
            assert!(schemas[name].is_object() && schemas[&format!("{name}Upsert")].is_object(), "{name} schemas");
        }
        assert!(paths["/api/Product/Copy"]["put"].is_object());
        assert!(paths["/api/Bom Version/Upsert"]["put"].is_object());
        for collection in ["issues", "substeps", "scrap-reasons", "time-entries", "operation-quantities"] {
            for prefix in ["", "/functions/v1"] {
                let path = format!("{prefix}/api-{collection}");
                for method in ["get", "post", "patch", "put", "delete"] {
                    assert!(paths[&path][method].is_object(), "{method} {path}");
                }
                for method in ["get", "patch", "put", "delete"] {
                    assert!(paths[&format!("{path}/{{id}}")][method].is_object(), "{method} {path}/{{id}}");
                }
            }
        }
        assert!(paths["/api-scrap-reasons/sync"]["put"].is_object());
        for prefix in ["", "/functions/v1"] {
            for path in ["/api-operation-lifecycle/{action}", "/api-job-lifecycle/{action}"] {
                assert!(paths[&format!("{prefix}{path}")]["post"].is_object(), "{prefix}{path}");
            }
            for path in ["/api-cells/{id}/queue", "/api-cells/queue", "/api-time-entries/labour"] {
                assert!(paths[&format!("{prefix}{path}")]["get"].is_object(), "{prefix}{path}");
            }
        }
        assert!(paths["/api-operators/sync"]["put"].is_object() && paths["/api-operators/bulk-sync"]["post"].is_object());
        assert!(paths["/health"]["get"].is_object());
        // Every documented request field is one the server accepts: an ERP body with every field of
        // the documented cell schema syncs.
        let cell = &document["components"]["schemas"]["CellSyncRequest"]["properties"];
        let fields: Vec<&String> = cell.as_object().unwrap().keys().collect();
        assert_eq!(
            fields,
            [
                "external_id",
                "external_source",
                "name",
                "color",
                "sequence",
                "active",
                "wip_limit",
                "enforce_sequence",
                "capacity_hours_per_day"
            ]
        );
    }
}
