//! `takt export` and `takt import`: a tenant's data (or everything) as JSON lines, read in one
//! snapshot, loaded in one transaction.

use takt_store::sql::{Backend, Tx, transfer};
use takt_store::{StoreError, TransferSummary};

use crate::App;

pub(crate) async fn export<B: Backend>(
    app: &App<B>,
    tenant: Option<&str>,
    out: &mut (dyn std::io::Write + Send),
) -> Result<TransferSummary, StoreError> {
    let mut tx = app.db.backend().begin_read().await?;
    let result = transfer::export(&mut tx, tenant, out).await;
    let _ = tx.rollback().await;
    result
}

/// Not retried: the input is a stream that was read once.
pub(crate) async fn import<B: Backend>(
    app: &App<B>,
    input: &mut (dyn std::io::BufRead + Send),
) -> Result<TransferSummary, StoreError> {
    let mut tx = app.db.backend().begin_write().await?;
    match transfer::import(&mut tx, input).await {
        Ok(summary) => {
            tx.commit().await?;
            Ok(summary)
        }
        Err(error) => {
            let _ = tx.rollback().await;
            Err(error)
        }
    }
}
