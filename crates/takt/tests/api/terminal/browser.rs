//! The terminal in a real headless Chromium, driven over WebDriver (chromedriver on loopback):
//! sign-in, a wrong PIN and the lockout, a cell, the scan field, start, pause, resume, complete
//! with 24 good and 1 scrap, an operation that appears within two seconds when the API makes
//! it, the board (live too), touch targets of 48 px at least, the language switch, a form
//! without its token, sign-out. Each step saves a screenshot under `target/screenshots/`
//! (1024×768, and some at a phone's 390×844).
//!
//! It runs on SQLite only: the pages are the same on both engines, which the HTTP scenarios
//! cover. Without Chromium and chromedriver it is skipped with a warning, or fails when
//! `CI=true`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::fixtures::{NUMBER, PIN, operator, terminal_plant};
use crate::erp::fixtures::{SOURCE, create, read};
use crate::support::{Backend, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// WebDriver's Enter key.
const ENTER: &str = "\u{E007}";
/// WebDriver's Tab key.
const TAB: &str = "\u{E004}";

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the browser is here; without it the scenario is skipped, or fails on CI.
fn browser_available() -> bool {
    let here = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !here {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(!ci, "CI=true but {CHROMIUM} or {CHROMEDRIVER} is missing: apt-get install chromium chromium-driver");
        eprintln!("WARNING: skipping the browser scenarios: {CHROMIUM} or {CHROMEDRIVER} is missing");
    }
    here
}

async fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    let status = format!("http://127.0.0.1:{port}/status");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(&status).send().await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    driver
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--lang=en-US",
        "--window-size=1024,768",
    ];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"binary": CHROMIUM, "args": args, "prefs": {"intl.accept_languages": "en-US,en"}}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// Where screenshots go: `target/screenshots/`.
fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page in the browser, with the steps the scenarios take.
struct Page {
    client: Client,
    base: String,
}

