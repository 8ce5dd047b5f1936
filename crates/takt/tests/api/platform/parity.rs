//! Parity between SQLite and PostgreSQL where the engines differ on their own: case-insensitive
//! matching beyond ASCII, `LIKE` wildcards, timestamps, decimals, concurrent writes of one key,
//! texts at their byte limits, and NUL. Each scenario asserts exact values, the same on both.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::backend_tests;
use crate::platform::fixtures::{
    cell_search, create_cell, create_master, encode, erp_list, erp_list_with, erp_search, job_body, master_list,
    number_text, product, product_references,
};
use crate::support::{Response, TestApp};

/// A job from `SAP` with one part whose operations run in the named cells.
fn job_with_operations(external_id: &str, operations: Vec<Value>) -> Value {
    json!({
        "external_id": external_id,
        "external_source": "SAP",
        "job_number": external_id,
        "parts": [{"external_id": format!("{external_id}-P1"), "part_number": "P1", "operations": operations}]
    })
}

fn operation(external_id: &str, cell_name: &str) -> Value {
    json!({"external_id": external_id, "operation_name": external_id, "cell_name": cell_name})
}

/// A job as `GET /api-jobs/{id}` returns it.
async fn read_job(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api-jobs/{id}")).await.expect(200)["data"].clone()
}

/// The `name`s of records, in order.
fn names(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["name"].as_str().expect("a name").to_owned()).collect()
}

/// A text of exactly `bytes` bytes of UTF-8: `unit` repeated, topped up with ASCII.
fn text_of_bytes(unit: &str, bytes: usize) -> String {
    let mut text = unit.repeat(bytes / unit.len());
    text.push_str(&"a".repeat(bytes - text.len()));
    assert_eq!(text.len(), bytes);
    text
}

/// One character of each UTF-8 width.
const WIDTHS: [(&str, &str); 4] = [("1-byte", "x"), ("2-byte", "ä"), ("3-byte", "€"), ("4-byte", "😀")];

/// Names that simple case folding keeps apart or brings together: ß stays ß (so STRASSE is
/// another name than Straße) while ẞ folds to ß; final ς folds to σ; Turkish İ and ı have no
/// simple folding, so İzmir, izmir and ızmir are three names.
const FOLDING_NAMES: [&str; 8] = ["Ärger", "Straße", "STRASSE", "Σίσυφος", "Цех сборки", "İzmir", "izmir", "ızmir"];

/// Names that fold to one of [`FOLDING_NAMES`].
const FOLDED_TWINS: [&str; 7] = ["ÄRGER", "STRAẞE", "strasse", "ΣΊΣΥΦΟΣ", "σίσυφοσ", "ЦЕХ СБОРКИ", "IZMIR"];

/// A probe, and the name of [`FOLDING_NAMES`] it matches case-insensitively (or none).
const FOLDING_PROBES: [(&str, Option<&str>); 11] = [
    ("ärger", Some("Ärger")),
    ("STRAẞE", Some("Straße")),
    ("strasse", Some("STRASSE")),
    ("ΣΊΣΥΦΟΣ", Some("Σίσυφος")),
    ("σίσυφοσ", Some("Σίσυφος")),
    ("цех СБОРКИ", Some("Цех сборки")),
    ("IZMIR", Some("izmir")),
    ("İZMIR", Some("İzmir")),
    ("ıZMIR", Some("ızmir")),
    ("İZMİR", None),
    ("Arger", None),
];

/// Sends the same request `n` times at once.
async fn concurrently(
    app: &TestApp,
    n: usize,
    method: Method,
    path: &str,
    body: impl Fn(usize) -> Value,
) -> Vec<Response> {
    join_all((0..n).map(|i| app.call(method.clone(), path).json(body(i)).send())).await
}

/// A product `P-1` and a recipe `R-1` for it, for schedules to name.
async fn recipe_fixture(app: &TestApp) {
    product_references(app).await;
    create_master(app, "Product", product("P-1")).await;
    create_master(app, "Recipe", json!({"name": "R-1", "product": "P-1"})).await;
}

/// Checks an RFC 3339 timestamp in UTC (`Z`) with 0, 3 or 6 fractional digits; returns it parsed.
#[track_caller]
fn utc_timestamp(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value.as_str().unwrap_or_else(|| panic!("not a timestamp: {value}"));
    let parsed = chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert!(text.ends_with('Z'), "{text} is not in UTC");
    assert_eq!(text.as_bytes()[10], b'T', "{text}");
    let fraction = text[19..text.len() - 1].trim_start_matches('.').len();
    assert!([0, 3, 6].contains(&fraction), "{text}: {fraction} fractional digits");
    parsed.with_timezone(&chrono::Utc)
}

