//! The terminal's words: one catalog per language (`lang/<code>.txt`, `key = text` a line,
//! `{name}` filled in), chosen by the `takt_lang` cookie the language switch sets, else by
//! `Accept-Language`, else English. A language is added by adding its file to [`CATALOGS`].

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;

use super::cookies;

/// Every language's catalog, English first (the fallback).
const CATALOGS: &[(&str, &str)] = &[("en", include_str!("lang/en.txt")), ("de", include_str!("lang/de.txt"))];

/// The cookie that keeps the language an operator switched to.
pub const LANG_COOKIE: &str = "takt_lang";

static PARSED: LazyLock<Vec<Catalog>> =
    LazyLock::new(|| CATALOGS.iter().map(|(code, text)| Catalog { code, words: parse(text) }).collect());

struct Catalog {
    code: &'static str,
    words: HashMap<&'static str, &'static str>,
}

fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect()
}

/// One language's words.
#[derive(Clone, Copy)]
pub struct Lang {
    index: usize,
}

impl Lang {
    /// English.
    pub fn fallback() -> Lang {
        Lang { index: 0 }
    }

    /// The language of `code` (`de`), if there is a catalog for it.
    pub fn of(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        PARSED.iter().position(|c| c.code == primary).map(|index| Lang { index })
    }

    /// The language a request asks for: its cookie, then its `Accept-Language` by weight.
    pub fn choose(headers: &HeaderMap) -> Lang {
        if let Some(lang) = cookies::get(headers, LANG_COOKIE).and_then(|code| Lang::of(&code)) {
            return lang;
        }
        let accepted = headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let mut ranges: Vec<(f32, &str)> = accepted
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim();
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                Some((weight, tag))
            })
            .filter(|(weight, tag)| *weight > 0.0 && !tag.is_empty())
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges.iter().find_map(|(_, tag)| Lang::of(tag)).unwrap_or_else(Lang::fallback)
    }

    /// Every language, for the switch.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..CATALOGS.len()).map(|index| Lang { index })
    }

    /// `en`, `de`: what `<html lang>` says.
    pub fn code(self) -> &'static str {
        PARSED[self.index].code
    }

    /// The words for `key`; English's when this catalog lacks them, the key itself when both do.
    pub fn t(self, key: &'static str) -> &'static str {
        PARSED[self.index].words.get(key).or_else(|| PARSED[0].words.get(key)).copied().unwrap_or(key)
    }

    /// The words for `key` with each `{name}` replaced by its value.
    pub fn f(self, key: &'static str, values: &[(&str, &str)]) -> String {
        values.iter().fold(self.t(key).to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_has_every_key_of_english() {
        let english = &PARSED[0].words;
        for catalog in PARSED.iter() {
            let mut missing: Vec<_> = english.keys().filter(|k| !catalog.words.contains_key(*k)).collect();
            missing.sort();
            assert!(missing.is_empty(), "{} lacks {missing:?}", catalog.code);
            let mut extra: Vec<_> = catalog.words.keys().filter(|k| !english.contains_key(*k)).collect();
            extra.sort();
            assert!(extra.is_empty(), "{} has keys English lacks: {extra:?}", catalog.code);
        }
    }

    #[test]
    fn accept_language_is_read_by_weight() {
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", "fr;q=0.9, de-DE;q=0.8, en;q=0.5".parse().unwrap());
        assert_eq!(Lang::choose(&headers).code(), "de");
        headers.insert("accept-language", "en-GB, de;q=0.9".parse().unwrap());
        assert_eq!(Lang::choose(&headers).code(), "en");
        headers.insert("cookie", "takt_lang=de".parse().unwrap());
        assert_eq!(Lang::choose(&headers).code(), "de", "the switch wins");
        assert_eq!(Lang::choose(&HeaderMap::new()).code(), "en");
    }

    #[test]
    fn placeholders_are_filled() {
        let de = Lang::of("de").unwrap();
        assert_eq!(de.f("signed_in_as", &[("name", "Ada")]), "Angemeldet: Ada");
        assert_eq!(de.t("action.start"), "Starten");
    }
}
