//! A plant with an operator who has a PIN, and a client that keeps cookies the way a browser
//! does (by hand: the pages' `Set-Cookie` attributes are what the scenarios check).

use std::collections::BTreeMap;

use reqwest::redirect::Policy;
use serde_json::json;

use crate::erp::fixtures::{SOURCE, create};
use crate::lifecycle::fixtures::{Plant, plant};
use crate::support::TestApp;

/// The operator's employee number and PIN.
pub const NUMBER: &str = "1001";
pub const PIN: &str = "4711";
pub const OPERATOR: &str = "Ada Lovelace";

/// The lifecycle's plant (cell `Cutting`, job SO-1 with operations OP-1 to OP-4), an operator
/// with a PIN and the scrap reason `BURR`.
pub async fn terminal_plant(app: &TestApp) -> Plant {
    let plant = plant(app).await;
    operator(app, "E-1", NUMBER, PIN, true).await;
    let reason = json!({"code": "BURR", "description": "Burr on the edge", "category": "process"});
    app.post("/api-scrap-reasons", reason).await.expect(201);
    plant
}

/// Syncs an operator; answers their id.
pub async fn operator(app: &TestApp, external_id: &str, number: &str, pin: &str, active: bool) -> String {
    let body = json!({"external_id": external_id, "external_source": SOURCE, "name": OPERATOR,
                      "employee_number": number, "pin": pin, "active": active});
    create(app, "operators", body).await
}

/// One answer: status, headers, the page.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    }

    /// The `Set-Cookie` value of cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find(|c| c.starts_with(&format!("{name}=")))
    }

    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_else(|| panic!("no Location in a {} answer", self.status))
    }

    /// The first form token on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).unwrap_or_else(|| panic!("no form token in {}", self.body)) + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    #[track_caller]
    pub fn shows(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "the page lacks {text:?}: {}", self.body);
        self
    }
}

/// A browser without scripts: keeps cookies, follows no redirect by itself.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub language: Option<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().no_proxy().redirect(Policy::none()).build().unwrap();
        Browser { base: app.url(""), client, cookies: BTreeMap::new(), language: None }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            request = request.header("cookie", cookie);
        }
        if let Some(language) = &self.language {
            request = request.header("accept-language", language);
        }
        let response = request.send().await.expect("the server answers");
        let page = Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap_or_default(),
        };
        for cookie in page.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.client.post(format!("{}{path}", self.base)).form(fields);
        self.send(request).await
    }

    /// Posts a form with the token of the page at `from`.
    pub async fn submit(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(from).await.csrf();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all).await
    }

    /// Tries to sign in at `acme`; the answer to the form.
    pub async fn try_sign_in(&mut self, number: &str, pin: &str) -> Page {
        self.submit("/terminal/acme", "/terminal/acme/sign-in", &[("employee_number", number), ("pin", pin)]).await
    }

    /// Signs in as the plant's operator.
    pub async fn sign_in(&mut self) {
        let answer = self.try_sign_in(NUMBER, PIN).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(answer.location(), "/terminal/acme");
    }
}