backend_tests! {
    async fn erp_cell_names_are_unique_and_resolved_by_simple_case_folding(app: TestApp) {
        let mut ids = std::collections::HashMap::new();
        for (index, name) in FOLDING_NAMES.iter().enumerate() {
            ids.insert(*name, create_cell(&app, &format!("WC-{index}"), name).await);
        }
        for (index, twin) in FOLDED_TWINS.iter().enumerate() {
            let response = crate::platform::fixtures::sync_cell(&app, &format!("TWIN-{index}"), twin).await;
            assert_eq!(response.status, 409, "{twin}: {}", response.body);
            response.expect_error(409, "CONFLICT");
        }
        assert_eq!(names(&erp_list(&app, "cells").await), FOLDING_NAMES);

        let matching: Vec<_> = FOLDING_PROBES.iter().filter(|(_, found)| found.is_some()).collect();
        let operations =
            matching.iter().enumerate().map(|(i, (probe, _))| operation(&format!("OP-{i}"), probe)).collect();
        let job = app.put("/api-jobs/sync", job_with_operations("SO-1", operations)).await;
        let job = read_job(&app, job.expect(201)["data"]["id"].as_str().unwrap()).await;
        let synced = job["parts"][0]["operations"].as_array().unwrap();
        assert_eq!(synced.len(), matching.len());
        for (operation, (probe, found)) in synced.iter().zip(&matching) {
            let found = found.unwrap();
            assert_eq!(operation["cell_id"], ids[found].as_str(), "{probe} resolves to {found}");
            assert_eq!(operation["cell_name"], found, "{probe}");
        }

        for (probe, _) in FOLDING_PROBES.iter().filter(|(_, found)| found.is_none()) {
            let response = app.put("/api-jobs/sync", job_with_operations("SO-2", vec![operation("OP-X", probe)])).await;
            response.expect_error(404, "NOT_FOUND");
            assert_eq!(response.error_fields(), ["parts[0].operations[0].cell_name"], "{probe}");
        }
        assert_eq!(erp_list(&app, "jobs").await.len(), 1, "the refused jobs wrote nothing");
    }

    async fn erp_search_matches_substrings_by_simple_case_folding(app: TestApp) {
        for (index, name) in FOLDING_NAMES.iter().enumerate() {
            create_cell(&app, &format!("WC-{index}"), name).await;
        }
        let searches: [(&str, &[&str]); 10] = [
            ("RGER", &["Ärger"]),
            ("ÄRG", &["Ärger"]),
            ("ẞ", &["Straße"]),
            ("SS", &["STRASSE"]),
            ("ΣΥΦΟΣ", &["Σίσυφος"]),
            ("ς", &["Σίσυφος"]),
            ("СБОР", &["Цех сборки"]),
            ("İ", &["İzmir"]),
            ("ı", &["ızmir"]),
            ("IZ", &["izmir"]),
        ];
        for (search, expected) in searches {
            assert_eq!(cell_search(&app, search).await, expected, "search {search}");
        }

        create_cell(&app, "WC-MILL", "Fräsen").await;
        let job = json!({
            "external_id": "SO-1", "external_source": "SAP", "job_number": "ΑΒΓ-1", "customer": "Müller GmbH",
            "parts": [{"external_id": "P-1", "part_number": "Öse-7",
                       "operations": [{"external_id": "O-1", "operation_name": "Schweißen", "cell_name": "FRÄSEN"}]}]
        });
        app.put("/api-jobs/sync", job).await.expect(201);
        let mut resource = json!({"external_id": "R-1", "external_source": "SAP", "name": "Fräse"});
        resource["identifier"] = json!("ΜΗΧ-1");
        app.put("/api-resources/sync", resource).await.expect(201);
        assert_eq!(erp_search(&app, "jobs", "MÜLLER").await.len(), 1);
        assert_eq!(erp_search(&app, "jobs", "αβγ").await.len(), 1);
        assert_eq!(erp_search(&app, "jobs", "MULLER").await.len(), 0);
        assert_eq!(erp_search(&app, "parts", "ÖSE").await.len(), 1);
        assert_eq!(erp_search(&app, "operations", "SCHWEIẞEN").await.len(), 1);
        assert_eq!(erp_search(&app, "operations", "SCHWEISSEN").await.len(), 0);
        assert_eq!(erp_search(&app, "resources", "FRÄ").await.len(), 1);
        assert_eq!(erp_search(&app, "resources", "μηχ").await.len(), 1);
    }

    async fn master_data_names_are_unique_and_filtered_by_simple_case_folding(app: TestApp) {
        let mut ids = std::collections::HashMap::new();
        for name in FOLDING_NAMES {
            let created = create_master(&app, "ProductType", json!({"name": name})).await;
            assert_eq!(created["name"], name);
            ids.insert(name, created["id"].clone());
        }
        for twin in FOLDED_TWINS {
            let response = app.put("/api/ProductType/Upsert", json!({"name": twin})).await;
            assert_eq!(response.status, 409, "{twin}: {}", response.body);
            response.expect_error(409, "CONFLICT");
        }
        for (probe, found) in FOLDING_PROBES {
            let listed = names(&master_list(&app, "ProductType", json!({"name": probe})).await);
            let expected: Vec<&str> = found.into_iter().collect();
            assert_eq!(listed, expected, "filter name = {probe}");
        }

        // A rename into another record's folded name is taken; into its own, it is not.
        let id = ids["Цех сборки"].clone();
        app.put("/api/ProductType/Upsert", json!({"id": id, "name": "ärger"})).await.expect_error(409, "CONFLICT");
        let renamed = app.put("/api/ProductType/Upsert", json!({"id": id, "name": "ЦЕХ СБОРКИ"})).await;
        assert_eq!(renamed.expect(200)["name"], "ЦЕХ СБОРКИ");
        assert_eq!(master_list(&app, "ProductType", json!({})).await.len(), FOLDING_NAMES.len());

        // References by name fold the same way, and read back with the stored spelling.
        product_references(&app).await;
        let mut body = product("P-1");
        body["productType"] = json!("σίσυφοσ");
        let created = create_master(&app, "Product", body).await;
        assert_eq!(created["productType"], "Σίσυφος");
        let listed = master_list(&app, "Product", json!({"productType": "ΣΊΣΥΦΟΣ"})).await;
        assert_eq!(names(&listed), ["P-1"]);
        assert_eq!(master_list(&app, "Product", json!({"productType": "Σίσυφοσ "})).await, Vec::<Value>::new());
    }

    async fn a_like_reference_takes_percent_as_its_only_wildcard(app: TestApp) {
        product_references(&app).await;
        for name in ["50% Steel", "500 Steel", "50_Steel", "a_b", "axb", "Back\\slash", "BackXslash"] {
            create_master(&app, "ProductType", json!({"name": name})).await;
        }
        let resolved = [
            ("50_%", "50_Steel"),
            ("a_b", "a_b"),
            ("A_%", "a_b"),
            ("back\\%", "Back\\slash"),
            ("%\\SLASH", "Back\\slash"),
            ("WIDG%", "Widget"),
            ("%xb", "axb"),
        ];
        for (index, (pattern, found)) in resolved.iter().enumerate() {
            let mut body = product(&format!("P-{index}"));
            body["productType"] = json!(pattern);
            let response = app.put("/api/Product/Upsert", body).await;
            assert_eq!(response.status, 201, "{pattern}: {}", response.body);
            assert_eq!(response.body["productType"], *found, "{pattern}");
        }
        // A name that exists as given wins over the pattern it also is: `50% Steel` is that product
        // type, although `500 Steel` matches it as a pattern.
        let mut body = product("P-exact");
        body["productType"] = json!("50% steel");
        assert_eq!(app.put("/api/Product/Upsert", body).await.expect(201)["productType"], "50% Steel");
        for pattern in ["%steel", "50%", "5%Steel", "%", "%_%"] {
            let mut body = product("P-many");
            body["productType"] = json!(pattern);
            let response = app.put("/api/Product/Upsert", body).await;
            assert_eq!(response.status, 422, "{pattern}: {}", response.body);
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["productType"], "{pattern}");
        }
        for pattern in ["5_0%", "a%b%c", "back\\\\%", "50\\%"] {
            let mut body = product("P-none");
            body["productType"] = json!(pattern);
            let response = app.put("/api/Product/Upsert", body).await;
            assert_eq!(response.status, 404, "{pattern}: {}", response.body);
            response.expect_error(404, "NOT_FOUND");
            assert_eq!(response.error_fields(), ["productType"], "{pattern}");
        }

        // A reference that is not "Like" matches its name exactly, `%` and all.
        create_master(&app, "Currency", json!({"name": "100%"})).await;
        create_master(&app, "Currency", json!({"name": "1000"})).await;
        let mut body = product("P-currency");
        body["defaultCurrency"] = json!("100%");
        assert_eq!(app.put("/api/Product/Upsert", body).await.expect(201)["defaultCurrency"], "100%");
        let mut body = product("P-no-currency");
        body["defaultCurrency"] = json!("100_");
        let response = app.put("/api/Product/Upsert", body).await;
        response.expect_error(404, "NOT_FOUND");
        assert_eq!(response.error_fields(), ["defaultCurrency"]);

        let products = names(&master_list(&app, "Product", json!({})).await);
        assert_eq!(products, ["P-0", "P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-exact", "P-currency"]);
    }

    async fn percent_underscore_and_backslash_in_stored_text_match_literally(app: TestApp) {
        let stored = ["50% Rabatt", "500 Rabatt", "a_b", "axb", "C:\\temp", "C:Xtemp"];
        for (index, name) in stored.iter().enumerate() {
            create_cell(&app, &format!("WC-{index}"), name).await;
        }
        assert_eq!(names(&erp_list(&app, "cells").await), stored, "stored as given");
        let searches: [(&str, &[&str]); 10] = [
            ("50%", &["50% Rabatt"]),
            ("%", &["50% Rabatt"]),
            ("%%", &[]),
            ("a_b", &["a_b"]),
            ("_", &["a_b"]),
            ("\\", &["C:\\temp"]),
            ("\\T", &["C:\\temp"]),
            (":\\", &["C:\\temp"]),
            ("\\%", &[]),
            ("0 r", &["500 Rabatt"]),
        ];
        for (search, expected) in searches {
            assert_eq!(cell_search(&app, search).await, expected, "search {search}");
        }
        // A cell name resolves by exact folded equality, never as a pattern.
        let job = app.put("/api-jobs/sync", job_with_operations("SO-1", vec![operation("OP-1", "A_B")])).await;
        let job = read_job(&app, job.expect(201)["data"]["id"].as_str().unwrap()).await;
        assert_eq!(job["parts"][0]["operations"][0]["cell_name"], "a_b");
        let response = app.put("/api-jobs/sync", job_with_operations("SO-2", vec![operation("OP-2", "a%")])).await;
        response.expect_error(404, "NOT_FOUND");

        let jobs = [("SO-3", "JOB_1", "100% Bio"), ("SO-4", "JOBX1", "1000 Bio")];
        for (external_id, job_number, customer) in jobs {
            let mut body = job_body(external_id);
            body["job_number"] = json!(job_number);
            body["customer"] = json!(customer);
            app.put("/api-jobs/sync", body).await.expect(201);
        }
        for search in ["b_1", "100%"] {
            let jobs = erp_search(&app, "jobs", search).await;
            assert_eq!(jobs.iter().map(|j| &j["job_number"]).collect::<Vec<_>>(), [&json!("JOB_1")], "{search}");
        }

        for name in stored {
            create_master(&app, "ProductType", json!({"name": name})).await;
        }
        let filters: [(&str, &[&str]); 5] = [
            ("50%", &[]),
            ("50% RABATT", &["50% Rabatt"]),
            ("a_b", &["a_b"]),
            ("a%", &[]),
            ("c:\\TEMP", &["C:\\temp"]),
        ];
        for (filter, expected) in filters {
            assert_eq!(names(&master_list(&app, "ProductType", json!({"name": filter})).await), expected, "{filter}");
        }
    }

    async fn timestamps_come_back_in_utc_with_the_same_instant(app: TestApp) {
        recipe_fixture(&app).await;
        // Given start, the same instant in another offset as end, and what both read back as.
        let cases = [
            ("2026-11-21T10:30:00.123456+02:00", "2026-11-21T09:30:00.123456+01:00", "2026-11-21T08:30:00.123456Z"),
            ("2026-11-21T23:59:59.999999-05:30", "2026-11-22T05:29:59.999999Z", "2026-11-22T05:29:59.999999Z"),
            ("2026-11-21T08:30:00Z", "2026-11-21T08:30:00+00:00", "2026-11-21T08:30:00Z"),
            ("2026-11-21T08:30:00.5+00:00", "2026-11-21T08:30:00.500000Z", "2026-11-21T08:30:00.500Z"),
            ("2000-02-29T12:00:00.000001+14:00", "2000-02-28T22:00:00.000001Z", "2000-02-28T22:00:00.000001Z"),
            ("1969-12-31T23:59:59.999999Z", "1970-01-01T00:59:59.999999+01:00", "1969-12-31T23:59:59.999999Z"),
            ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z", "0001-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
        ];
        for (index, (start, end, utc)) in cases.iter().enumerate() {
            let name = format!("S-{index}");
            let body = json!({"name": name, "recipe": "R-1", "quantity": 1, "plannedStart": start, "plannedEnd": end});
            let created = app.put("/api/Schedule/Upsert", body).await;
            let created = created.expect(201);
            assert_eq!(
                (created["plannedStart"].as_str(), created["plannedEnd"].as_str()),
                (Some(*utc), Some(*utc)),
                "{start}"
            );
            let listed = master_list(&app, "Schedule", json!({"name": name})).await;
            assert_eq!(listed[0]["plannedStart"], *utc, "{start} read back");
            assert_eq!(listed[0]["plannedEnd"], *utc, "{end} read back");
            assert_eq!(utc_timestamp(&listed[0]["plannedStart"]), chrono::DateTime::parse_from_rfc3339(start).unwrap());
        }
        // One microsecond before its start is refused, whatever the offsets say.
        let body = json!({
            "name": "S-early", "recipe": "R-1", "quantity": 1,
            "plannedStart": "2026-11-21T10:30:00.000001+02:00", "plannedEnd": "2026-11-21T08:30:00Z"
        });
        let response = app.put("/api/Schedule/Upsert", body).await;
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(response.error_fields(), ["plannedEnd"]);
    }

    async fn dates_round_trip_exactly(app: TestApp) {
        let dates = ["0001-01-01", "1969-12-31", "2024-02-29", "9999-12-31"];
        for (index, date) in dates.iter().enumerate() {
            let mut body = job_body(&format!("SO-{index}"));
            body["due_date"] = json!(date);
            app.put("/api-jobs/sync", body).await.expect(201);
        }
        let read: Vec<Value> = erp_list(&app, "jobs").await.iter().map(|j| j["due_date"].clone()).collect();
        assert_eq!(read, dates.map(|d| json!(d)));
    }

    async fn created_and_updated_at_are_rfc3339_utc_on_both_dialects(app: TestApp) {
        let before = chrono::Utc::now() - chrono::Duration::microseconds(1);
        let id = create_cell(&app, "WC-1", "Cutting").await;
        let after = chrono::Utc::now();
        let cell = app.get(&format!("/api-cells/{id}")).await.expect(200)["data"].clone();
        let created = utc_timestamp(&cell["created_at"]);
        assert!(before <= created && created <= after, "{created} not within {before}..{after}");
        assert_eq!(cell["updated_at"], cell["created_at"]);
        crate::platform::fixtures::sync_cell(&app, "WC-1", "Cutting 2").await.expect(200);
        let updated = app.get(&format!("/api-cells/{id}")).await.expect(200)["data"].clone();
        assert_eq!(updated["created_at"], cell["created_at"]);
        assert!(utc_timestamp(&updated["updated_at"]) > created, "an update moves updated_at");
        assert_eq!(erp_list(&app, "cells").await[0]["updated_at"], updated["updated_at"]);

        let job = app.put("/api-jobs/sync", job_with_operations("SO-1", vec![operation("OP-1", "cutting 2")])).await;
        let job = read_job(&app, job.expect(201)["data"]["id"].as_str().unwrap()).await;
        let part = &job["parts"][0];
        let operation = &part["operations"][0];
        for stamp in [&job["created_at"], &part["created_at"], &operation["created_at"], &operation["updated_at"]] {
            assert_eq!(*stamp, job["updated_at"], "one request, one time");
        }
        utc_timestamp(&job["created_at"]);

        let before = chrono::Utc::now() - chrono::Duration::microseconds(1);
        let record = create_master(&app, "ProductType", json!({"name": "Widget"})).await;
        let after = chrono::Utc::now();
        let created = utc_timestamp(&record["createdAt"]);
        assert!(before <= created && created <= after, "{created} not within {before}..{after}");
        assert_eq!(record["updatedAt"], record["createdAt"]);
        let renamed = app.put("/api/ProductType/Upsert", json!({"id": record["id"], "name": "Gadget"})).await;
        let renamed = renamed.expect(200);
        assert_eq!(renamed["createdAt"], record["createdAt"]);
        assert!(utc_timestamp(&renamed["updatedAt"]) > created, "an update moves updatedAt");
        let listed = master_list(&app, "ProductType", json!({})).await;
        assert_eq!((&listed[0]["createdAt"], &listed[0]["updatedAt"]), (&renamed["createdAt"], &renamed["updatedAt"]));
    }
}

