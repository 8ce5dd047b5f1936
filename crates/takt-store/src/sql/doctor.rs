//! What `takt doctor` reads in SQL both engines share: each tenant's keys, the active webhooks
//! (the migrations recorded and the engine's own checks are the backends').

use super::{Query, RowExt, Tx};
use crate::{StoreError, TenantKeys, WebhookTarget};

/// Every tenant, by name, with how many of its keys are not revoked.
pub async fn tenant_keys<T: Tx>(tx: &mut T) -> Result<Vec<TenantKeys>, StoreError> {
    let q = Query::new(
        "SELECT t.name, COUNT(k.id) FROM tenants t \
         LEFT JOIN api_keys k ON k.tenant_id = t.id AND k.revoked_at IS NULL \
         GROUP BY t.id, t.name ORDER BY t.name",
    );
    let rows = tx.fetch_all(&q).await?;
    rows.iter().map(|row| Ok(TenantKeys { tenant: row.get(0)?, active_keys: row.get(1)? })).collect()
}

/// Every tenant's active webhooks.
pub async fn active_webhooks<T: Tx>(tx: &mut T) -> Result<Vec<WebhookTarget>, StoreError> {
    let q = Query::new(
        "SELECT t.name, w.id, w.url FROM webhooks w JOIN tenants t ON t.id = w.tenant_id \
         WHERE w.active = $1 ORDER BY t.name, w.id",
    )
    .arg(true);
    let rows = tx.fetch_all(&q).await?;
    rows.iter().map(|row| Ok(WebhookTarget { tenant: row.get(0)?, id: row.get(1)?, url: row.get(2)? })).collect()
}
