//! [`Service`] for [`App`]: each method hands over to its use case, one file each.

use super::*;

#[async_trait]
impl<B: Backend> Service for App<B> {
    fn backend(&self) -> &'static str {
        self.db.backend().name()
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.db.backend().ping().await.map_err(StoreError::from)
    }

    async fn close(&self) {
        self.db.backend().close().await;
    }

    fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    async fn render_metrics(&self) -> String {
        crate::metrics::render(self).await
    }

    async fn diagnose(&self) -> Diagnosis {
        diagnose::diagnose(self).await
    }

    async fn probe_webhook(&self, url: &str, allow_loopback: bool) -> Result<u16, String> {
        diagnose::probe_webhook(url, allow_loopback).await
    }

    async fn create_key(&self, tenant: &str, label: Option<&str>, key: &ApiKey) -> Result<KeyInfo, StoreError> {
        keys::create(self, tenant, label, key).await
    }

    async fn list_keys(&self) -> Result<Vec<KeyInfo>, StoreError> {
        keys::list(self).await
    }

    async fn revoke_key(&self, prefix: &str) -> Result<KeyInfo, StoreError> {
        keys::revoke(self, prefix).await
    }

    async fn find_key(&self, lookup_prefix: &str) -> Result<Option<StoredKey>, StoreError> {
        keys::find(self, lookup_prefix).await
    }

    async fn touch_key(&self, key_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        keys::touch(self, key_id, at).await
    }

    async fn take_rate_token(
        &self,
        key_id: Uuid,
        policy: RatePolicy,
        now: DateTime<Utc>,
    ) -> Result<RateDecision, StoreError> {
        keys::take_rate_token(self, key_id, policy, now).await
    }

    async fn sync(
        &self,
        tenant: TenantId,
        actor: &Actor,
        input: &SyncInput,
    ) -> Result<(SyncOutcome, ErpRecord), StoreError> {
        erp_sync::sync(self, tenant, actor, input).await
    }

    async fn bulk_sync(
        &self,
        tenant: TenantId,
        actor: &Actor,
        items: &[BulkItem],
    ) -> Result<Vec<BulkResult>, StoreError> {
        erp_bulk_sync::bulk_sync(self, tenant, actor, items).await
    }

    async fn diff_bulk(&self, tenant: TenantId, items: &[BulkItem]) -> Result<Vec<DiffLine>, StoreError> {
        erp_diff::diff(self, tenant, items).await
    }

    async fn list(
        &self,
        tenant: TenantId,
        entity: ErpEntity,
        query: &ErpListQuery,
    ) -> Result<Page<ErpRecord>, StoreError> {
        erp_read::list(self, tenant, entity, query).await
    }

    async fn get(&self, tenant: TenantId, entity: ErpEntity, id: Uuid) -> Result<Option<ErpRecord>, StoreError> {
        erp_read::get(self, tenant, entity, id).await
    }

    async fn create(
        &self,
        tenant: TenantId,
        actor: &Actor,
        input: &SyncInput,
        ids: &HashSet<Uuid>,
    ) -> Result<ErpRecord, StoreError> {
        erp_create::create(self, tenant, actor, input, ids).await
    }

    async fn update(
        &self,
        tenant: TenantId,
        actor: &Actor,
        entity: ErpEntity,
        id: Uuid,
        body: &serde_json::Value,
    ) -> Result<ErpRecord, StoreError> {
        erp_update::update(self, tenant, actor, entity, id, body).await
    }

    async fn delete(&self, tenant: TenantId, actor: &Actor, entity: ErpEntity, id: Uuid) -> Result<(), StoreError> {
        erp_delete::delete(self, tenant, actor, entity, id).await
    }

    async fn master_list(
        &self,
        tenant: TenantId,
        kind: EntityKind,
        query: &ListQuery,
    ) -> Result<Vec<Record>, StoreError> {
        master_list::list(self, tenant, kind, query).await
    }

    async fn master_upsert(
        &self,
        tenant: TenantId,
        actor: &Actor,
        kind: EntityKind,
        input: &UpsertInput,
    ) -> Result<(bool, Record), StoreError> {
        master_upsert::upsert(self, tenant, actor, kind, input).await
    }

    async fn master_delete(
        &self,
        tenant: TenantId,
        actor: &Actor,
        kind: EntityKind,
        id: i64,
    ) -> Result<Record, StoreError> {
        master_delete::delete(self, tenant, actor, kind, id).await
    }

    async fn events(&self, tenant: TenantId, query: &FeedQuery) -> Result<FeedPage, StoreError> {
        events::feed(self, tenant, query).await
    }

    async fn prune_events(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        events::prune(self, cutoff).await
    }

    fn subscribe_events(&self) -> broadcast::Receiver<Uuid> {
        self.committed.subscribe()
    }

    async fn claim_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
        fingerprint: &RequestFingerprint,
    ) -> Result<Claim, StoreError> {
        idempotency::claim(self, tenant, key, fingerprint).await
    }

    async fn answer_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
        token: Uuid,
        answer: &StoredAnswer,
    ) -> Result<bool, StoreError> {
        idempotency::answer(self, tenant, key, token, answer).await
    }

    async fn release_idempotency_key(
        &self,
        tenant: TenantId,
        key: &IdempotencyKey,
        token: Uuid,
    ) -> Result<(), StoreError> {
        idempotency::release(self, tenant, key, token).await
    }

    async fn prune_idempotency_keys(&self) -> Result<u64, StoreError> {
        idempotency::prune(self).await
    }

    async fn create_webhook(&self, tenant: TenantId, input: &WebhookInput) -> Result<(Webhook, String), StoreError> {
        webhooks::create(self, tenant, input).await
    }

    async fn list_webhooks(
        &self,
        tenant: TenantId,
        active: Option<bool>,
        limit: i64,
        offset: i64,
    ) -> Result<Page<Webhook>, StoreError> {
        webhooks::list(self, tenant, active, limit, offset).await
    }

    async fn get_webhook(&self, tenant: TenantId, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        webhooks::get(self, tenant, id).await
    }

    async fn update_webhook(
        &self,
        tenant: TenantId,
        id: Uuid,
        input: &WebhookInput,
    ) -> Result<Option<Webhook>, StoreError> {
        webhooks::update(self, tenant, id, input).await
    }

    async fn delete_webhook(&self, tenant: TenantId, id: Uuid) -> Result<bool, StoreError> {
        webhooks::delete(self, tenant, id).await
    }

    async fn rotate_webhook_secret(&self, tenant: TenantId, id: Uuid) -> Result<Option<(Webhook, String)>, StoreError> {
        webhooks::rotate_secret(self, tenant, id).await
    }

    async fn replay_webhook(&self, tenant: TenantId, id: Uuid, after: i64) -> Result<Option<u64>, StoreError> {
        webhooks::replay(self, tenant, id, after).await
    }

    async fn webhook_attempts(&self, tenant: TenantId, query: &LogQuery) -> Result<Page<Attempt>, StoreError> {
        webhooks::attempts(self, tenant, query).await
    }

    async fn deliver_webhooks(&self, settings: DeliverySettings) {
        webhook_delivery::run(self, settings).await;
    }

    async fn move_operation(
        &self,
        tenant: TenantId,
        actor: &Actor,
        request: &OperationMove,
    ) -> Result<Moved, StoreError> {
        lifecycle::move_operation(self, tenant, actor, request).await
    }

    async fn move_job(&self, tenant: TenantId, actor: &Actor, id: Uuid, action: Action) -> Result<Moved, StoreError> {
        lifecycle::move_job(self, tenant, actor, id, action).await
    }

    async fn operator_labour(
        &self,
        tenant: TenantId,
        operator: Uuid,
        from: Option<DateTime<Utc>>,
        before: Option<DateTime<Utc>>,
    ) -> Result<(i64, i64), StoreError> {
        labour::labour(self, tenant, operator, from, before).await
    }

    async fn cell_queue(
        &self,
        tenant: TenantId,
        cell: &CellKey,
        limit: i64,
        offset: i64,
    ) -> Result<(Cell, Page<QueueLine>), StoreError> {
        queue::read(self, tenant, cell, limit, offset).await
    }

    async fn export(
        &self,
        tenant: Option<&str>,
        out: &mut (dyn std::io::Write + Send),
    ) -> Result<TransferSummary, StoreError> {
        transfer::export(self, tenant, out).await
    }

    async fn import(&self, input: &mut (dyn std::io::BufRead + Send)) -> Result<TransferSummary, StoreError> {
        transfer::import(self, input).await
    }

    async fn list_records(
        &self,
        tenant: TenantId,
        records: &'static Collection,
        query: &CollectionQuery,
    ) -> Result<Page<CollectionRecord>, StoreError> {
        collections::list(self, tenant, records, query).await
    }

    async fn get_record(
        &self,
        tenant: TenantId,
        records: &'static Collection,
        id: Uuid,
    ) -> Result<Option<CollectionRecord>, StoreError> {
        collections::get(self, tenant, records, id).await
    }

    async fn create_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        input: &Input,
    ) -> Result<CollectionRecord, StoreError> {
        collections::create(self, tenant, actor, records, input).await
    }

    async fn change_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        id: Uuid,
        input: &Input,
    ) -> Result<Option<CollectionRecord>, StoreError> {
        collections::change(self, tenant, actor, records, id, input).await
    }

    async fn delete_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        id: Uuid,
    ) -> Result<Option<CollectionRecord>, StoreError> {
        collections::delete(self, tenant, actor, records, id).await
    }

    async fn sync_record(
        &self,
        tenant: TenantId,
        actor: &Actor,
        records: &'static Collection,
        input: &Input,
    ) -> Result<(SyncAction, CollectionRecord), StoreError> {
        collections::sync(self, tenant, actor, records, input).await
    }
}
