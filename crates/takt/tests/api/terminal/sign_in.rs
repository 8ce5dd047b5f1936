//! Signing in and out: the plant chooser, the cookies and their attributes, wrong PINs and the
//! lockout, sessions that expire or end, operators who may not sign in, form tokens.

use super::fixtures::{Browser, NUMBER, PIN, operator, terminal_plant};
use crate::backend_tests;
use crate::support::{Backend, TestApp, test_config};

backend_tests! {
    async fn the_terminal_goes_to_the_only_plant_or_asks_which(app: TestApp) {
        let mut browser = Browser::new(&app);
        let answer = browser.get("/terminal").await;
        assert_eq!((answer.status, answer.location()), (303, "/terminal/acme"));
        app.key_for("Werk Süd").await;
        browser.get("/terminal").await.expect(200).shows("href=\"/terminal/acme\"").shows("/terminal/Werk%20S%C3%BCd");
        browser.get("/terminal/werk%20s%C3%BCd").await.expect(200).shows("Employee number");
        browser.get("/terminal/nowhere").await.expect(404).shows("There is no plant called “nowhere”.");
        browser.get("/board/nowhere").await.expect(404);
    }

    async fn an_operator_signs_in_with_a_session_cookie_stored_as_a_hash(app: TestApp) {
        terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        let form = browser.get("/terminal/acme").await;
        form.expect(200).shows("<label for=\"employee_number\">Employee number</label>").shows("<label for=\"pin\">PIN</label>");
        form.shows(">Sign in</button>");
        let csrf_cookie = form.set_cookie("takt_csrf").expect("a pre-session token");
        assert!(csrf_cookie.ends_with("; Path=/terminal; HttpOnly; SameSite=Strict"), "{csrf_cookie}");
        assert_eq!(browser.cookies["takt_csrf"], form.csrf(), "the form's token is its cookie's");

        let answer = browser.try_sign_in(NUMBER, PIN).await;
        assert_eq!((answer.status, answer.location()), (303, "/terminal/acme"), "{}", answer.body);
        let session = answer.set_cookie("takt_session").expect("a session cookie");
        assert!(session.ends_with("; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"), "{session}");
        let token = browser.cookies["takt_session"].clone();
        assert_eq!(token.len(), 64);

        let home = browser.get("/terminal/acme").await;
        home.expect(200).shows("Signed in as Ada Lovelace").shows(">Cutting</button>").shows(">Sign out</button>");
        assert_eq!(app.execute_sql(&format!("UPDATE terminal_sessions SET csrf_token = csrf_token WHERE token_hash = {}", hash_literal(&app, &token))).await, 1);
        let raw = match app.backend {
            Backend::Sqlite => format!("X'{}'", hex::encode(token.as_bytes())),
            Backend::Postgres => format!("'\\x{}'::bytea", hex::encode(token.as_bytes())),
        };
        assert_eq!(app.execute_sql(&format!("UPDATE terminal_sessions SET csrf_token = csrf_token WHERE token_hash = {raw}")).await, 0, "the token itself is not stored");
    }

    async fn five_wrong_pins_lock_the_operator_for_fifteen_minutes(app: TestApp) {
        terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        for _ in 0..4 {
            browser.try_sign_in(NUMBER, "0000").await.expect(401).shows("Wrong employee number or PIN.");
        }
        let fifth = browser.try_sign_in(NUMBER, "0000").await;
        fifth.expect(429).shows("Too many wrong PINs.");
        let wait: i64 = fifth.header("retry-after").unwrap().parse().unwrap();
        assert!((890..=900).contains(&wait), "{wait}");
        browser.try_sign_in(NUMBER, PIN).await.expect(429);
        assert!(!browser.cookies.contains_key("takt_session"));

        app.execute_sql("UPDATE terminal_pin_failures SET locked_until = last_failed_at").await;
        browser.sign_in().await;
        assert_eq!(app.execute_sql("DELETE FROM terminal_pin_failures").await, 0, "a right PIN forgets the wrong ones");
        browser.cookies.clear();
        browser.try_sign_in("9999", PIN).await.expect(401).shows("Wrong employee number or PIN.");
    }

    async fn inactive_and_deleted_operators_cannot_sign_in_and_a_retired_ones_session_ends(app: TestApp) {
        terminal_plant(&app).await;
        operator(&app, "E-2", "2002", "2222", false).await;
        let mut browser = Browser::new(&app);
        browser.try_sign_in("2002", "2222").await.expect(401);
        let deleted = operator(&app, "E-3", "3003", "3333", true).await;
        app.call(reqwest::Method::DELETE, &format!("/api-operators?id={deleted}")).send().await.expect(200);
        browser.try_sign_in("3003", "3333").await.expect(401);

        browser.sign_in().await;
        let retired = serde_json::json!({"external_id": "E-1", "external_source": crate::erp::fixtures::SOURCE,
                                         "name": "Ada Lovelace", "employee_number": NUMBER, "active": false});
        crate::erp::fixtures::update(&app, "operators", retired).await;
        browser.get("/terminal/acme").await.expect(200).shows("Employee number");
    }

    async fn a_session_ends_when_it_expires_or_its_operator_signs_out(app: TestApp) {
        terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        app.execute_sql("UPDATE terminal_sessions SET expires_at = created_at").await;
        browser.get("/terminal/acme").await.expect(200).shows("Employee number");
        let cell = browser.get("/terminal/acme/cells/00000000-0000-0000-0000-000000000000").await;
        assert_eq!((cell.status, cell.location()), (303, "/terminal/acme"));

        browser.sign_in().await;
        let kept = browser.cookies["takt_session"].clone();
        let answer = browser.submit("/terminal/acme", "/terminal/acme/sign-out", &[]).await;
        assert_eq!((answer.status, answer.location()), (303, "/terminal/acme"));
        assert!(answer.set_cookie("takt_session").unwrap().contains("Max-Age=0"));
        browser.cookies.insert("takt_session".into(), kept);
        browser.get("/terminal/acme").await.expect(200).shows("Employee number");
    }

    async fn a_session_is_good_for_its_own_plant_only(app: TestApp) {
        terminal_plant(&app).await;
        app.key_for("globex").await;
        let mut browser = Browser::new(&app);
        browser.sign_in().await;
        browser.get("/terminal/globex").await.expect(200).shows("Employee number");
    }

    async fn sign_in_without_or_with_a_wrong_token_is_refused(app: TestApp) {
        terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        browser.get("/terminal/acme").await.expect(200);
        let fields = [("employee_number", NUMBER), ("pin", PIN)];
        browser.post("/terminal/acme/sign-in", &fields).await.expect(403).shows("This form has expired.");
        let wrong = [("csrf", "0000"), ("employee_number", NUMBER), ("pin", PIN)];
        browser.post("/terminal/acme/sign-in", &wrong).await.expect(403);
        let token = browser.cookies.remove("takt_csrf").unwrap();
        let without_cookie = [("csrf", token.as_str()), ("employee_number", NUMBER), ("pin", PIN)];
        browser.post("/terminal/acme/sign-in", &without_cookie).await.expect(403);
        assert!(!browser.cookies.contains_key("takt_session"));
    }

    async fn the_session_lasts_as_long_as_configured(backend: Backend) {
        let config = takt_http::Config { terminal_session: std::time::Duration::from_secs(8 * 3600), ..test_config() };
        let app = TestApp::spawn_with(backend, config).await;
        terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        let answer = browser.try_sign_in(NUMBER, PIN).await;
        assert!(answer.set_cookie("takt_session").unwrap().ends_with("Max-Age=28800"));
    }

    async fn german_is_chosen_by_accept_language_or_the_switch(app: TestApp) {
        terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        browser.language = Some("de-DE,de;q=0.9,en;q=0.5".into());
        browser.get("/terminal/acme").await.expect(200).shows("<html lang=\"de\">").shows("Personalnummer").shows(">Anmelden</button>");
        browser.language = None;
        let switch = browser.get("/terminal/acme/language/de?back=%2Fterminal%2Facme").await;
        assert_eq!((switch.status, switch.location()), (303, "/terminal/acme"));
        browser.get("/terminal/acme").await.shows("Personalnummer");
        let elsewhere = browser.get("/terminal/acme/language/en?back=https%3A%2F%2Fevil.example").await;
        assert_eq!(elsewhere.location(), "/terminal/acme", "only the terminal's own pages");
        browser.get("/terminal/acme").await.shows("Employee number");
    }
}

/// The SQL literal of a token's SHA-256, as the engine writes bytes.
fn hash_literal(app: &TestApp, token: &str) -> String {
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(token.as_bytes()));
    match app.backend {
        Backend::Sqlite => format!("X'{hash}'"),
        Backend::Postgres => format!("'\\x{hash}'::bytea"),
    }
}
