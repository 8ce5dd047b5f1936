//! [`Db`]: opens the transactions a use case runs in, lets concurrent single writes share one
//! ([`Db::write_grouped`]), and retries them whole on a transient conflict.

use std::future::Future;
use std::time::Duration;

use uuid::Uuid;

use super::group::{GroupCommits, Groups};
use super::{Backend, Tx};
use crate::StoreError;

/// How often a transaction that hit a transient conflict (deadlock, serialization failure,
/// busy database) is tried again before the request fails.
const ATTEMPTS: u32 = 6;

/// The kind of transaction a unit of work runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Writes, committed when the work succeeds.
    Write,
    /// One snapshot, no writes.
    Read,
    /// Writes, always rolled back.
    Rehearse,
    /// One statement, outside any transaction.
    Single,
}

/// A database, as use cases see it: a backend that runs units of work in transactions.
pub struct Db<B: Backend> {
    backend: B,
    groups: Groups<B>,
}

impl<B: Backend> Db<B> {
    pub fn new(backend: B) -> Db<B> {
        Db { backend, groups: Groups::new() }
    }

    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// How many grouped writes committed in how many transactions (for `/metrics`).
    pub fn group_commits(&self) -> GroupCommits {
        self.groups.commits()
    }

    /// Runs `work` in one write transaction and commits; a transient conflict retries it
    /// whole. `work` hands the transaction back with its result; an error rolls it back.
    pub async fn write<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        self.transact(Mode::Write, work).await
    }

    /// Runs `work` as [`Db::write`] does, but in a transaction it may share with the single
    /// writes of `tenant` that run at the same time (group commit), in a savepoint of its own:
    /// its failure undoes only its own writes, and it returns only once the shared transaction
    /// has committed. For one request's write, not for long ones (a bulk import holds up
    /// everyone in its batch).
    pub async fn write_grouped<T, F, Fut>(&self, tenant: Uuid, work: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        let group = self.groups.get(self.backend.write_group(tenant));
        retrying(|| group.write(&self.backend, &work)).await
    }

    /// Runs `work` in one write transaction and rolls it back, whatever it did: what a write
    /// would do, found by the same code that does it, with nothing kept.
    pub async fn rehearse<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        self.transact(Mode::Rehearse, work).await
    }

    /// Runs `work` in a read-only transaction (one snapshot).
    pub async fn read<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        self.transact(Mode::Read, work).await
    }

    /// Runs `work`, which must be one read statement (consistent by itself), on a connection
    /// outside any transaction: the key lookup every request makes, without `BEGIN` and
    /// `COMMIT` around it.
    pub async fn read_single<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        self.transact(Mode::Single, work).await
    }

    async fn transact<T, F, Fut>(&self, mode: Mode, work: F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        retrying(|| async {
            let tx = match mode {
                Mode::Write | Mode::Rehearse => self.backend.begin_write().await,
                Mode::Read => self.backend.begin_read().await,
                Mode::Single => self.backend.begin_single_read().await,
            };
            let (tx, result) = work(tx?).await;
            match result {
                Ok(value) if mode == Mode::Rehearse => tx.rollback().await.map(|()| value).map_err(StoreError::from),
                Ok(value) => tx.commit().await.map(|()| value).map_err(StoreError::from),
                Err(error) => {
                    let _ = tx.rollback().await;
                    Err(error)
                }
            }
        })
        .await
    }
}

/// Runs `attempt` until it ends in anything but a transient conflict, or [`ATTEMPTS`] times.
async fn retrying<T, Fut>(attempt: impl Fn() -> Fut) -> Result<T, StoreError>
where
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut tried = 1;
    loop {
        match attempt().await {
            Err(StoreError::Busy(reason)) if tried < ATTEMPTS => {
                tracing::debug!(attempt = tried, %reason, "transient conflict; retrying the transaction");
                tokio::time::sleep(Duration::from_millis(5 * u64::from(tried * tried))).await;
                tried += 1;
            }
            other => return other,
        }
    }
}
