//! What every terminal and board answer carries: a content security policy without inline
//! scripts, no framing, no referrer, no sniffing; assets from the binary; and no trace of the
//! pages in the API's OpenAPI document.

use super::fixtures::{Browser, terminal_plant};
use crate::backend_tests;
use crate::support::TestApp;

backend_tests! {
    async fn terminal_and_board_pages_carry_the_security_headers(app: TestApp) {
        let plant = terminal_plant(&app).await;
        let mut browser = Browser::new(&app);
        let mut pages = vec![browser.get("/terminal/acme").await, browser.get("/board/acme").await, browser.get("/terminal/nowhere").await];
        browser.sign_in().await;
        pages.push(browser.get(&format!("/terminal/acme/operations/{}", plant.operations[0])).await);
        pages.push(browser.post("/terminal/acme/scan", &[]).await);
        for page in &pages {
            let csp = page.header("content-security-policy").unwrap_or_else(|| panic!("no CSP: {page:?}"));
            assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
            assert_eq!(page.header("x-frame-options"), Some("DENY"));
            assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
            assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
            assert_eq!(page.header("cache-control"), Some("no-store"));
            assert!(!page.body.contains("<script>") && !page.body.contains(" style="), "no inline script or style");
        }
        assert!(pages[0].body.contains("<script src=\"/terminal-assets/terminal.js\" defer>"));
    }

    async fn the_assets_come_from_the_binary(app: TestApp) {
        let mut browser = Browser::new(&app);
        let css = browser.get("/terminal-assets/terminal.css").await;
        assert_eq!(css.expect(200).header("content-type"), Some("text/css; charset=utf-8"));
        let js = browser.get("/terminal-assets/terminal.js").await;
        assert_eq!(js.expect(200).header("content-type"), Some("text/javascript; charset=utf-8"));
        assert!(js.body.contains("EventSource"));
        browser.get("/terminal-assets/other.js").await.expect(404);
        assert!(!css.body.contains("http://") && !css.body.contains("https://") && !js.body.contains("https://"), "nothing from another host");
    }

    async fn the_pages_are_not_in_the_openapi_document(app: TestApp) {
        let document = app.get("/openapi.json").await;
        let text = document.expect(200).to_string();
        assert!(!text.contains("/terminal") && !text.contains("/board"));
    }
}