impl Page {
    async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    }

    /// A screenshot at a phone's width too, then back to 1024×768.
    async fn shot_phone(&self, name: &str) {
        self.resize(390, 844).await;
        self.shot(&format!("{name}-phone")).await;
        self.resize(1024, 768).await;
    }

    /// Sets the viewport (not the window) to `width`×`height`.
    async fn resize(&self, width: u32, height: u32) {
        let inner = self.client.execute("return [window.innerWidth, window.innerHeight];", vec![]).await.unwrap();
        let outer = self.client.get_window_size().await.unwrap();
        let (dw, dh) = (outer.0 as i64 - inner[0].as_i64().unwrap(), outer.1 as i64 - inner[1].as_i64().unwrap());
        self.client.set_window_size((width as i64 + dw) as u32, (height as i64 + dh) as u32).await.unwrap();
    }

    async fn text(&self) -> String {
        self.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
    }

    /// Waits (up to `within`) until the page shows `text`.
    async fn wait_for_text(&self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.text().await.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page did not show {text:?} within {within:?}: {}",
                self.text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The button whose accessible name (its visible text) is `name`.
    async fn button(&self, name: &str) -> Element {
        let xpath = format!("//button[normalize-space()='{name}']");
        self.client.wait().at_most(Duration::from_secs(5)).for_element(Locator::XPath(&xpath)).await.unwrap()
    }

    /// The control labelled `label`.
    async fn field(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space()='{label}']");
        let label = self.client.find(Locator::XPath(&xpath)).await.unwrap();
        let id = label.attr("for").await.unwrap().expect("the label names its control");
        self.client.find(Locator::Id(&id)).await.unwrap()
    }

    async fn fill(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Presses a button that submits its form, and waits for the answer's page.
    async fn press(&self, name: &str) {
        let button = self.button(name).await;
        self.navigating(button.click()).await;
    }

    /// Does what loads another page, and waits until that page has loaded.
    async fn navigating<T>(&self, action: impl Future<Output = Result<T, fantoccini::error::CmdError>>) {
        self.client.execute("window.taktOld = true;", vec![]).await.unwrap();
        action.await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let loaded = self.client.execute("return !window.taktOld && document.readyState === 'complete';", vec![]);
            if loaded.await.is_ok_and(|v| v == true) {
                return;
            }
            assert!(Instant::now() < deadline, "no new page loaded");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Follows the link whose text is `text`.
    async fn follow(&self, text: &str) {
        let link = self.client.find(Locator::LinkText(text)).await.unwrap();
        self.navigating(link.click()).await;
    }

    /// Presses Enter in the focused control, which submits its form.
    async fn enter(&self) {
        let focused = self.client.active_element().await.unwrap();
        self.navigating(focused.send_keys(ENTER)).await;
    }

    async fn sign_in(&self, number: &str, pin: &str) {
        self.fill("Employee number", number).await;
        self.fill("PIN", pin).await;
        self.press("Sign in").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_works_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let plant = terminal_plant(&app).await;
    operator(&app, "E-2", "2002", "2222", true).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().unwrap();
    let page = Page { client: browser(&driver, profile.path()).await, base: app.url("") };
    let outcome = scenarios(&app, &page, &plant.operations).await;
    let _ = page.client.clone().close().await;
    outcome
}

async fn scenarios(app: &TestApp, page: &Page, operations: &[String; 4]) {
    // Sign-in, a wrong PIN, the lockout.
    page.goto("/terminal").await;
    page.wait_for_text("Employee number", Duration::from_secs(5)).await;
    assert!(page.client.current_url().await.unwrap().path().ends_with("/terminal/acme"));
    page.shot("01-sign-in").await;
    page.shot_phone("01-sign-in").await;
    large_targets(page).await;
    page.sign_in(NUMBER, "0000").await;
    page.wait_for_text("Wrong employee number or PIN.", Duration::from_secs(5)).await;
    page.shot("02-wrong-pin").await;
    for _ in 0..5 {
        page.sign_in("2002", "0000").await;
    }
    page.wait_for_text("Too many wrong PINs.", Duration::from_secs(5)).await;
    page.sign_in("2002", "2222").await;
    page.wait_for_text("Too many wrong PINs.", Duration::from_secs(5)).await;
    page.shot("03-locked-out").await;

    // Signed in: the cells, one cell's queue.
    page.sign_in(NUMBER, PIN).await;
    page.wait_for_text("Signed in as Ada Lovelace", Duration::from_secs(5)).await;
    page.shot("04-cells").await;
    page.press("Cutting").await;
    page.wait_for_text("Running now", Duration::from_secs(5)).await;
    let focused = page.client.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("scan"), "the scan field has the focus");
    focused.send_keys(TAB).await.unwrap();
    let next = page.client.active_element().await.unwrap();
    assert_eq!(next.text().await.unwrap(), "Open", "Tab moves to the next control");
    let outline = "var s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth;";
    assert_eq!(page.client.execute(outline, vec![]).await.unwrap(), "solid 4px", "the focus is visible");
    page.shot("05-queue").await;
    page.shot_phone("05-queue").await;
    large_targets(page).await;

    // Scan: Enter opens the operation, Enter again starts it.
    page.field("Scan").await.send_keys("OP-1").await.unwrap();
    page.enter().await;
    page.wait_for_text("Step OP-1 · OP-1", Duration::from_secs(5)).await;
    page.shot("06-scanned").await;
    page.enter().await;
    page.wait_for_text("Started.", Duration::from_secs(5)).await;
    assert_eq!(read(app, "operations", &operations[0]).await["status"], "in_progress");
    let timer = page.client.find(Locator::Css(".timer")).await.unwrap();
    let before = timer.text().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_ne!(timer.text().await.unwrap(), before, "the timer runs");
    page.shot("07-running").await;
    page.shot_phone("07-running").await;
    large_targets(page).await;

    // Pause and resume, by keyboard alone: Tab to the button is the browser's; Enter presses it.
    page.press("Pause").await;
    page.wait_for_text("Paused.", Duration::from_secs(5)).await;
    page.shot("08-paused").await;
    let resume = page.button("Resume").await;
    page.client.execute("arguments[0].focus();", vec![serde_json::to_value(&resume).unwrap()]).await.unwrap();
    page.enter().await;
    page.wait_for_text("Resumed.", Duration::from_secs(5)).await;

    // Complete with 24 good and 1 scrap, with a reason.
    page.fill("Good", "24").await;
    page.fill("Scrap", "1").await;
    page.field("Scrap reason").await.select_by_value("BURR").await.unwrap();
    page.shot("09-completing").await;
    page.press("Complete").await;
    page.wait_for_text("Completed.", Duration::from_secs(5)).await;
    let record = read(app, "operations", &operations[0]).await;
    assert_eq!((record["status"].as_str(), record["quantity_good"].as_i64()), (Some("completed"), Some(24)));
    assert_eq!(record["quantity_scrap"], 1);
    page.shot("10-completed").await;

    // An operation made through the API appears in the open queue within two seconds.
    page.follow("← Cutting").await;
    page.wait_for_text("Running now", Duration::from_secs(5)).await;
    wait_for_live(page).await;
    let job = json!({"external_id": "SO-2", "external_source": SOURCE, "job_number": "SO-2", "customer": "Acme",
        "parts": [{"external_id": "SO-2-10", "part_number": "P-77", "quantity": 5,
                   "operations": [{"external_id": "OP-77", "operation_name": "Step OP-77", "cell_name": "Cutting", "sequence": 10}]}]});
    create(app, "jobs", job).await;
    page.wait_for_text("Step OP-77", Duration::from_secs(2)).await;
    page.shot("11-live-update").await;

    // The board, with one operation running and a late job.
    crate::lifecycle::fixtures::act(app, "start", &operations[3]).await;
    let bending = json!({"external_id": "C-2", "external_source": SOURCE, "name": "Bending", "wip_limit": 2});
    create(app, "cells", bending).await;
    let late = json!({"external_id": "SO-0", "external_source": SOURCE, "job_number": "SO-0", "customer": "Initech", "due_date": "2026-01-15"});
    create(app, "jobs", late).await;
    page.goto("/board/acme").await;
    page.wait_for_text("Late jobs", Duration::from_secs(5)).await;
    page.shot("12-board").await;
    page.shot_phone("12-board").await;
    wait_for_live(page).await;
    crate::lifecycle::fixtures::act(app, "start", &operations[2]).await;
    page.wait_for_text("Step OP-3", Duration::from_secs(2)).await;

    // German, by the switch.
    page.goto(&format!("/terminal/acme/operations/{}", operations[1])).await;
    page.follow("Deutsch").await;
    page.button("Starten").await;
    page.shot("13-german").await;
    page.follow("English").await;
    page.button("Start").await;

    // A form posted without its token is refused.
    page.client
        .execute("document.querySelectorAll('form input[name=csrf]').forEach(function (i) { i.remove(); });", vec![])
        .await
        .unwrap();
    page.press("Start").await;
    page.wait_for_text("This form has expired.", Duration::from_secs(5)).await;
    assert_eq!(read(app, "operations", &operations[1]).await["status"], "not_started");
    page.shot("14-csrf-refused").await;

    // Sign out.
    page.goto("/terminal/acme").await;
    page.press("Sign out").await;
    page.wait_for_text("Employee number", Duration::from_secs(5)).await;
    page.goto("/terminal/acme/cells/00000000-0000-0000-0000-000000000000").await;
    page.wait_for_text("Employee number", Duration::from_secs(5)).await;
    page.shot("15-signed-out").await;
}

/// Asserts that every control a finger can press is at least 48 px high, at 1024×768 and at a
/// phone's width.
async fn large_targets(page: &Page) {
    let small = "return Array.from(document.querySelectorAll('button, a, input, select, label.check'))\
        .filter(function (e) { var r = e.getBoundingClientRect(); return r.width > 0 && e.type !== 'hidden' && r.height < 48; })\
        .map(function (e) { return e.outerHTML.slice(0, 80) + ' ' + e.getBoundingClientRect().height; });";
    for (width, height) in [(1024, 768), (390, 844)] {
        page.resize(width, height).await;
        let found = page.client.execute(small, vec![]).await.unwrap();
        assert_eq!(found, json!([]), "targets under 48 px at {width}×{height}");
    }
    page.resize(1024, 768).await;
}

/// Waits until the page's change stream is open.
async fn wait_for_live(page: &Page) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let open = page.client.execute("return document.body.getAttribute('data-live-open');", vec![]).await.unwrap();
        if open == "true" {
            return;
        }
        assert!(Instant::now() < deadline, "the change stream did not open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