/// Decimals as sent (JSON number text) and as they must come back.
const DECIMALS: [(&str, &str); 14] = [
    ("12.50", "12.50"),
    ("0.1", "0.1"),
    ("0", "0"),
    ("0.000", "0.000"),
    ("100", "100"),
    ("1e3", "1000"),
    ("0.00000000000000000000000001", "0.00000000000000000000000001"),
    ("1234567890123456789012345678", "1234567890123456789012345678"),
    ("1234567890.123456789012345678", "1234567890.123456789012345678"),
    ("0.1000000000000000055511151231", "0.1000000000000000055511151231"),
    ("1.0000000000000000000000000000", "1.0000000000000000000000000000"),
    ("79228162514264337593543950335", "79228162514264337593543950335"),
    ("-0", "0"),
    ("-0.00", "0.00"),
];

/// Decimals no exact 96-bit decimal holds: refused rather than rounded.
const TOO_PRECISE: [&str; 2] = ["79228162514264337593543950336", "0.12345678901234567890123456789"];

/// A JSON value parsed from text, so that numbers keep their exact digits.
fn raw_json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// An operation in the cell `Cutting` whose estimated time is the JSON number `minutes`.
fn timed_operation(external_id: &str, minutes: &str) -> Value {
    let mut operation = operation(external_id, "Cutting");
    operation["estimated_time_minutes"] = raw_json(minutes);
    operation
}

