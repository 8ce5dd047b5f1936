//! The operator terminal's storage (SPEC section 8): tenants by name, operators by employee
//! number, runs of wrong PINs and their lockouts, signed-in sessions; and the few reads its
//! pages need beyond the API's (an operation by external id, since when it runs, late jobs).

use chrono::{DateTime, NaiveDate, Utc};
use takt_domain::text::fold;
use uuid::Uuid;

use super::{Query, RowExt, Tx};
use crate::{StoreError, TenantId};

/// A tenant, by the name `takt keys create --tenant` gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedTenant {
    pub id: TenantId,
    pub name: String,
}

/// What signing in needs to know about the operator an employee number names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInOperator {
    pub id: Uuid,
    pub name: String,
    /// Argon2id's PHC string; none when no PIN was ever set.
    pub pin_hash: Option<String>,
    pub active: bool,
    /// Until when wrong PINs lock the operator out, if they do.
    pub locked_until: Option<DateTime<Utc>>,
}

/// A signed-in session that has not expired, with the operator it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub tenant: TenantId,
    pub operator_id: Uuid,
    pub operator_name: String,
    /// What the session's forms must carry.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A job whose due date has passed and that is not completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateJob {
    pub id: Uuid,
    pub job_number: String,
    pub customer: Option<String>,
    pub due_date: NaiveDate,
    pub status: String,
}

/// Every tenant, by name.
pub async fn tenants<T: Tx>(tx: &mut T) -> Result<Vec<NamedTenant>, StoreError> {
    let rows = tx.fetch_all(&Query::new("SELECT id, name FROM tenants ORDER BY name_folded")).await?;
    rows.iter().map(|row| Ok(NamedTenant { id: TenantId(row.get(0)?), name: row.get(1)? })).collect()
}

/// The tenant called `name`, in any case.
pub async fn tenant<T: Tx>(tx: &mut T, name: &str) -> Result<Option<NamedTenant>, StoreError> {
    let row =
        tx.fetch_optional(&Query::new("SELECT id, name FROM tenants WHERE name_folded = $1").arg(fold(name))).await?;
    row.map(|row| Ok(NamedTenant { id: TenantId(row.get(0)?), name: row.get(1)? })).transpose()
}

/// The live operator with `employee_number` (in any case), and their lockout.
pub async fn operator_by_employee_number<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    employee_number: &str,
) -> Result<Option<SignInOperator>, StoreError> {
    let row = tx
        .fetch_optional(
            &Query::new(
                "SELECT o.id, o.name, o.pin_hash, o.active, f.locked_until FROM operators o \
                 LEFT JOIN terminal_pin_failures f ON f.operator_id = o.id \
                 WHERE o.tenant_id = $1 AND o.employee_number_folded = $2 AND o.deleted_at IS NULL",
            )
            .arg(tenant.0)
            .arg(fold(employee_number.trim())),
        )
        .await?;
    row.map(|row| {
        Ok(SignInOperator {
            id: row.get(0)?,
            name: row.get(1)?,
            pin_hash: row.opt(2)?,
            active: row.get(3)?,
            locked_until: row.opt(4)?,
        })
    })
    .transpose()
}

/// Counts one more wrong PIN of the operator; the `limit`th in a row locks them until
/// `at + lock_for`. Answers until when they are locked, if they now are.
pub async fn record_wrong_pin<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operator: Uuid,
    at: DateTime<Utc>,
    limit: i64,
    lock_for: chrono::Duration,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    // A run that ended in a lockout that has since run out starts again from one.
    let row = tx
        .fetch_optional(
            &Query::new(
                "INSERT INTO terminal_pin_failures (operator_id, tenant_id, failures, last_failed_at, locked_until) \
                 VALUES ($1, $2, 1, $3, NULL) \
                 ON CONFLICT (operator_id) DO UPDATE SET \
                 failures = CASE WHEN terminal_pin_failures.locked_until IS NOT NULL THEN 1 \
                 ELSE terminal_pin_failures.failures + 1 END, \
                 last_failed_at = excluded.last_failed_at, locked_until = NULL \
                 RETURNING failures",
            )
            .arg(operator)
            .arg(tenant.0)
            .arg(at),
        )
        .await?
        .ok_or_else(|| StoreError::Internal("the PIN failure count vanished".into()))?;
    let failures: i64 = row.get(0)?;
    if failures < limit {
        return Ok(None);
    }
    let until = at + lock_for;
    tx.execute(
        &Query::new("UPDATE terminal_pin_failures SET locked_until = $1 WHERE operator_id = $2")
            .arg(until)
            .arg(operator),
    )
    .await?;
    Ok(Some(until))
}

