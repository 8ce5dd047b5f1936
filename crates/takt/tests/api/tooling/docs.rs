//! `GET /docs`: the interactive API reference, open to all, served whole from the binary: its
//! page refers only to files of the same server, and each of them answers.

use reqwest::Method;
use reqwest::Url;

use crate::backend_tests;
use crate::support::TestApp;

/// The values of every `src` and `href` attribute in `html`'s tags.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let mut at = 0;
        while let Some(offset) = tag[at..].find(|c: char| c.is_ascii_whitespace()) {
            at += offset + 1;
            let rest = &tag[at..];
            let Some(value) = rest.strip_prefix("src=").or_else(|| rest.strip_prefix("href=")) else { continue };
            let value = match value.chars().next() {
                Some(quote @ ('"' | '\'')) => value[1..].split(quote).next().unwrap_or_default(),
                _ => value.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or_default(),
            };
            found.push(value.to_owned());
        }
    }
    found
}

/// Fetches `url` with no key: status, content type and body.
async fn fetch(app: &TestApp, url: &Url) -> (u16, String, Vec<u8>) {
    let response = app.client.get(url.clone()).send().await.expect("the server answers");
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, response.bytes().await.expect("a body").to_vec())
}

#[test]
fn references_are_read_from_tags() {
    let html = r#"<link rel="stylesheet" href="./a.css" /><script src='b.js'></script><p>src="no"</p>
        <img data-src="x" src=c.png><a class="href" href="https://elsewhere.example/">"#;
    assert_eq!(references(html), ["./a.css", "b.js", "c.png", "https://elsewhere.example/"]);
}

backend_tests! {
    async fn the_docs_page_needs_no_key_and_loads_only_files_of_this_server(app: TestApp) {
        for page in ["/docs", "/docs/"] {
            let page_url = Url::parse(&app.url(page)).unwrap();
            let (status, content_type, body) = fetch(&app, &page_url).await;
            assert_eq!(status, 200, "{page}");
            assert!(content_type.starts_with("text/html"), "{page}: {content_type}");
            let html = String::from_utf8(body).expect("UTF-8");
            assert!(html.contains("<title>Takt API reference</title>"), "{html}");
            let references = references(&html);
            for wanted in ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-initializer.js"] {
                assert!(references.iter().any(|r| r.ends_with(wanted)), "{page} does not load {wanted}: {references:?}");
            }
            for reference in &references {
                let url = page_url.join(reference).unwrap_or_else(|e| panic!("{reference} on {page}: {e}"));
                assert_eq!(url.origin(), page_url.origin(), "{page} refers to another host: {reference}");
                assert!(url.path().starts_with("/docs/"), "{page}: {reference} is {url}");
                let (status, _, body) = fetch(&app, &url).await;
                assert_eq!(status, 200, "{page}: {reference} ({url})");
                assert!(!body.is_empty(), "{page}: {reference} is empty");
            }
        }

        // The page reads this server's document, sends it to no validator, and names no other
        // host; the document offers the bearer key for try-it-out.
        let initializer = Url::parse(&app.url("/docs/swagger-initializer.js")).unwrap();
        let (status, content_type, body) = fetch(&app, &initializer).await;
        assert_eq!(status, 200);
        assert!(content_type.contains("javascript"), "{content_type}");
        let script = String::from_utf8(body).unwrap();
        assert!(script.contains("\"/openapi.json\""), "{script}");
        assert!(script.contains("\"validatorUrl\": \"none\""), "{script}");
        assert!(!script.contains("http://") && !script.contains("https://"), "{script}");
        let document = app.call(Method::GET, "/openapi.json").no_key().send().await;
        let scheme = &document.expect(200)["components"]["securitySchemes"]["apiKey"];
        assert_eq!((scheme["type"].as_str(), scheme["scheme"].as_str()), (Some("http"), Some("bearer")), "{scheme}");
        assert!(document.body["paths"]["/docs"]["get"].is_object());

        // A key is not needed, and a bad one does not get in the way; a file that is not there
        // is a 404 in the API's envelope.
        let page = app.call(Method::GET, "/docs").key("not-a-key").send().await;
        assert_eq!(page.status, 200);
        app.call(Method::GET, "/docs/no-such-file.js").no_key().send().await.expect_error(404, "NOT_FOUND");
    }
}
