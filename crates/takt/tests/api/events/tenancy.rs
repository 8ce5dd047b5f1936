//! Tenants' logs are apart: another tenant's key never sees an event, by feed, filter or stream,
//! and each tenant's seq starts at 1.

use serde_json::json;
use tokio::time::Instant;

use crate::backend_tests;
use crate::events::fixtures::*;
use crate::support::TestApp;

backend_tests! {
    async fn another_tenants_key_never_sees_the_events(app: TestApp) {
        let other = app.key_for("globex").await;
        let cell_id = create(&app, "cells", cell("C-1", "Cutting")).await;
        create(&app, "cells", cell("C-B", "Bending")).await;
        create(&app, "jobs", nested_job(1)).await;
        let eur = master_create(&app, "Currency", json!({"name": "EUR"})).await;
        assert_eq!(all_events(&app).await.len(), 2 + 6 + 1);

        for query in [
            String::new(),
            "?after=0&limit=1000".into(),
            "?type=*".into(),
            "?entity=cell".into(),
            format!("?entity_id={cell_id}"),
            format!("?entity=cell&entity_id={cell_id}"),
            format!("?entity=currency&entity_id={}", mid(&eur)),
        ] {
            assert_eq!(page_of(&app, &other, &query).await, (vec![], 0, false), "{query}");
        }

        // The same sync key in the other tenant is its own record, its own seq 1.
        let mine = sync_as(&app, &other, "cells", cell("C-1", "Cutting"), 201).await;
        assert_ne!(mine, cell_id);
        let theirs = all_after(&app, &other, 0, "").await;
        assert_eq!(seqs(&theirs), [1]);
        check_event(&theirs[0], &other);
        assert_eq!(theirs[0]["entity_id"], mine.as_str());
        assert_ne!(theirs[0]["id"], all_events(&app).await[0]["id"], "event ids are unique across tenants");
        assert_eq!(page_of(&app, &other, &format!("?entity_id={cell_id}")).await, (vec![], 0, false));

        // And the first tenant's log goes on where it was.
        create(&app, "cells", cell("C-2", "Painting")).await;
        let events = all_events(&app).await;
        assert_eq!(seqs(&events), (1..=10).collect::<Vec<_>>());
        assert!(!entity_ids(&events).contains(&mine.as_str()));
    }

    async fn another_tenants_stream_carries_only_its_own_events(app: TestApp) {
        let other = app.key_for("globex").await;
        create(&app, "cells", cell("C-1", "Cutting")).await;
        let mut theirs = open_stream(&app, &other, "", &[]).await;
        let mut ours = open_stream(&app, &app.key, "?after=1", &[]).await;
        let mut filtered = open_stream(&app, &other, "?type=cell.*", &[]).await;
        // First a write of the first tenant, then one of the other: the other's stream's first
        // event is its own.
        create(&app, "cells", cell("C-2", "Bending")).await;
        let id = sync_as(&app, &other, "cells", cell("C-9", "Welding"), 201).await;
        for stream in [&mut theirs, &mut filtered] {
            let event = stream.next_event_before(Instant::now() + PATIENCE).await.expect("the tenant's own event");
            assert_eq!((event["seq"].clone(), event["entity_id"].clone()), (json!(1), json!(id)), "{event}");
            check_event(&event, &other);
        }
        let event = ours.events(1).await.remove(0);
        assert_eq!(event["seq"], 2);
        assert_eq!(event["external_id"], "C-2");
        // Nothing else arrives for the other tenant.
        create(&app, "cells", cell("C-3", "Painting")).await;
        assert_eq!(ours.events(1).await[0]["seq"], 3);
        theirs.expect_quiet_until(Instant::now() + std::time::Duration::from_millis(500)).await;
    }
}