/// Forgets the operator's wrong PINs (after a right one).
pub async fn clear_wrong_pins<T: Tx>(tx: &mut T, operator: Uuid) -> Result<(), StoreError> {
    tx.execute(&Query::new("DELETE FROM terminal_pin_failures WHERE operator_id = $1").arg(operator)).await?;
    Ok(())
}

/// Stores a new session under its token's hash, and drops every session that has expired.
pub async fn create_session<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operator: Uuid,
    token_hash: &[u8],
    csrf_token: &str,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute(&Query::new("DELETE FROM terminal_sessions WHERE expires_at <= $1").arg(at)).await?;
    tx.execute(
        &Query::new(
            "INSERT INTO terminal_sessions (token_hash, tenant_id, operator_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .arg(token_hash.to_vec())
        .arg(tenant.0)
        .arg(operator)
        .arg(csrf_token)
        .arg(at)
        .arg(expires_at),
    )
    .await?;
    Ok(())
}

/// The session whose token hashes to `token_hash`, unless it expired or its operator can no
/// longer sign in (made inactive or deleted since).
pub async fn session<T: Tx>(tx: &mut T, token_hash: &[u8], at: DateTime<Utc>) -> Result<Option<Session>, StoreError> {
    let row = tx
        .fetch_optional(
            &Query::new(
                "SELECT s.tenant_id, s.operator_id, o.name, s.csrf_token, s.expires_at FROM terminal_sessions s \
                 JOIN operators o ON o.id = s.operator_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.active = TRUE AND o.deleted_at IS NULL",
            )
            .arg(token_hash.to_vec())
            .arg(at),
        )
        .await?;
    row.map(|row| {
        Ok(Session {
            tenant: TenantId(row.get(0)?),
            operator_id: row.get(1)?,
            operator_name: row.get(2)?,
            csrf_token: row.get(3)?,
            expires_at: row.get(4)?,
        })
    })
    .transpose()
}

/// Ends a session; whether there was one.
pub async fn delete_session<T: Tx>(tx: &mut T, token_hash: &[u8]) -> Result<bool, StoreError> {
    let deleted =
        tx.execute(&Query::new("DELETE FROM terminal_sessions WHERE token_hash = $1").arg(token_hash.to_vec())).await?;
    Ok(deleted > 0)
}

/// The live operations whose external id is `code` (in any source), oldest first.
pub async fn operations_by_external_id<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    code: &str,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = tx
        .fetch_all(
            &Query::new(
                "SELECT id FROM operations WHERE tenant_id = $1 AND external_id = $2 AND deleted_at IS NULL \
                 ORDER BY created_at, id LIMIT 10",
            )
            .arg(tenant.0)
            .arg(code),
        )
        .await?;
    rows.iter().map(|row| Ok(row.get(0)?)).collect()
}

/// When the operation's earliest open time entry started: since when it runs, if it does.
pub async fn running_since<T: Tx>(
    tx: &mut T,
    tenant: TenantId,
    operation: Uuid,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = tx
        .fetch_optional(
            &Query::new(
                "SELECT start_time FROM time_entries WHERE tenant_id = $1 AND operation_id = $2 AND end_time IS NULL \
                 ORDER BY start_time LIMIT 1",
            )
            .arg(tenant.0)
            .arg(operation),
        )
        .await?;
    row.map(|row| Ok(row.get(0)?)).transpose()
}

/// Live jobs due before `today` and not completed, the most overdue first.
pub async fn late_jobs<T: Tx>(tx: &mut T, tenant: TenantId, today: NaiveDate) -> Result<Vec<LateJob>, StoreError> {
    let rows = tx
        .fetch_all(
            &Query::new(
                "SELECT id, job_number, customer, due_date, status FROM jobs \
                 WHERE tenant_id = $1 AND deleted_at IS NULL AND status <> 'completed' AND due_date < $2 \
                 ORDER BY due_date, job_number, id LIMIT 100",
            )
            .arg(tenant.0)
            .arg(today),
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(LateJob {
                id: row.get(0)?,
                job_number: row.get(1)?,
                customer: row.opt(2)?,
                due_date: row.get(3)?,
                status: row.get(4)?,
            })
        })
        .collect()
}
