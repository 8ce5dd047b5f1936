//! Every validation rule of the ERP table (SPEC section 3) for all five entities: each refusal is
//! a `422 VALIDATION_ERROR` naming the field by its JSON path, and writes nothing.

use serde_json::{Value, json};

use crate::backend_tests;
use crate::erp::fixtures::*;
use crate::support::TestApp;

const REQUIRED: &str = "is required";
const STRING: &str = "must be a string";
const WHOLE: &str = "must be a whole number";
const BLANK: &str = "must not be blank";
const NUL: &str = "must not contain the NUL character (\\u0000)";
const UNKNOWN: &str = "is not a known field";
const AT_MOST: &str = "must be at most 2147483647";

/// One body that must be refused, and the details it must be refused with.
struct Case {
    entity: &'static str,
    body: Value,
    details: Vec<(String, String)>,
}

fn case(entity: &'static str, body: Value, details: &[(&str, &str)]) -> Case {
    Case { entity, body, details: details.iter().map(|(f, m)| ((*f).to_owned(), (*m).to_owned())).collect() }
}

/// `valid(entity)` with one field changed, refused on that field with `message`.
fn bad(entity: &'static str, field: &'static str, value: Value, message: &str) -> Case {
    case(entity, with(valid(entity), &[(field, value)]), &[(field, message)])
}

/// Sends every case, asserting its refusal, then checks nothing was written and that the
/// unspoiled bodies are accepted (so the refusals were the changes' doing).
async fn refuse_all(app: &TestApp, cases: Vec<Case>) {
    parents(app).await;
    for case in &cases {
        let response = sync(app, case.entity, case.body.clone()).await;
        let context = format!("PUT /api-{}/sync {}", case.entity, case.body);
        assert_eq!(response.status, 422, "{context}: {}", response.body);
        response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(details(&response), case.details, "{context}: {}", response.body);
    }
    assert_eq!(counts(app).await, PARENT_COUNTS, "a refused sync writes nothing");
    for entity in ENTITIES {
        create(app, entity, valid(entity)).await;
    }
}

/// A status as Kind::Enum answers it: trimmed and lowercase.
fn kind_of_status(given: &str) -> String {
    given.trim().to_lowercase()
}

/// The required fields of each entity, with the message their absence gets.
fn required_fields() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("cells", "external_id", REQUIRED),
        ("cells", "external_source", REQUIRED),
        ("cells", "name", REQUIRED),
        ("resources", "external_id", REQUIRED),
        ("resources", "external_source", REQUIRED),
        ("resources", "name", REQUIRED),
        ("jobs", "external_id", REQUIRED),
        ("jobs", "external_source", REQUIRED),
        ("jobs", "job_number", REQUIRED),
        ("parts", "external_id", REQUIRED),
        ("parts", "external_source", REQUIRED),
        ("parts", "job_external_id", "is required (or give job_id)"),
        ("parts", "part_number", REQUIRED),
        ("operations", "external_id", REQUIRED),
        ("operations", "external_source", REQUIRED),
        ("operations", "part_external_id", "is required (or give part_id)"),
        ("operations", "operation_name", REQUIRED),
        ("operations", "cell_name", "is required (or give cell_id)"),
    ]
}

/// Every text field with its byte limit.
fn text_fields() -> Vec<(&'static str, &'static str, usize)> {
    vec![
        ("cells", "external_id", 255),
        ("cells", "external_source", 100),
        ("cells", "name", 255),
        ("resources", "external_id", 255),
        ("resources", "external_source", 100),
        ("resources", "name", 255),
        ("resources", "description", 4000),
        ("resources", "identifier", 255),
        ("resources", "location", 255),
        ("jobs", "external_id", 255),
        ("jobs", "external_source", 100),
        ("jobs", "job_number", 255),
        ("jobs", "customer", 255),
        ("jobs", "notes", 4000),
        ("parts", "external_id", 255),
        ("parts", "external_source", 100),
        ("parts", "job_external_id", 255),
        ("parts", "part_number", 255),
        ("parts", "material", 255),
        ("parts", "notes", 4000),
        ("operations", "external_id", 255),
        ("operations", "external_source", 100),
        ("operations", "part_external_id", 255),
        ("operations", "operation_name", 255),
        ("operations", "cell_name", 255),
        ("operations", "notes", 4000),
    ]
}

