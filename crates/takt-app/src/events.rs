//! The event log: every write use case appends its changes in its own transaction
//! ([`App::write_with_events`]); the feed reads them back; old ones are pruned.

use std::future::Future;

use chrono::{DateTime, Utc};
use takt_domain::event::{Actor, Change};
use takt_store::sql::Backend;
use takt_store::sql::events::{self, FeedPage, FeedQuery};
use takt_store::{StoreError, TenantId, now};

use crate::App;

impl<B: Backend> App<B> {
    /// Runs `work` in a write transaction and appends the changes it reports to the tenant's
    /// event log in that same transaction: the change and its events commit together or not at
    /// all. [`Sharing::Grouped`] for one request's write (it may share its transaction with
    /// other single writes: group commit), [`Sharing::Alone`] for a long one (a bulk import)
    /// that would hold up a shared transaction's writes. Once committed, listeners hear of the
    /// tenant.
    pub(crate) async fn write_with_events<T, F, Fut>(
        &self,
        tenant: TenantId,
        actor: &Actor,
        sharing: Sharing,
        work: F,
    ) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx, DateTime<Utc>) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<(T, Vec<Change>), StoreError>)> + Send,
    {
        let work = |tx| {
            let at = now();
            let work = work(tx, at);
            async move {
                let (mut tx, result) = work.await;
                let result = match result {
                    Ok((value, changes)) => {
                        events::append(&mut tx, tenant, actor, at, &changes).await.map(|_| (value, changes))
                    }
                    Err(error) => Err(error),
                };
                (tx, result)
            }
        };
        let (value, changes) = match sharing {
            Sharing::Grouped => self.db.write_grouped(tenant.0, work).await?,
            Sharing::Alone => self.db.write(work).await?,
        };
        if !changes.is_empty() {
            self.metrics.events_appended(&changes);
            let _ = self.committed.send(tenant.0);
        }
        Ok(value)
    }
}

/// Whether a write may share its transaction with others.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sharing {
    Grouped,
    Alone,
}

pub(crate) async fn feed<B: Backend>(
    app: &App<B>,
    tenant: TenantId,
    query: &FeedQuery,
) -> Result<FeedPage, StoreError> {
    app.db
        .read(|mut tx| async move {
            let result = events::read(&mut tx, tenant, query).await;
            (tx, result)
        })
        .await
}

pub(crate) async fn prune<B: Backend>(app: &App<B>, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    app.db
        .write(|mut tx| async move {
            let result = events::prune(&mut tx, cutoff).await;
            (tx, result)
        })
        .await
}
