//! `GET /api-events/stream`: Server-Sent Events of the log after a cursor, then live ones within
//! a second of the write (also from a second instance on one PostgreSQL); `Last-Event-ID`
//! resumes; type patterns filter; a comment keeps the connection alive.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use crate::backend_tests;
use crate::events::fixtures::*;
use crate::support::{Backend, TestApp, test_config};

backend_tests! {
    async fn the_stream_sends_the_log_then_live_events(app: TestApp) {
        create(&app, "cells", cell("C-1", "Saw")).await;
        create(&app, "cells", cell("C-2", "Press")).await;
        let mut stream = open_stream(&app, &app.key, "", &[]).await;
        let logged = stream.events(2).await;
        assert_eq!(logged, all_events(&app).await, "the same events as the feed");

        for n in 3..=5 {
            create(&app, "cells", cell(&format!("C-{n}"), &format!("Cell {n}"))).await;
            let answered = Instant::now();
            let event = stream.next_event_before(answered + PATIENCE).await;
            let event = event.unwrap_or_else(|| panic!("event {n} reached the open stream"));
            assert_eq!(event["seq"], n);
            assert_eq!(event, page(&feed(&app, &format!("?after={}", n - 1)).await).0[0]);
            check_event(&event, &app.key);
        }

        // A nested job's six events, in order.
        cells_for_jobs(&app).await;
        stream.events(2).await;
        create(&app, "jobs", nested_job(1)).await;
        let events = stream.events(6).await;
        assert_eq!(seqs(&events), (8..=13).collect::<Vec<_>>());
        assert_eq!(
            types(&events),
            ["job.created", "part.created", "part.created", "operation.created", "operation.created", "operation.created"]
        );
    }

    async fn after_and_last_event_id_resume(app: TestApp) {
        for n in 1..=4 {
            create(&app, "cells", cell(&format!("C-{n}"), &format!("Cell {n}"))).await;
        }
        let mut after = open_stream(&app, &app.key, "?after=2", &[]).await;
        assert_eq!(seqs(&after.events(2).await), [3, 4]);
        let mut resumed = open_stream(&app, &app.key, "?after=1", &[("last-event-id", "3")]).await;
        assert_eq!(seqs(&resumed.events(1).await), [4], "Last-Event-ID wins over after");
        let mut header_only = open_stream(&app, &app.key, "", &[("last-event-id", "1")]).await;
        assert_eq!(seqs(&header_only.events(3).await), [2, 3, 4]);
        let mut at_end = open_stream(&app, &app.key, "?after=4", &[]).await;
        at_end.expect_quiet_until(Instant::now() + Duration::from_millis(300)).await;

        create(&app, "cells", cell("C-5", "Cell 5")).await;
        for stream in [&mut after, &mut resumed, &mut header_only, &mut at_end] {
            assert_eq!(seqs(&stream.events(1).await), [5]);
        }
    }

    async fn type_patterns_filter_the_stream(app: TestApp) {
        cells_for_jobs(&app).await; // 1, 2
        create(&app, "jobs", job("J-1", "JOB-1")).await; // 3
        let mut jobs = open_stream(&app, &app.key, "?type=job.*", &[]).await;
        let mut updates = open_stream(&app, &app.key, "?type=*.updated,job.created", &[]).await;
        assert_eq!(seqs(&jobs.events(1).await), [3], "seqs as the log numbers them");
        assert_eq!(seqs(&updates.events(1).await), [3]);
        update(&app, "cells", with(cell("WC-CUT", "Cutting"), &[("sequence", json!(1))])).await; // 4
        create(&app, "cells", cell("C-3", "Welding")).await; // 5
        update(&app, "jobs", with(job("J-1", "JOB-1"), &[("priority", json!(1))])).await; // 6
        assert_eq!(seqs(&jobs.events(1).await), [6]);
        let both = updates.events(2).await;
        assert_eq!((seqs(&both), types(&both)), (vec![4, 6], vec!["cell.updated", "job.updated"]));
    }

    async fn a_comment_keeps_the_stream_alive(backend: Backend) {
        let app = TestApp::spawn_with(backend, events_config(THIRTY_DAYS, Duration::from_secs(1))).await;
        let mut stream = open_stream(&app, &app.key, "", &[]).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut comments = 0;
        while comments < 2 {
            match stream.next_before(deadline).await {
                Some(Item::Comment(_)) => comments += 1,
                Some(other) => panic!("an empty log sends no event: {other:?}"),
                None => panic!("{comments} keep-alive comments within 5 s at one a second"),
            }
        }
        // Still open: a write comes through.
        create(&app, "cells", cell("C-1", "Cutting")).await;
        assert_eq!(seqs(&stream.events(1).await), [1]);
    }

    async fn an_event_written_through_another_instance_reaches_the_stream(backend: Backend) {
        if backend == Backend::Sqlite {
            return; // A SQLite database belongs to one process.
        }
        let a = TestApp::spawn(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let b = TestApp::serve(backend, a.database.clone(), dir, test_config()).await;
        let mut on_a = open_stream(&a, &a.key, "", &[]).await;
        let mut on_b = open_stream(&b, &b.key, "", &[]).await;
        for n in 1..=3 {
            let writer = if n % 2 == 1 { &b } else { &a };
            create(writer, "cells", cell(&format!("C-{n}"), &format!("Cell {n}"))).await;
            let answered = Instant::now();
            for stream in [&mut on_a, &mut on_b] {
                let event = stream.next_event_before(answered + PATIENCE).await;
                let event = event.unwrap_or_else(|| panic!("event {n} reached both instances' streams"));
                assert_eq!(event["seq"], n);
                check_event(&event, &writer.key);
            }
        }
    }
}