backend_tests! {
    async fn each_missing_required_field_is_named(app: TestApp) {
        let mut cases = Vec::new();
        for (entity, field, message) in required_fields() {
            cases.push(case(entity, without(valid(entity), field), &[(field, message)]));
            cases.push(case(entity, with(valid(entity), &[(field, Value::Null)]), &[(field, message)]));
        }
        refuse_all(&app, cases).await;
    }

    async fn a_missing_sync_key_gets_the_seeds_headline(app: TestApp) {
        for entity in ENTITIES {
            let response = sync(&app, entity, without(valid(entity), "external_id")).await;
            let body = response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(body["error"]["message"], "external_id is required for sync operations", "{entity}");
            let response = sync(&app, entity, without(valid(entity), "external_source")).await;
            let body = response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(body["error"]["message"], "external_source is required for sync operations", "{entity}");
        }
    }

    async fn each_wrong_type_is_named(app: TestApp) {
        let uuid = "must be a Takt id (a UUID)";
        let cases = vec![
            bad("cells", "external_id", json!(12345), STRING),
            bad("cells", "external_source", json!(true), STRING),
            bad("cells", "name", json!(["Welding"]), STRING),
            bad("cells", "color", json!(3900150), STRING),
            bad("cells", "sequence", json!("1"), WHOLE),
            bad("cells", "sequence", json!(1.5), WHOLE),
            bad("cells", "sequence", json!(2.0), "must be a whole number without a decimal point"),
            bad("cells", "active", json!("true"), "must be true or false"),
            bad("cells", "active", json!(1), "must be true or false"),
            bad("resources", "name", json!({"de": "Fräse"}), STRING),
            bad("resources", "type", json!(1), STRING),
            bad("resources", "description", json!({}), STRING),
            bad("resources", "identifier", json!(1001), STRING),
            bad("resources", "location", json!(false), STRING),
            bad("resources", "status", json!(0), STRING),
            bad("jobs", "job_number", json!(2024001), STRING),
            bad("jobs", "customer", json!(1), STRING),
            bad("jobs", "due_date", json!(20241231), STRING),
            bad("jobs", "priority", json!("5"), WHOLE),
            bad("jobs", "notes", json!(["a"]), STRING),
            bad("jobs", "parts", json!({"external_id": "P"}), "must be an array"),
            bad("jobs", "parts", json!("P-1"), "must be an array"),
            case(
                "jobs",
                with(valid("jobs"), &[("parts", json!([1]))]),
                &[("parts[0]", "parts[0] must be a JSON object")],
            ),
            bad("parts", "job_external_id", json!(1), STRING),
            bad("parts", "job_id", json!(1), STRING),
            bad("parts", "job_id", json!("J-1"), uuid),
            bad("parts", "part_number", json!(10), STRING),
            bad("parts", "material", json!(304), STRING),
            bad("parts", "quantity", json!("25"), WHOLE),
            bad("parts", "quantity", json!(2.5), WHOLE),
            bad("parts", "notes", json!(true), STRING),
            bad("parts", "operations", json!({}), "must be an array"),
            bad("operations", "part_external_id", json!(10), STRING),
            bad("operations", "part_id", json!("P-1"), uuid),
            bad("operations", "operation_name", json!(1), STRING),
            bad("operations", "cell_name", json!(1), STRING),
            bad("operations", "cell_id", json!(1), STRING),
            bad("operations", "cell_id", json!("Cutting"), uuid),
            bad("operations", "sequence", json!("1"), WHOLE),
            bad("operations", "estimated_time_minutes", json!("30"), "must be a number"),
            bad("operations", "notes", json!(1), STRING),
        ];
        refuse_all(&app, cases).await;
    }

    async fn each_out_of_range_number_is_named(app: TestApp) {
        let cases = vec![
            bad("cells", "sequence", json!(-1), "must be at least 0"),
            bad("cells", "sequence", json!(2147483648_i64), AT_MOST),
            bad("cells", "sequence", json!(9223372036854775807_i64), AT_MOST),
            bad("jobs", "priority", json!(-1), "must be at least 0"),
            bad("jobs", "priority", json!(2147483648_i64), AT_MOST),
            bad("parts", "quantity", json!(0), "must be at least 1"),
            bad("parts", "quantity", json!(-25), "must be at least 1"),
            bad("parts", "quantity", json!(2147483648_i64), AT_MOST),
            bad("parts", "quantity", json!(18446744073709551615_u64), AT_MOST),
            bad("operations", "sequence", json!(-1), "must be at least 0"),
            bad("operations", "sequence", json!(2147483648_i64), AT_MOST),
            bad("operations", "estimated_time_minutes", json!(-1), "must be at least 0"),
            bad("operations", "estimated_time_minutes", json!(-0.01), "must be at least 0"),
        ];
        refuse_all(&app, cases).await;
    }

    async fn the_bounds_of_every_number_are_accepted_and_kept(app: TestApp) {
        parents(&app).await;
        for (entity, field) in [("cells", "sequence"), ("jobs", "priority"), ("operations", "sequence")] {
            for (n, value) in [0_i64, 2147483647].into_iter().enumerate() {
                let external_id = format!("{field}-{n}");
                let mut body = with(valid(entity), &[("external_id", json!(external_id)), (field, json!(value))]);
                // Cell names and job numbers are unique.
                if entity == "cells" {
                    body["name"] = json!(format!("Cell {n}"));
                }
                if entity == "jobs" {
                    body["job_number"] = json!(format!("JOB-B{n}"));
                }
                let id = create(&app, entity, body).await;
                assert_eq!(read(&app, entity, &id).await[field], value, "{entity}.{field}");
            }
        }
        for (n, quantity) in [1_i64, 2147483647].into_iter().enumerate() {
            let body = with(valid("parts"), &[("external_id", json!(format!("Q-{n}"))), ("quantity", json!(quantity))]);
            let id = create(&app, "parts", body).await;
            assert_eq!(read(&app, "parts", &id).await["quantity"], quantity);
        }
        let minutes = [
            "0",
            "12.50",
            "0.1000000000000000055511151231",
            "1000000",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ];
        for (n, minutes) in minutes.into_iter().enumerate() {
            let number: Value = serde_json::from_str(minutes).unwrap();
            let body = with(
                valid("operations"),
                &[("external_id", json!(format!("T-{n}"))), ("estimated_time_minutes", number)],
            );
            let id = create(&app, "operations", body).await;
            let stored = read(&app, "operations", &id).await["estimated_time_minutes"].to_string();
            assert_eq!(stored, minutes, "estimated_time_minutes keeps its exact digits");
        }
    }

    async fn text_limits_count_utf8_bytes(app: TestApp) {
        let mut cases = Vec::new();
        for (entity, field, limit) in text_fields() {
            let over = bytes(limit + 1);
            let message = format!("must be at most {limit} bytes of UTF-8 (got {})", limit + 1);
            cases.push(case(entity, with(valid(entity), &[(field, json!(over))]), &[(field, &message)]));
        }
        refuse_all(&app, cases).await;
    }

    async fn text_at_the_byte_limit_is_accepted_and_kept(app: TestApp) {
        // At the limit, each field has as many characters as the one-byte-over value refused above.
        let at = |n: usize| json!(bytes(n));
        assert_eq!(bytes(255).chars().count(), bytes(256).chars().count());
        let cell_name = bytes(255);
        let job_id = bytes(255);
        let part_id = format!("{}b", bytes(254));
        let long = |field: &str, n: usize| (field.to_owned(), at(n));
        let bodies: Vec<(&str, Vec<(String, Value)>)> = vec![
            ("cells", vec![long("external_id", 255), long("external_source", 100), ("name".into(), json!(cell_name))]),
            (
                "resources",
                vec![
                    long("external_id", 255),
                    long("external_source", 100),
                    long("name", 255),
                    long("description", 4000),
                    long("identifier", 255),
                    long("location", 255),
                ],
            ),
            (
                "jobs",
                vec![
                    ("external_id".into(), json!(job_id)),
                    ("external_source".into(), json!(SOURCE)),
                    long("job_number", 255),
                    long("customer", 255),
                    long("notes", 4000),
                ],
            ),
            (
                "parts",
                vec![
                    ("external_id".into(), json!(part_id)),
                    ("job_external_id".into(), json!(job_id)),
                    long("part_number", 255),
                    long("material", 255),
                    long("notes", 4000),
                ],
            ),
            (
                "operations",
                vec![
                    long("external_id", 255),
                    ("part_external_id".into(), json!(part_id)),
                    long("operation_name", 255),
                    ("cell_name".into(), json!(cell_name)),
                    long("notes", 4000),
                ],
            ),
        ];
        for (entity, fields) in bodies {
            let mut body = valid(entity);
            for (field, value) in &fields {
                body[field.as_str()] = value.clone();
            }
            let id = create(&app, entity, body).await;
            let stored = read(&app, entity, &id).await;
            for (field, value) in &fields {
                assert_eq!(&stored[field.as_str()], value, "{entity}.{field} at its byte limit");
            }
        }
    }

    async fn colors_must_be_hash_rrggbb(app: TestApp) {
        let message = "must be a colour as #rrggbb";
        let cases = ["#3b82f", "3b82f6", "#3b82fg", "#3b82f6a", "#3b82f6 ", "red", "", "#3b82fä", "#3b8"]
            .into_iter()
            .map(|color| bad("cells", "color", json!(color), message))
            .collect();
        refuse_all(&app, cases).await;
    }

    async fn due_dates_must_be_real_yyyy_mm_dd_dates(app: TestApp) {
        let message = "must be a date (YYYY-MM-DD)";
        let dates = [
            "31/12/2024",
            "2024-2-3",
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-12-31T00:00:00Z",
            "2024-12-31 ",
            "20241231",
            "",
            "tomorrow",
            "2024-1２-31",
        ];
        let cases = dates.into_iter().map(|date| bad("jobs", "due_date", json!(date), message)).collect();
        refuse_all(&app, cases).await;
    }

    async fn real_dates_are_accepted_and_kept(app: TestApp) {
        for (n, date) in ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "1970-01-01"].into_iter().enumerate()
        {
            let body = with(numbered("jobs", n), &[("due_date", json!(date))]);
            let id = create(&app, "jobs", body).await;
            assert_eq!(read(&app, "jobs", &id).await["due_date"], date);
        }
    }

    async fn negative_zero_minutes_are_zero(app: TestApp) {
        parents(&app).await;
        for (n, zero) in ["-0", "-0.0", "0.00"].into_iter().enumerate() {
            let number: Value = serde_json::from_str(zero).unwrap();
            let body = with(
                valid("operations"),
                &[("external_id", json!(format!("Z-{n}"))), ("estimated_time_minutes", number)],
            );
            let id = create(&app, "operations", body).await;
            let stored = read(&app, "operations", &id).await["estimated_time_minutes"].to_string();
            assert!(!stored.starts_with('-'), "{zero} is read back as {stored}");
        }
    }

    async fn enums_take_their_values_in_any_case_and_answer_them_lowercase(app: TestApp) {
        let types = "must be one of: tooling, fixture, mold, material, equipment";
        let statuses = "must be one of: available, in_use, maintenance";
        let mut cases = Vec::new();
        for value in ["robot", "", "tool", "equip ment"] {
            cases.push(bad("resources", "type", json!(value), types));
        }
        for value in ["in use", "broken", ""] {
            cases.push(bad("resources", "status", json!(value), statuses));
        }
        refuse_all(&app, cases).await;
        for (n, (kind, status)) in [("Equipment", "In_Use"), ("EQUIPMENT", "AVAILABLE"), (" equipment", "maintenance ")]
            .into_iter()
            .enumerate()
        {
            let body = with(
                valid("resources"),
                &[("external_id", json!(format!("R-ANY-{n}"))), ("type", json!(kind)), ("status", json!(status))],
            );
            let id = create(&app, "resources", body).await;
            let stored = read(&app, "resources", &id).await;
            assert_eq!(stored["type"], "equipment");
            assert_eq!(stored["status"], kind_of_status(status));
        }
    }

    async fn every_enum_value_is_accepted(app: TestApp) {
        let types = ["tooling", "fixture", "mold", "material", "equipment"];
        let statuses = ["available", "in_use", "maintenance", "available", "in_use"];
        for (n, (kind, status)) in types.into_iter().zip(statuses).enumerate() {
            let body = with(
                valid("resources"),
                &[("external_id", json!(format!("R-{n}"))), ("type", json!(kind)), ("status", json!(status))],
            );
            let id = create(&app, "resources", body).await;
            let stored = read(&app, "resources", &id).await;
            assert_eq!((stored["type"].as_str(), stored["status"].as_str()), (Some(kind), Some(status)));
        }
    }

    async fn required_text_must_not_be_blank(app: TestApp) {
        let mut cases = Vec::new();
        let fields = [
            ("cells", "external_id"),
            ("cells", "external_source"),
            ("cells", "name"),
            ("resources", "external_id"),
            ("resources", "external_source"),
            ("resources", "name"),
            ("jobs", "external_id"),
            ("jobs", "external_source"),
            ("jobs", "job_number"),
            ("parts", "external_id"),
            ("parts", "external_source"),
            ("parts", "job_external_id"),
            ("parts", "part_number"),
            ("operations", "external_id"),
            ("operations", "external_source"),
            ("operations", "part_external_id"),
            ("operations", "operation_name"),
            ("operations", "cell_name"),
        ];
        for (entity, field) in fields {
            for blank in ["", "   ", "\t\n"] {
                cases.push(bad(entity, field, json!(blank), BLANK));
            }
        }
        refuse_all(&app, cases).await;
    }

    async fn nested_children_must_not_have_blank_required_text(app: TestApp) {
        let mut cases = Vec::new();
        for field in ["external_id", "external_source", "part_number"] {
            let part = with(json!({"external_id": "P-N", "part_number": "PN"}), &[(field, json!(" "))]);
            let job = with(valid("jobs"), &[("parts", json!([part]))]);
            cases.push(case("jobs", job, &[(&format!("parts[0].{field}"), BLANK)]));
        }
        for field in ["external_id", "external_source", "operation_name", "cell_name"] {
            let operation = with(
                json!({"external_id": "O-N", "operation_name": "Cut", "cell_name": "Cutting"}),
                &[(field, json!(""))],
            );
            let job = with(
                valid("jobs"),
                &[("parts", json!([{"external_id": "P-N", "part_number": "PN", "operations": [operation]}]))],
            );
            cases.push(case("jobs", job, &[(&format!("parts[0].operations[0].{field}"), BLANK)]));
        }
        refuse_all(&app, cases).await;
    }

    async fn nul_characters_are_refused_in_every_text_field(app: TestApp) {
        let mut cases = Vec::new();
        for (entity, field, _) in text_fields() {
            cases.push(bad(entity, field, json!("a\u{0}b"), NUL));
        }
        cases.push(bad("cells", "color", json!("#3b82f\u{0}"), "must be a colour as #rrggbb"));
        cases.push(bad("jobs", "due_date", json!("2024-12-3\u{0}"), "must be a date (YYYY-MM-DD)"));
        cases.push(bad(
            "resources",
            "type",
            json!("tooling\u{0}"),
            "must be one of: tooling, fixture, mold, material, equipment",
        ));
        cases.push(bad("parts", "job_id", json!("\u{0}"), "must be a Takt id (a UUID)"));
        let nested = json!([{"external_id": "P-N", "part_number": "PN", "notes": "\u{0}"}]);
        cases.push(case("jobs", with(valid("jobs"), &[("parts", nested)]), &[("parts[0].notes", NUL)]));
        refuse_all(&app, cases).await;
    }

    async fn unknown_fields_are_refused_at_every_level(app: TestApp) {
        let mut cases = Vec::new();
        for entity in ENTITIES {
            cases.push(case(entity, with(valid(entity), &[("colour", json!("red"))]), &[("colour", UNKNOWN)]));
            cases.push(case(entity, with(valid(entity), &[("id", json!("x"))]), &[("id", UNKNOWN)]));
        }
        // Keys are exact: a differently spelt key is unknown and leaves the real one missing.
        cases.push(case(
            "jobs",
            without(with(valid("jobs"), &[("Job_Number", json!("JOB-X"))]), "job_number"),
            &[("job_number", REQUIRED), ("Job_Number", UNKNOWN)],
        ));
        let nested = json!([{
            "external_id": "P-N", "part_number": "PN", "colour": 1,
            "operations": [{"external_id": "O-N", "operation_name": "Cut", "cell_name": "Cutting", "duration": 5}]
        }]);
        cases.push(case(
            "jobs",
            with(valid("jobs"), &[("parts", nested)]),
            &[("parts[0].operations[0].duration", UNKNOWN), ("parts[0].colour", UNKNOWN)],
        ));
        refuse_all(&app, cases).await;
    }

    async fn several_bad_fields_are_all_listed(app: TestApp) {
        parents(&app).await;
        let body = json!({
            "external_id": 5, "job_number": " ", "customer": "x".repeat(256), "due_date": "2024-02-30",
            "priority": -1, "notes": "\u{0}", "parts": "none", "colour": "red"
        });
        let response = sync(&app, "jobs", body).await;
        expect_invalid(
            &response,
            &[
                ("external_id", STRING),
                ("external_source", REQUIRED),
                ("job_number", BLANK),
                ("customer", "must be at most 255 bytes of UTF-8 (got 256)"),
                ("due_date", "must be a date (YYYY-MM-DD)"),
                ("priority", "must be at least 0"),
                ("notes", NUL),
                ("parts", "must be an array"),
                ("colour", UNKNOWN),
            ],
            "a job with nine bad fields",
        );
        assert_eq!(response.body["error"]["message"], "external_source is required for sync operations");

        let response = sync(
            &app,
            "operations",
            with(valid("operations"), &[("sequence", json!(-1)), ("estimated_time_minutes", json!(-2))]),
        )
        .await;
        let body = response.expect_error(422, "VALIDATION_ERROR");
        assert_eq!(
            body["error"]["message"],
            "2 fields are invalid: sequence must be at least 0; estimated_time_minutes must be at least 0"
        );
        assert_eq!(counts(&app).await, PARENT_COUNTS);
    }

    async fn nested_errors_carry_their_json_path(app: TestApp) {
        parents(&app).await;
        let body = with(
            valid("jobs"),
            &[(
                "parts",
                json!([
                    {"external_id": "P-A", "part_number": "A", "operations": [
                        {"external_id": "O-A1", "operation_name": "Cut", "cell_name": "Cutting"}
                    ]},
                    {"external_id": "P-B", "part_number": "B", "quantity": 0, "operations": [
                        {"external_id": "O-B1", "operation_name": "Cut", "cell_name": "Cutting"},
                        {"external_id": "O-B2", "operation_name": "Bend", "cell_name": 7, "sequence": -3},
                        "not an operation"
                    ]},
                    {"part_number": "C"}
                ]),
            )],
        );
        let response = sync(&app, "jobs", body).await;
        expect_invalid(
            &response,
            &[
                ("parts[1].quantity", "must be at least 1"),
                ("parts[1].operations[1].cell_name", STRING),
                ("parts[1].operations[1].sequence", "must be at least 0"),
                ("parts[1].operations[2]", "parts[1].operations[2] must be a JSON object"),
                ("parts[2].external_id", REQUIRED),
            ],
            "nested errors",
        );
        assert_eq!(counts(&app).await, PARENT_COUNTS, "nothing of the job was written");
    }

    async fn a_nested_parent_reference_must_match_the_parent(app: TestApp) {
        parents(&app).await;
        let body = with(
            valid("jobs"),
            &[(
                "parts",
                json!([{"external_id": "P-A", "job_external_id": "J-1", "part_number": "A", "operations": [
                    {"external_id": "O-A1", "part_external_id": "P-1", "operation_name": "Cut", "cell_name": "Cutting"}
                ]}]),
            )],
        );
        let response = sync(&app, "jobs", body).await;
        expect_invalid(
            &response,
            &[
                ("parts[0].job_external_id", "must match the job's external_id 'J-NEW' it is nested in"),
                ("parts[0].operations[0].part_external_id", "must match the part's external_id 'P-A' it is nested in"),
            ],
            "nested references naming other parents",
        );
        assert_eq!(counts(&app).await, PARENT_COUNTS);
        // Naming the parent it is nested in is fine.
        let body = with(
            valid("jobs"),
            &[(
                "parts",
                json!([{"external_id": "P-A", "job_external_id": "J-NEW", "part_number": "A", "operations": [
                    {"external_id": "O-A1", "part_external_id": "P-A", "operation_name": "Cut", "cell_name": "Cutting"}
                ]}]),
            )],
        );
        create(&app, "jobs", body).await;
    }
}
