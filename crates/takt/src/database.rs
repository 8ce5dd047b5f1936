//! Choosing and opening the database named by `--database`.

use std::sync::Arc;

use anyhow::{Context, Result};
use takt_app::{App, Service};
use takt_store::sql::Backend;
use takt_store_postgres::PostgresBackend;
use takt_store_sqlite::SqliteBackend;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (`./takt.db`, `sqlite://PATH`).
    Sqlite(String),
    /// A PostgreSQL URL (`postgres://...`).
    Postgres(String),
}

impl Database {
    pub fn parse(location: &str) -> Database {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            Database::Postgres(location.to_owned())
        } else {
            let path =
                location.strip_prefix("sqlite://").or_else(|| location.strip_prefix("sqlite:")).unwrap_or(location);
            Database::Sqlite(path.to_owned())
        }
    }

    /// How logs name it: the file, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            Database::Sqlite(path) => format!("sqlite://{path}"),
            Database::Postgres(url) => hide_passwords(url),
        }
    }

    /// Opens the database and brings its schema up to date.
    pub async fn open(&self, max_connections: u32) -> Result<Arc<dyn Service>> {
        self.open_with(max_connections, true).await
    }

    /// Opens the database as it is, migrating nothing (`takt doctor`).
    pub async fn open_as_is(&self, max_connections: u32) -> Result<Arc<dyn Service>> {
        self.open_with(max_connections, false).await
    }

    async fn open_with(&self, max_connections: u32, migrating: bool) -> Result<Arc<dyn Service>> {
        Ok(match self {
            Database::Sqlite(path) => {
                let backend = SqliteBackend::open(path).await.with_context(|| format!("opening {}", self.display()))?;
                if migrating {
                    migrate(&backend).await?;
                }
                Arc::new(App::new(backend))
            }
            Database::Postgres(url) => {
                let backend = PostgresBackend::connect(url, max_connections)
                    .await
                    .with_context(|| format!("connecting to {}", self.display()))?;
                if migrating {
                    migrate(&backend).await?;
                }
                Arc::new(App::new(backend))
            }
        })
    }
}

/// A PostgreSQL URL with its password (in the user info or a `password=` parameter) masked, and
/// nothing else changed, so that a URL without a password can be copied from the logs.
fn hide_passwords(url: &str) -> String {
    let Some(scheme) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let rest = &url[scheme..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let mut shown =
        match authority.rfind('@').and_then(|at| authority[..at].split_once(':').map(|(user, _)| (user, at))) {
            Some((user, at)) => format!("{}{user}:***{}", &url[..scheme], &rest[at..]),
            None => url.to_owned(),
        };
    if let Some(query) = shown.find('?') {
        let masked: Vec<String> = shown[query + 1..]
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        shown = format!("{}?{}", &shown[..query], masked.join("&"));
    }
    shown
}

async fn migrate(backend: &impl Backend) -> Result<()> {
    backend.migrate().await.context("migrating the database")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_locations() {
        assert_eq!(Database::parse("takt.db"), Database::Sqlite("takt.db".into()));
        assert_eq!(Database::parse("sqlite:///var/lib/takt.db"), Database::Sqlite("/var/lib/takt.db".into()));
        assert!(matches!(Database::parse("postgres://u:p@h/db"), Database::Postgres(_)));
        assert_eq!(Database::parse("postgresql://u:secret@h/db").display(), "postgresql://u:***@h/db");
    }

    #[test]
    fn shows_passwordless_urls_as_given() {
        for url in ["postgres://takt@localhost/db?host=/tmp/sock", "postgres://h/db", "postgres://u@h/db?x=a@b"] {
            assert_eq!(Database::parse(url).display(), url);
        }
        assert_eq!(Database::parse("postgres://u:p@ss@h/db").display(), "postgres://u:***@h/db");
        assert_eq!(
            Database::parse("postgres://u@h/db?sslmode=require&password=secret").display(),
            "postgres://u@h/db?sslmode=require&password=***"
        );
    }
}