backend_tests! {
    async fn erp_decimals_round_trip_exactly(app: TestApp) {
        create_cell(&app, "WC-1", "Cutting").await;
        let operations: Vec<Value> =
            DECIMALS.iter().enumerate().map(|(i, (sent, _))| timed_operation(&format!("OP-{i}"), sent)).collect();
        let body = job_with_operations("SO-1", operations);
        let job = app.put("/api-jobs/sync", body).await;
        let job = read_job(&app, job.expect(201)["data"]["id"].as_str().unwrap()).await;
        let read: Vec<String> = job["parts"][0]["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| number_text(&o["estimated_time_minutes"]))
            .collect();
        let expected: Vec<&str> = DECIMALS.iter().map(|(_, back)| *back).collect();
        assert_eq!(read, expected);
        let listed: Vec<String> =
            erp_list(&app, "operations").await.iter().map(|o| number_text(&o["estimated_time_minutes"])).collect();
        assert_eq!(listed, expected);

        // A standalone re-sync replaces the value exactly.
        let standalone = |sent: &str| {
            let mut operation = timed_operation("OP-0", sent);
            operation["external_source"] = json!("SAP");
            operation["part_external_id"] = json!("SO-1-P1");
            operation
        };
        app.put("/api-operations/sync", standalone("7.250")).await.expect(200);
        assert_eq!(number_text(&erp_list(&app, "operations").await[0]["estimated_time_minutes"]), "7.250");

        for sent in TOO_PRECISE {
            let response = app.put("/api-operations/sync", standalone(sent)).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["estimated_time_minutes"], "{sent}");
        }
        assert_eq!(number_text(&erp_list(&app, "operations").await[0]["estimated_time_minutes"]), "7.250");
        assert_eq!(erp_list(&app, "operations").await.len(), DECIMALS.len());
    }

    async fn master_data_decimals_round_trip_exactly(app: TestApp) {
        product_references(&app).await;
        for (index, (sent, back)) in DECIMALS.iter().enumerate() {
            let mut body = product(&format!("P-{index}"));
            body["defaultCostPerUnit"] = raw_json(sent);
            let created = app.put("/api/Product/Upsert", body).await;
            assert_eq!(number_text(&created.expect(201)["defaultCostPerUnit"]), *back, "{sent}");
        }
        let listed: Vec<String> = master_list(&app, "Product", json!({}))
            .await
            .iter()
            .map(|p| number_text(&p["defaultCostPerUnit"]))
            .collect();
        let expected: Vec<&str> = DECIMALS.iter().map(|(_, back)| *back).collect();
        assert_eq!(listed, expected);

        let id = master_list(&app, "Product", json!({"name": "P-0"})).await[0]["id"].clone();
        let updated = app.put("/api/Product/Upsert", json!({"id": id, "defaultCostPerUnit": raw_json("19.990")})).await;
        assert_eq!(number_text(&updated.expect(200)["defaultCostPerUnit"]), "19.990");
        for sent in TOO_PRECISE {
            let response =
                app.put("/api/Product/Upsert", json!({"id": id, "defaultCostPerUnit": raw_json(sent)})).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["defaultCostPerUnit"], "{sent}");
        }
        let product = master_list(&app, "Product", json!({"name": "P-0"})).await;
        assert_eq!(number_text(&product[0]["defaultCostPerUnit"]), "19.990");
    }

    async fn sixteen_concurrent_syncs_of_one_new_external_id_make_one_record(app: TestApp) {
        let cell =
            |i: usize| json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cutting", "sequence": i});
        let responses = concurrently(&app, 16, Method::PUT, "/api-cells/sync", cell).await;
        let mut ids = std::collections::HashSet::new();
        let mut created = 0;
        for response in &responses {
            assert!(matches!(response.status, 200 | 201), "{} {}", response.status, response.body);
            created += usize::from(response.status == 201);
            let expected = if response.status == 201 { "created" } else { "updated" };
            assert_eq!(response.body["data"]["action"], expected);
            ids.insert(response.body["data"]["id"].as_str().unwrap().to_owned());
        }
        assert_eq!((created, ids.len()), (1, 1));
        assert_eq!(erp_list(&app, "cells").await.len(), 1);

        let job = |_| {
            let operations = vec![operation("OP-1", "Cutting"), operation("OP-2", "cutting")];
            let mut job = job_with_operations("SO-1", operations);
            let second =
                json!({"external_id": "SO-1-P2", "part_number": "P2", "operations": [operation("OP-3", "CUTTING")]});
            job["parts"].as_array_mut().unwrap().push(second);
            job
        };
        let responses = concurrently(&app, 16, Method::PUT, "/api-jobs/sync", job).await;
        assert!(
            responses.iter().all(|r| matches!(r.status, 200 | 201)),
            "{:?}",
            responses.iter().map(|r| (r.status, &r.body)).collect::<Vec<_>>()
        );
        assert_eq!(responses.iter().filter(|r| r.status == 201).count(), 1);
        assert_eq!(erp_list(&app, "jobs").await.len(), 1);
        assert_eq!(erp_list(&app, "parts").await.len(), 2);
        assert_eq!(erp_list(&app, "operations").await.len(), 3);
    }

    async fn concurrent_first_syncs_of_one_record_never_conflict_with_themselves(app: TestApp) {
        // On PostgreSQL, two first syncs of one record that pass ON CONFLICT's check at once meet
        // again at the record's other unique constraint (cell name, job_number): that must end
        // as an update, not as a 409. The window is narrow, hence the rounds.
        for round in 0..25 {
            let cells = concurrently(&app, 16, Method::PUT, "/api-cells/sync", |_| {
                crate::platform::fixtures::cell_body(&format!("WC-{round}"), &format!("Cell {round}"))
            })
            .await;
            let jobs =
                concurrently(&app, 16, Method::PUT, "/api-jobs/sync", |_| job_body(&format!("SO-{round}"))).await;
            for responses in [cells, jobs] {
                let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
                assert!(statuses.iter().all(|s| matches!(s, 200 | 201)), "round {round}: {statuses:?}");
                assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "round {round}");
            }
        }
        assert_eq!(erp_list(&app, "cells").await.len(), 25);
        assert_eq!(erp_list(&app, "jobs").await.len(), 25);
    }

    async fn sixteen_concurrent_creates_of_one_name_make_one_record_and_fifteen_conflicts(app: TestApp) {
        // Cells of sixteen sync keys that all want the same name, in different cases.
        let spellings = ["Ärger", "ÄRGER", "ärger", "äRGER"];
        let cell =
            |i: usize| json!({"external_id": format!("WC-{i}"), "external_source": "SAP", "name": spellings[i % 4]});
        let responses = concurrently(&app, 16, Method::PUT, "/api-cells/sync", cell).await;
        expect_one_created(&responses);
        assert_eq!(erp_list(&app, "cells").await.len(), 1);

        let product_type = |i: usize| json!({"name": spellings[i % 4], "description": format!("attempt {i}")});
        let responses = concurrently(&app, 16, Method::PUT, "/api/ProductType/Upsert", product_type).await;
        expect_one_created(&responses);
        assert_eq!(master_list(&app, "ProductType", json!({})).await.len(), 1);

        product_references(&app).await;
        let responses = concurrently(&app, 16, Method::PUT, "/api/Product/Upsert", |i| {
            let mut body = product(spellings[i % 4]);
            body["suid"] = json!(format!("SUID-{i}"));
            body
        })
        .await;
        expect_one_created(&responses);
        assert_eq!(master_list(&app, "Product", json!({})).await.len(), 1);

        // The same suid under sixteen names.
        let responses = concurrently(&app, 16, Method::PUT, "/api/Product/Upsert", |i| {
            let mut body = product(&format!("Other {i}"));
            body["suid"] = json!("SHARED");
            body
        })
        .await;
        expect_one_created(&responses);
        assert_eq!(master_list(&app, "Product", json!({"suid": "shared"})).await.len(), 1);
    }

    async fn concurrent_bulk_syncs_in_opposite_orders_all_apply(app: TestApp) {
        let cells: Vec<Value> = (0..20)
            .map(|i| json!({"external_id": format!("WC-{i}"), "external_source": "SAP", "name": format!("Cell {i}")}))
            .collect();
        let responses = concurrently(&app, 8, Method::POST, "/api-cells/bulk-sync", |i| {
            let mut ordered = cells.clone();
            if i % 2 == 1 {
                ordered.reverse();
            }
            json!({"cells": ordered})
        })
        .await;
        let mut created = 0;
        for response in &responses {
            let body = response.expect(200);
            assert_eq!(
                (body["data"]["total"].as_u64(), body["data"]["errors"].as_u64()),
                (Some(20), Some(0)),
                "{body}"
            );
            created += body["data"]["created"].as_u64().unwrap();
        }
        assert_eq!(created, 20, "each cell created once");
        assert_eq!(erp_list(&app, "cells").await.len(), 20);
    }

    async fn a_key_repeated_in_one_bulk_request_is_applied_in_order(app: TestApp) {
        let body = json!({"cells": [
            {"external_id": "WC-1", "external_source": "SAP", "name": "First", "sequence": 1},
            {"external_id": "WC-2", "external_source": "SAP", "name": "Ärger"},
            {"external_id": "WC-1", "external_source": "SAP", "name": "Second", "color": "#112233"},
            {"external_id": "WC-3", "external_source": "SAP", "name": "ÄRGER"},
            {"external_id": "WC-1", "external_source": "SAP", "name": "Third", "sequence": null},
        ]});
        let response = app.post("/api-cells/bulk-sync", body).await;
        let data = &response.expect(200)["data"];
        assert_eq!(
            (data["total"].as_u64(), data["created"].as_u64(), data["updated"].as_u64(), data["errors"].as_u64()),
            (Some(5), Some(2), Some(2), Some(1)),
            "{data}"
        );
        let results = data["results"].as_array().unwrap();
        let actions: Vec<&str> = results.iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["created", "created", "updated", "error", "updated"]);
        assert_eq!(results[0]["id"], results[2]["id"]);
        assert_eq!(results[0]["id"], results[4]["id"]);
        assert_eq!(results[3]["external_id"], "WC-3");
        let cells = erp_list(&app, "cells").await;
        assert_eq!(names(&cells), ["Third", "Ärger"]);
        assert_eq!((&cells[0]["color"], &cells[0]["sequence"]), (&json!("#112233"), &Value::Null));

        // A job repeated with other parts keeps the parts of both.
        let job = |part: &str| {
            let mut job = job_body("SO-1");
            job["parts"] = json!([{"external_id": part, "part_number": part}]);
            job
        };
        let response = app.post("/api-jobs/bulk-sync", json!({"jobs": [job("P-1"), job("P-2")]})).await;
        let actions: Vec<Value> =
            response.expect(200)["data"]["results"].as_array().unwrap().iter().map(|r| r["action"].clone()).collect();
        assert_eq!(actions, [json!("created"), json!("updated")]);
        let parts: Vec<Value> = erp_list(&app, "parts").await.iter().map(|p| p["external_id"].clone()).collect();
        assert_eq!(parts, [json!("P-1"), json!("P-2")]);
    }

    async fn erp_texts_at_their_byte_limits_are_stored_and_read_back_identically(app: TestApp) {
        for (index, (width, unit)) in WIDTHS.iter().enumerate() {
            let external_id = text_of_bytes(unit, 255);
            let source = text_of_bytes(unit, 100);
            let name = format!("{index}{}", text_of_bytes(unit, 254));
            let body = json!({"external_id": external_id, "external_source": source, "name": name});
            let response = app.put("/api-cells/sync", body).await;
            assert_eq!(response.expect(201)["data"]["external_id"], external_id.as_str(), "{width}");
            let id = response.body["data"]["id"].as_str().unwrap().to_owned();
            let cell = app.get(&format!("/api-cells/{id}")).await.expect(200)["data"].clone();
            assert_eq!(
                (cell["external_id"].as_str(), cell["external_source"].as_str(), cell["name"].as_str()),
                (Some(external_id.as_str()), Some(source.as_str()), Some(name.as_str())),
                "{width}"
            );
            // The name resolves and matches by its whole folded self.
            let query = format!("external_source={}&external_id={}", encode(&source), encode(&external_id));
            assert_eq!(erp_list_with(&app, &app.key, "cells", &query).await.len(), 1, "{width}");
            assert_eq!(cell_search(&app, &name).await, std::slice::from_ref(&name), "{width}");

            let notes = text_of_bytes(unit, 4000);
            let customer = text_of_bytes(unit, 255);
            let mut operation = operation(&format!("O-{index}"), &name.to_uppercase());
            operation["operation_name"] = json!(text_of_bytes(unit, 255));
            operation["notes"] = json!(notes);
            let mut job = job_with_operations(&format!("SO-{index}"), vec![operation]);
            job["customer"] = json!(customer);
            job["notes"] = json!(notes);
            job["parts"][0]["part_number"] = json!(text_of_bytes(unit, 255));
            job["parts"][0]["notes"] = json!(notes);
            let response = app.put("/api-jobs/sync", job).await;
            let job = read_job(&app, response.expect(201)["data"]["id"].as_str().unwrap()).await;
            assert_eq!(
                (job["customer"].as_str(), job["notes"].as_str()),
                (Some(customer.as_str()), Some(notes.as_str())),
                "{width}"
            );
            let part = &job["parts"][0];
            assert_eq!(part["part_number"].as_str(), Some(text_of_bytes(unit, 255).as_str()), "{width}");
            assert_eq!(part["notes"].as_str(), Some(notes.as_str()), "{width}");
            assert_eq!(part["operations"][0]["cell_name"].as_str(), Some(name.as_str()), "{width}");
            assert_eq!(part["operations"][0]["notes"].as_str(), Some(notes.as_str()), "{width}");

            // One character more is refused.
            let over = format!("{}{unit}", text_of_bytes(unit, 255 - unit.len() + 1));
            assert!(over.len() > 255 && over.len() <= 255 + unit.len());
            let response = app
                .put("/api-cells/sync", json!({"external_id": "WC-over", "external_source": "SAP", "name": over}))
                .await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["name"], "{width}");
        }
        assert_eq!(erp_list(&app, "cells").await.len(), WIDTHS.len());
    }

    async fn master_data_texts_at_their_byte_limits_are_stored_and_read_back_identically(app: TestApp) {
        for (index, (width, unit)) in WIDTHS.iter().enumerate() {
            let name = format!("{index}{}", text_of_bytes(unit, 249));
            let description = text_of_bytes(unit, 2000);
            let created = create_master(&app, "ProductType", json!({"name": name, "description": description})).await;
            assert_eq!(
                (created["name"].as_str(), created["description"].as_str()),
                (Some(name.as_str()), Some(description.as_str())),
                "{width}"
            );
            let listed = master_list(&app, "ProductType", json!({"name": name.to_uppercase()})).await;
            assert_eq!(listed.len(), 1, "{width}");
            assert_eq!(
                (listed[0]["name"].as_str(), listed[0]["description"].as_str()),
                (Some(name.as_str()), Some(description.as_str())),
                "{width}"
            );

            let location = format!("{index}{}", text_of_bytes(unit, 19));
            assert_eq!(
                create_master(&app, "Location", json!({"name": location})).await["name"].as_str(),
                Some(location.as_str())
            );
            let over = format!("{index}{}{unit}", text_of_bytes(unit, 19 - unit.len() + 1));
            assert!(over.len() > 20);
            let response = app.put("/api/Location/Upsert", json!({"name": over})).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), ["name"], "{width}");
        }
        assert_eq!(master_list(&app, "Location", json!({})).await.len(), WIDTHS.len());
    }

    async fn nul_is_refused_on_both_dialects_and_nothing_is_written(app: TestApp) {
        let refused: Vec<(&str, Value, &str)> = vec![
            (
                "/api-cells/sync",
                json!({"external_id": "WC-1", "external_source": "SAP", "name": "Cut\u{0}ting"}),
                "name",
            ),
            (
                "/api-cells/sync",
                json!({"external_id": "WC\u{0}1", "external_source": "SAP", "name": "Cutting"}),
                "external_id",
            ),
            (
                "/api-cells/sync",
                json!({"external_id": "WC-1", "external_source": "\u{0}", "name": "Cutting"}),
                "external_source",
            ),
            (
                "/api-jobs/sync",
                json!({
                    "external_id": "SO-1", "external_source": "SAP", "job_number": "SO-1",
                    "parts": [{"external_id": "P-1", "part_number": "P1", "notes": "a\u{0}"}]
                }),
                "parts[0].notes",
            ),
            ("/api/ProductType/Upsert", json!({"name": "Wid\u{0}get"}), "name"),
            ("/api/ProductType/Upsert", json!({"name": "Widget", "description": "\u{0}"}), "description"),
            ("/api/Product/Copy", json!({"suid": "S", "name": "N", "srcProductName": "P\u{0}"}), "srcProductName"),
        ];
        for (path, body, field) in refused {
            let response = app.put(path, body).await;
            assert_eq!(response.status, 422, "{path} {field}: {}", response.body);
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{path}");
        }
        assert_eq!(erp_list(&app, "cells").await, Vec::<Value>::new());
        assert_eq!(erp_list(&app, "jobs").await, Vec::<Value>::new());
        assert_eq!(master_list(&app, "ProductType", json!({})).await, Vec::<Value>::new());
    }

    async fn nul_in_an_erp_list_parameter_is_refused_on_both_backends(app: TestApp) {
        create_cell(&app, "WC-1", "Cutting").await;
        for (query, parameter) in [
            ("search=%00", "search"),
            ("external_id=WC%001", "external_id"),
            ("external_source=%00", "external_source"),
        ] {
            let response = app.get(&format!("/api-cells?{query}")).await;
            assert_eq!(response.status, 422, "{query}: {}", response.body);
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [parameter]);
        }
    }

    async fn nul_in_a_master_data_list_filter_is_refused_on_both_backends(app: TestApp) {
        product_references(&app).await;
        create_master(&app, "Product", product("P-1")).await;
        let filters = [
            ("ProductType", json!({"name": "Wid\u{0}get"})),
            ("Product", json!({"version": "A\u{0}"})),
            ("Product", json!({"productType": "\u{0}"})),
        ];
        for (entity, filter) in filters {
            let field = filter.as_object().unwrap().keys().next().unwrap().clone();
            let response = app.post(&format!("/api/{entity}/List"), filter).await;
            assert_eq!(response.status, 422, "{field}: {}", response.body);
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field]);
        }
    }
}

/// One `201`, and fifteen `409 CONFLICT`s: never a `5xx`.
#[track_caller]
fn expect_one_created(responses: &[Response]) {
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    for response in responses.iter().filter(|r| r.status != 201) {
        assert_eq!(response.status, 409, "{}", response.body);
        response.expect_error(409, "CONFLICT");
    }
}
