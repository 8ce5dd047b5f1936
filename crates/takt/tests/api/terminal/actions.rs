//! The cells, a cell's queue, an operation's panel and its actions through plain form posts:
//! each as the signed-in operator, answered with the new state or the refusal's words; the scan
//! field; the change stream; the board.

use std::time::Duration;

use serde_json::json;

use super::fixtures::{Browser, terminal_plant};
use crate::backend_tests;
use crate::erp::fixtures::{SOURCE, create, read, update};
use crate::lifecycle::fixtures::{act, events};
use crate::support::TestApp;

/// The panel's path of an operation.
fn panel(id: &str) -> String {
    format!("/terminal/acme/operations/{id}")
}

backend_tests! {
    async fn a_cell_shows_what_runs_what_is_ready_and_what_is_blocked(app: TestApp) {
        let plant = terminal_plant(&app).await;
        update(&app, "cells", json!({"external_id": "C-1", "external_source": SOURCE, "name": "Cutting", "enforce_sequence": true})).await;
        act(&app, "start", &plant.operations[3]).await;
        let cell = read(&app, "operations", &plant.operations[0]).await["cell_id"].as_str().unwrap().to_owned();
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        let queue = browser.get(&format!("/terminal/acme/cells/{cell}")).await;
        queue.expect(200).shows("<h1>Cutting</h1>").shows("Running now").shows("Ready").shows("Blocked");
        queue.shows("an earlier step is not done").shows("<label for=\"scan\">Scan</label>");
        let running = &queue.body[queue.body.find("group running").unwrap()..queue.body.find("group held").unwrap()];
        assert!(running.contains("Step OP-4"), "{running}");
        let blocked = &queue.body[queue.body.find("group blocked").unwrap()..];
        assert!(blocked.contains("Step OP-2") && blocked.contains("Step OP-3") && !blocked.contains("Step OP-1"), "{blocked}");
        browser.get("/terminal/acme/cells/not-a-cell").await.expect(404);
    }

    async fn start_pause_resume_and_complete_with_pieces_as_the_operator(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let op = &plant.operations[0];
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        let page = browser.get(&panel(op)).await;
        page.expect(200).shows("SO-1").shows("P-10").shows(">Start</button>").shows("Not started").shows(">Report issue</button>");
        page.shows("<label for=\"good\">Good</label>").shows("<label for=\"scrap\">Scrap</label>").shows("BURR – Burr on the edge");
        for (action, status, button) in [("start", "in_progress", "Pause"), ("pause", "on_hold", "Resume"), ("resume", "in_progress", "Pause")] {
            let answer = browser.submit(&panel(op), &format!("{}/{action}", panel(op)), &[]).await;
            assert_eq!((answer.status, answer.location()), (303, format!("{}?done={action}", panel(op)).as_str()), "{}", answer.body);
            assert_eq!(read(&app, "operations", op).await["status"], status);
            browser.get(answer.location()).await.expect(200).shows(&format!(">{button}</button>"));
        }
        browser.get(&panel(op)).await.shows("data-since=");
        let fields = [("good", "24"), ("scrap", "1"), ("rework", ""), ("scrap_reason", "BURR")];
        let answer = browser.submit(&panel(op), &format!("{}/complete", panel(op)), &fields).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        let done = browser.get(answer.location()).await;
        done.expect(200).shows("Completed.").shows("<strong>24</strong>");
        let record = read(&app, "operations", op).await;
        assert_eq!((record["status"].as_str(), record["quantity_good"].as_i64(), record["quantity_scrap"].as_i64()), (Some("completed"), Some(24), Some(1)));
        let quantities = app.get(&format!("/api-operation-quantities?operation_id={op}")).await;
        assert_eq!(quantities.expect(200)["data"]["operation_quantities"][0]["scrap_reason"], "BURR");
        let operator = crate::erp::fixtures::find(&app, "operators", "E-1").await["id"].clone();
        let moves: Vec<_> = events(&app).await.into_iter().filter(|e| e["entity_id"] == op.as_str() && e["type"] != "operation.created").collect();
        assert_eq!(moves.len(), 4, "{moves:?}");
        for event in &moves {
            assert_eq!(event["actor"]["kind"], "operator", "{event}");
            assert_eq!(event["actor"]["id"], operator, "{event}");
        }
    }

    async fn a_refused_move_is_answered_with_the_apis_words(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let op = &plant.operations[0];
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        let answer = browser.submit(&panel(op), &format!("{}/pause", panel(op)), &[]).await;
        answer.expect(400).shows("Cannot pause operation with status 'not_started'");
        browser.language = Some("de".into());
        let answer = browser.submit(&panel(op), &format!("{}/complete", panel(op)), &[("good", "-1")]).await;
        answer.expect(422).shows("Gut, Ausschuss und Nacharbeit müssen ganze Zahlen ab 0 sein.");
        let answer = browser.submit(&panel(op), &format!("{}/resume", panel(op)), &[]).await;
        answer.expect(400).shows("Das geht im jetzigen Zustand des Arbeitsgangs nicht.");
        assert_eq!(read(&app, "operations", op).await["status"], "not_started");
    }

    async fn an_action_without_its_token_is_refused(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let op = &plant.operations[0];
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        browser.post(&format!("{}/start", panel(op)), &[]).await.expect(403).shows("This form has expired.");
        browser.post(&format!("{}/start", panel(op)), &[("csrf", "forged")]).await.expect(403);
        browser.post("/terminal/acme/scan", &[("code", "OP-1")]).await.expect(403);
        browser.post("/terminal/acme/sign-out", &[]).await.expect(403);
        assert_eq!(read(&app, "operations", op).await["status"], "not_started");
        let mut stranger = Browser::new(&app);
        let answer = stranger.post(&format!("{}/start", panel(op)), &[("csrf", "x")]).await;
        assert_eq!((answer.status, answer.location()), (303, "/terminal/acme"), "no session: sign in first");
    }

    async fn the_scan_field_opens_an_operation_by_its_external_or_takt_id(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        let answer = browser.submit("/terminal/acme", "/terminal/acme/scan", &[("code", " OP-2 ")]).await;
        assert_eq!(answer.location(), format!("{}?scanned=1", panel(&plant.operations[1])));
        browser.get(answer.location()).await.expect(200).shows("autofocus>Start</button>");
        let answer = browser.submit("/terminal/acme", "/terminal/acme/scan", &[("code", &plant.operations[2])]).await;
        assert_eq!(answer.location(), format!("{}?scanned=1", panel(&plant.operations[2])));
        browser.submit("/terminal/acme", "/terminal/acme/scan", &[("code", "NOPE")]).await.expect(404).shows("No operation has the number “NOPE”.");
    }

    async fn an_issue_may_stop_the_operation_and_substeps_are_ticked_off(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let op = &plant.operations[0];
        act(&app, "start", op).await;
        let step = app.post("/api-substeps", json!({"operation_id": op, "description": "Deburr the edge"})).await;
        let step = step.expect(201)["data"]["id"].as_str().unwrap().to_owned();
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        browser.get(&panel(op)).await.shows("Deburr the edge").shows(">Done</button>");
        let answer = browser.submit(&panel(op), &format!("{}/substeps/{step}", panel(op)), &[("done", "1")]).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(app.get(&format!("/api-substeps?id={step}")).await.expect(200)["data"]["status"], "completed");
        browser.get(&panel(op)).await.shows(">Undo</button>");

        let fields = [("title", "Coolant leak"), ("severity", "high"), ("causes_standstill", "true")];
        let answer = browser.submit(&panel(op), &format!("{}/issues", panel(op)), &fields).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(read(&app, "operations", op).await["status"], "on_hold");
        browser.get(&panel(op)).await.shows("Coolant leak").shows("standstill");
        let issues = app.get(&format!("/api-issues?operation_id={op}")).await;
        let operator = crate::erp::fixtures::find(&app, "operators", "E-1").await["id"].clone();
        assert_eq!(issues.expect(200)["data"]["issues"][0]["reported_by"], operator);
        browser.submit(&panel(op), &format!("{}/issues", panel(op)), &[("title", " ")]).await.expect(422);
    }

    async fn another_plants_operation_is_not_found(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let globex = app.key_for("globex").await;
        let job = json!({"external_id": "G-1", "external_source": SOURCE, "job_number": "G-1",
            "parts": [{"external_id": "G-1-10", "part_number": "G", "operations": [{"external_id": "G-OP", "operation_name": "Press"}]}]});
        app.call(reqwest::Method::POST, "/api-jobs").key(&globex).json(job).send().await.expect(201);
        let theirs = app.call(reqwest::Method::GET, "/api-operations?external_id=G-OP").key(&globex).send().await;
        let theirs = theirs.expect(200)["data"]["operations"][0]["id"].as_str().unwrap().to_owned();
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        browser.get(&panel(&theirs)).await.expect(404).shows("There is no such page here.");
        browser.submit(&panel(&plant.operations[0]), &format!("{}/start", panel(&theirs)), &[]).await.expect(404);
        browser.submit("/terminal/acme", "/terminal/acme/scan", &[("code", "G-OP")]).await.expect(404);
        browser.get("/terminal/acme/operations/nonsense").await.expect(404);
        let step = app.post("/api-substeps", json!({"operation_id": plant.operations[0], "description": "x"})).await;
        let step = step.expect(201)["data"]["id"].as_str().unwrap().to_owned();
        let other = format!("{}/substeps/{step}", panel(&plant.operations[1]));
        browser.submit(&panel(&plant.operations[1]), &other, &[("done", "1")]).await.expect(404);
    }

    async fn the_change_stream_signals_a_change_made_through_the_api(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        let refused = browser.get("/terminal/acme/events").await;
        assert_eq!(refused.status, 303);
        browser.sign_in().await;
        let cookie = browser.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut stream = client.get(app.url("/terminal/acme/events")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(stream.headers()["content-type"], "text/event-stream");
        act(&app, "start", &plant.operations[0]).await;
        let chunk = tokio::time::timeout(Duration::from_secs(2), stream.chunk()).await.expect("within two seconds");
        let chunk = String::from_utf8(chunk.unwrap().unwrap().to_vec()).unwrap();
        assert!(chunk.contains("event: change"), "{chunk}");
        let board = client.get(app.url("/board/acme/events")).send().await.unwrap();
        assert_eq!(board.status(), 200);
    }

    async fn the_board_shows_every_cell_and_the_late_jobs_without_a_sign_in(app: TestApp) {
        let plant = terminal_plant(&app).await;
        update(&app, "cells", json!({"external_id": "C-1", "external_source": SOURCE, "name": "Cutting", "wip_limit": 2})).await;
        create(&app, "jobs", json!({"external_id": "SO-9", "external_source": SOURCE, "job_number": "SO-9", "customer": "Initech", "due_date": "2020-01-31"})).await;
        act(&app, "start", &plant.operations[0]).await;
        let mut browser = Browser::new(&app);
        let board = browser.get("/board/acme").await;
        board.expect(200).shows("<h2>Cutting</h2>").shows("1 / 2").shows("Step OP-1").shows("Late jobs").shows("SO-9").shows("Due 2020-01-31");
        assert!(!board.body.contains("SO-1</strong> ·"), "SO-1 has no due date");
        assert!(board.body.contains("data-live=\"/board/acme/events\""));
    }
}
