//! Group commit: single writes that arrive while another is running share its transaction, each
//! in a savepoint of its own, and every one of them is answered once that transaction commits.
//!
//! Each writer runs its own work in its own task (the work borrows the request), so what passes
//! from writer to writer is only the open transaction, kept in a [`Group`]'s slot behind a fair
//! mutex. A writer that finishes its work commits the batch itself when nobody queues behind it
//! (a lone request never waits for company), when the batch is full, or when it has been open for
//! long enough; otherwise it leaves the batch to the next writer and waits for the commit. The
//! commit runs in a task of its own so that a client hanging up cannot interrupt it halfway.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use uuid::Uuid;

use super::{Backend, DbError, Tx, savepoint};
use crate::StoreError;

/// The most writes one transaction carries.
const MAX_MEMBERS: usize = 32;
/// A batch that has been open this long commits with the write that finds it so, however many
/// wait behind it.
const MAX_OPEN: Duration = Duration::from_millis(4);
/// How long a writer waits for its batch's commit before it checks that the batch was not left
/// behind by a writer that gave up while queued (a client that hung up).
const STALL: Duration = Duration::from_millis(25);
/// The savepoint each write runs in.
const SAVEPOINT: &str = "grouped_write";

/// What a batch's commit came to: shared by every write in it.
type Outcome = Option<Result<(), StoreError>>;

/// The groups of one database, by key: one for a database whose writes take turns anyway, one
/// per tenant where tenants write in parallel.
pub(super) struct Groups<B: Backend> {
    by_key: Mutex<HashMap<Uuid, Arc<Group<B>>>>,
    tally: Arc<Tally>,
}

/// How many grouped writes committed, in how many transactions, since the database was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCommits {
    /// Writes whose shared transaction committed.
    pub writes: u64,
    /// Shared transactions committed.
    pub commits: u64,
}

#[derive(Default)]
struct Tally {
    writes: AtomicU64,
    commits: AtomicU64,
}

impl<B: Backend> Groups<B> {
    pub(super) fn new() -> Groups<B> {
        Groups { by_key: Mutex::new(HashMap::new()), tally: Arc::default() }
    }

    pub(super) fn get(&self, key: Uuid) -> Arc<Group<B>> {
        let mut by_key = self.by_key.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        by_key.entry(key).or_insert_with(|| Arc::new(Group::new(self.tally.clone()))).clone()
    }

    pub(super) fn commits(&self) -> GroupCommits {
        GroupCommits {
            writes: self.tally.writes.load(Ordering::Relaxed),
            commits: self.tally.commits.load(Ordering::Relaxed),
        }
    }
}

/// Writes that may share one transaction.
pub(super) struct Group<B: Backend> {
    open: tokio::sync::Mutex<Option<Batch<B::Tx>>>,
    queued: AtomicUsize,
    generations: AtomicU64,
    tally: Arc<Tally>,
}

/// An open transaction and the writes it carries so far.
struct Batch<X> {
    tx: X,
    generation: u64,
    members: usize,
    opened: Instant,
    done: watch::Sender<Outcome>,
}

/// Counts a writer as queued for the slot until it holds it (or gives up).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(count: &'a AtomicUsize) -> Queued<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Queued(count)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<B: Backend> Group<B> {
    fn new(tally: Arc<Tally>) -> Group<B> {
        Group {
            open: tokio::sync::Mutex::new(None),
            queued: AtomicUsize::new(0),
            generations: AtomicU64::new(0),
            tally,
        }
    }

    /// Runs `work` once in the group's open transaction (or a new one) and answers when that
    /// transaction has committed: the work's own result if it did, the commit's error if not.
    /// A batch lost with a writer that gave up midway answers [`StoreError::Busy`], so that the
    /// caller tries again.
    pub(super) async fn write<T, F, Fut>(&self, backend: &B, work: &F) -> Result<T, StoreError>
    where
        T: Send,
        F: Fn(B::Tx) -> Fut + Send + Sync,
        Fut: Future<Output = (B::Tx, Result<T, StoreError>)> + Send,
    {
        let queued = Queued::new(&self.queued);
        let mut slot = self.open.lock().await;
        drop(queued);
        let batch = match slot.take() {
            Some(batch) => batch,
            None => self.begin(backend).await?,
        };
        let Batch { mut tx, generation, members, opened, done } = batch;
        // The first write of a batch needs no savepoint: if it fails, the whole transaction,
        // which holds nothing else, is rolled back.
        let first = members == 0;
        if !first {
            savepoint(&mut tx, "SAVEPOINT", SAVEPOINT).await?;
        }
        let (mut tx, result) = work(tx).await;
        match (&result, first) {
            (Ok(_), true) => {}
            (Ok(_), false) => savepoint(&mut tx, "RELEASE SAVEPOINT", SAVEPOINT).await?,
            (Err(_), true) => {
                let _ = tx.rollback().await;
                return result;
            }
            (Err(_), false) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT", SAVEPOINT).await?;
                savepoint(&mut tx, "RELEASE SAVEPOINT", SAVEPOINT).await?;
            }
        }
        let mut committed = done.subscribe();
        let batch = Batch { tx, generation, members: members + 1, opened, done };
        if batch.members >= MAX_MEMBERS || batch.opened.elapsed() >= MAX_OPEN || self.queued.load(Ordering::SeqCst) == 0
        {
            commit(batch, &self.tally);
        } else {
            *slot = Some(batch);
        }
        drop(slot);
        self.committed(&mut committed, generation).await?;
        result
    }

    async fn begin(&self, backend: &B) -> Result<Batch<B::Tx>, DbError> {
        Ok(Batch {
            tx: backend.begin_write().await?,
            generation: self.generations.fetch_add(1, Ordering::Relaxed),
            members: 0,
            opened: Instant::now(),
            done: watch::channel(None).0,
        })
    }

    /// Waits for the batch `generation` to commit; commits it if it was left in the slot with
    /// nobody coming for it.
    async fn committed(&self, outcome: &mut watch::Receiver<Outcome>, generation: u64) -> Result<(), StoreError> {
        loop {
            let waited = tokio::time::timeout(STALL, outcome.wait_for(Option::is_some))
                .await
                .map(|seen| seen.map(|result| result.clone().unwrap_or(Ok(()))));
            match waited {
                Ok(Ok(result)) => return result,
                Ok(Err(_)) => return Err(StoreError::Busy("a shared transaction was abandoned".to_owned())),
                Err(_) => {
                    let mut slot = self.open.lock().await;
                    if slot.as_ref().is_some_and(|batch| batch.generation == generation) {
                        commit(slot.take().expect("the slot holds the batch"), &self.tally);
                    }
                }
            }
        }
    }
}

/// Commits `batch` in a task of its own and tells its writers how it went.
fn commit<X: Tx + 'static>(batch: Batch<X>, tally: &Arc<Tally>) {
    let Batch { tx, done, members, .. } = batch;
    let tally = tally.clone();
    tokio::spawn(async move {
        let result = tx.commit().await.map_err(StoreError::from);
        if result.is_ok() {
            tally.commits.fetch_add(1, Ordering::Relaxed);
            tally.writes.fetch_add(members as u64, Ordering::Relaxed);
        }
        done.send_replace(Some(result));
    });
}
