//! `GET /api-events`: keys, paging with `after`/`limit`, its validation, type patterns and
//! entity filters (which never renumber), and retention with `410 CURSOR_EXPIRED`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::backend_tests;
use crate::events::fixtures::*;
use crate::support::{Backend, TestApp};

/// `n` new cells in one bulk request: `n` events.
async fn cells(app: &TestApp, from: usize, n: usize) {
    let cells: Vec<Value> = (from..from + n).map(|i| cell(&format!("C-{i}"), &format!("Cell {i}"))).collect();
    let response = app.post("/api-cells/bulk-sync", json!({ "cells": cells })).await;
    assert_eq!(response.expect(200)["data"]["created"], n, "{}", response.body);
}

backend_tests! {
    async fn the_feed_needs_a_key(app: TestApp) {
        create(&app, "cells", cell("C-1", "Cutting")).await;
        for path in ["/api-events", "/api-events?after=0", "/functions/v1/api-events", "/api-events/stream"] {
            app.call(Method::GET, path).no_key().send().await.expect_error(401, "UNAUTHORIZED");
            let unknown = format!("ery_live_{}", "0".repeat(32));
            app.call(Method::GET, path).key(&unknown).send().await.expect_error(401, "UNAUTHORIZED");
        }
        assert_eq!(page(&feed(&app, "").await).0.len(), 1);
    }

    async fn after_and_limit_page_through_the_log_in_seq_order(app: TestApp) {
        cells(&app, 0, 5).await;
        let (events, next_after, has_more) = page(&feed(&app, "?limit=2").await);
        assert_eq!((seqs(&events), next_after, has_more), (vec![1, 2], 2, true));
        let (events, next_after, has_more) = page(&feed(&app, "?after=2&limit=2").await);
        assert_eq!((seqs(&events), next_after, has_more), (vec![3, 4], 4, true));
        let (events, next_after, has_more) = page(&feed(&app, "?after=3&limit=2").await);
        assert_eq!((seqs(&events), next_after, has_more), (vec![4, 5], 5, false), "nothing after 5");
        let (events, next_after, has_more) = page(&feed(&app, "?after=4&limit=2").await);
        assert_eq!((seqs(&events), next_after, has_more), (vec![5], 5, false));
        // At the end: no events, and next_after is the after given.
        assert_eq!(page(&feed(&app, "?after=5").await), (vec![], 5, false));
        assert_eq!(page(&feed(&app, "?after=100").await), (vec![], 100, false));
        // after absent or 0 is the beginning.
        let all = page(&feed(&app, "").await);
        assert_eq!(seqs(&all.0), [1, 2, 3, 4, 5]);
        assert_eq!((all.1, all.2), (5, false));
        assert_eq!(page(&feed(&app, "?after=0").await), all);
        for event in &all.0 {
            check_event(event, &app.key);
        }
        let external_ids: Vec<&str> = all.0.iter().map(|e| e["external_id"].as_str().unwrap()).collect();
        assert_eq!(external_ids, ["C-0", "C-1", "C-2", "C-3", "C-4"], "request order");
    }

    async fn limit_defaults_to_100_and_goes_up_to_1000(app: TestApp) {
        cells(&app, 0, 1000).await;
        cells(&app, 1000, 5).await;
        let (events, next_after, has_more) = page(&feed(&app, "").await);
        assert_eq!((seqs(&events), next_after, has_more), ((1..=100).collect(), 100, true));
        let (events, next_after, has_more) = page(&feed(&app, "?limit=1000").await);
        assert_eq!((seqs(&events), next_after, has_more), ((1..=1000).collect(), 1000, true));
        let (events, next_after, has_more) = page(&feed(&app, "?after=1000&limit=1000").await);
        assert_eq!((seqs(&events), next_after, has_more), ((1001..=1005).collect(), 1005, false));
        let (events, _, has_more) = page(&feed(&app, "?after=7&limit=1").await);
        assert_eq!((seqs(&events), has_more), (vec![8], true));
    }

    async fn bad_limits_and_cursors_are_422(app: TestApp) {
        create(&app, "cells", cell("C-1", "Cutting")).await;
        for (query, field) in [
            ("?limit=0", "limit"),
            ("?limit=1001", "limit"),
            ("?limit=abc", "limit"),
            ("?limit=-1", "limit"),
            ("?limit=1.5", "limit"),
            ("?after=-1", "after"),
            ("?after=abc", "after"),
            ("?after=1.5", "after"),
        ] {
            let response = feed(&app, query).await;
            response.expect_error(422, "VALIDATION_ERROR");
            assert_eq!(response.error_fields(), [field], "{query}: {}", response.body);
        }
        page(&feed(&app, "?limit=1").await);
        page(&feed(&app, "?limit=1000").await);
    }

    async fn type_patterns_filter_without_renumbering(app: TestApp) {
        cells_for_jobs(&app).await; // 1, 2: cell.created
        create(&app, "jobs", job("J-1", "JOB-1")).await; // 3: job.created
        update(&app, "cells", with(cell("WC-CUT", "Cutting"), &[("sequence", json!(1))])).await; // 4: cell.updated
        update(&app, "jobs", with(job("J-1", "JOB-1"), &[("priority", json!(2))])).await; // 5: job.updated
        master_create(&app, "Currency", json!({"name": "EUR"})).await; // 6: currency.created
        create(&app, "resources", json!({"external_id": "R-1", "external_source": SOURCE, "name": "Mill"})).await; // 7

        let filtered = |query: &'static str| {
            let app = &app;
            async move {
                let (events, next_after, has_more) = page(&feed(app, query).await);
                (seqs(&events), next_after, has_more)
            }
        };
        assert_eq!(filtered("?type=job.*").await, (vec![3, 5], 5, false));
        assert_eq!(filtered("?type=*.created").await, (vec![1, 2, 3, 6, 7], 7, false));
        assert_eq!(filtered("?type=cell.updated,job.*").await, (vec![3, 4, 5], 5, false));
        assert_eq!(filtered("?type=cell.created").await, (vec![1, 2], 2, false));
        assert_eq!(filtered("?type=currency.created").await, (vec![6], 6, false));
        assert_eq!(filtered("?type=*").await, ((1..=7).collect(), 7, false));
        assert_eq!(filtered("?type=job").await, (vec![], 0, false), "a pattern matches the whole type");
        assert_eq!(filtered("?type=part.*").await, (vec![], 0, false), "none: next_after is the after given");
        assert_eq!(filtered("?type=part.*&after=4").await, (vec![], 4, false));
        assert_eq!(filtered("?type=job.*&after=3").await, (vec![5], 5, false));
        assert_eq!(filtered("?type=*.updated&limit=1").await, (vec![4], 4, true));
        assert_eq!(filtered("?type=*.updated&after=4&limit=1").await, (vec![5], 5, false), "no more updates after 5");
        // Filtering changes nothing in the events themselves.
        let all = all_events(&app).await;
        let jobs = page(&feed(&app, "?type=job.*").await).0;
        assert_eq!(jobs, [all[2].clone(), all[4].clone()]);
    }

    async fn entity_and_entity_id_filters(app: TestApp) {
        let c1 = create(&app, "cells", cell("C-1", "Cutting")).await; // 1
        let c2 = create(&app, "cells", cell("C-2", "Bending")).await; // 2
        update(&app, "cells", with(cell("C-1", "Cutting"), &[("color", json!("#ff0000"))])).await; // 3
        let eur = master_create(&app, "Currency", json!({"name": "EUR"})).await; // 4
        let sheet = master_create(&app, "ProductType", json!({"name": "Sheet"})).await; // 5
        master_update(&app, "Currency", json!({"id": mid(&eur), "description": "Euro"})).await; // 6

        let filtered = |query: String| {
            let app = &app;
            async move {
                let (events, next_after, _) = page(&feed(app, &query).await);
                (seqs(&events), next_after)
            }
        };
        assert_eq!(filtered("?entity=cell".into()).await, (vec![1, 2, 3], 3));
        assert_eq!(filtered("?entity=currency".into()).await, (vec![4, 6], 6));
        assert_eq!(filtered("?entity=product_type".into()).await, (vec![5], 5));
        assert_eq!(filtered("?entity=job".into()).await, (vec![], 0));
        assert_eq!(filtered(format!("?entity_id={c1}")).await, (vec![1, 3], 3));
        assert_eq!(filtered(format!("?entity=cell&entity_id={c2}")).await, (vec![2], 2));
        assert_eq!(filtered(format!("?entity=currency&entity_id={}", mid(&eur))).await, (vec![4, 6], 6));
        assert_eq!(filtered(format!("?entity=product_type&entity_id={}", mid(&sheet))).await, (vec![5], 5));
        assert_eq!(filtered(format!("?entity=cell&entity_id={}", mid(&eur))).await, (vec![], 0));
        assert_eq!(filtered(format!("?entity_id={c1}&type=*.updated")).await, (vec![3], 3));
        assert_eq!(filtered(format!("?entity_id={c1}&after=1&limit=1")).await, (vec![3], 3));
        assert_eq!(filtered(format!("?entity_id={}", uuid::Uuid::new_v4())).await, (vec![], 0));
    }

    async fn pruned_events_expire_older_cursors(backend: Backend) {
        let config = events_config(Duration::from_secs(1), Duration::from_secs(15));
        let app = TestApp::spawn_with(backend, config).await;
        cells(&app, 0, 3).await;
        assert_eq!(seqs(&page(&feed(&app, "").await).0), [1, 2, 3]);
        // The server prunes by itself: wait until the feed is empty (generously).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if page(&feed(&app, "?after=0").await).0.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "events older than the retention are pruned");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        cells(&app, 3, 1).await;
        for after in [1, 2] {
            let response = feed(&app, &format!("?after={after}")).await;
            let body = response.expect_error(410, "CURSOR_EXPIRED");
            assert_eq!(body["error"]["oldest_seq"], 4, "{body}");
            assert!(body["error"]["message"].as_str().unwrap().contains('4'), "names the oldest seq: {body}");
        }
        let (events, next_after, has_more) = page(&feed(&app, "?after=0").await);
        assert_eq!((seqs(&events), next_after, has_more), (vec![4], 4, false), "seqs are never reused");
        assert_eq!(page(&feed(&app, "").await).0, events);
        assert_eq!(seqs(&page(&feed(&app, "?after=3").await).0), [4]);
        assert_eq!(page(&feed(&app, "?after=4").await), (vec![], 4, false));
    }
}
