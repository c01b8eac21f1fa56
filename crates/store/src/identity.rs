//! Repository of tenants, organisations, teams, users, sessions and API clients, plus the
//! identity vault. Vault reads and writes take an [`AccessHandle`], which only
//! [`StoreTx::issue_access`] creates, and only by writing an "allow" audit entry in the
//! same transaction: personal data cannot be touched without a logged decision.

use crate::{Result, Store, StoreError, StoreTx};
use leefwijk_domain::access::audit_chain::AuditEntry;
use leefwijk_domain::access::logboek::{Operation, OperationId, TraceId};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub covenant_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    pub organisation_id: String,
    pub organisation_kind: String,
    pub organisation_name: String,
    pub team_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub id: String,
    pub tenant_id: String,
    pub organisation_id: String,
    pub organisation_kind: String,
    pub name: String,
    pub secret_hash: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// Proof that the gate allowed one action on one subject, with its audit entry written in
/// the same transaction. Cannot be built outside this crate.
#[derive(Debug)]
pub struct AccessHandle {
    tenant: String,
    pub(crate) purpose: String,
    pub(crate) category: String,
    action: String,
    subject: String,
    pub audit_seq: i64,
    /// The Logboek operation this handle's processing is recorded as: the parent of the
    /// operations the processing consists of (one per signal of a batch).
    pub processing: (TraceId, OperationId),
}

impl AccessHandle {
    /// The data category this handle covers.
    pub fn category(&self) -> &str {
        &self.category
    }

    /// Whether this handle was issued for exactly this subject.
    pub fn covers_subject(&self, subject: &str) -> bool {
        self.subject == subject
    }

    pub(crate) fn permits(&self, tenant: &str, category: &str, action: &str, subject: &str) -> Result<()> {
        if self.tenant == tenant && self.category == category && self.action == action && self.subject == subject {
            Ok(())
        } else {
            Err(StoreError::Forbidden(format!(
                "access handle for {} {} of {} ({}) does not cover {action} {category} of {subject}",
                self.action, self.category, self.subject, self.purpose
            )))
        }
    }
}

/// Access to signals of several kinds at once: one gate handle per data category, and
/// each kind with the category the covenant gives it. The store acts only on kinds whose
/// category a handle covers, and filters reads to them (a signal's category follows its
/// kind: arrears are financial data, a nuisance signal is not).
#[derive(Debug)]
pub struct SignalAccess {
    handles: Vec<AccessHandle>,
    kinds: Vec<(String, String)>,
    every_kind: bool,
}

impl SignalAccess {
    /// `kinds`: (signal kind code, data category) for every kind the caller may act on;
    /// `every_kind`: these are all kinds there are, so reads need not filter.
    pub fn new(handles: Vec<AccessHandle>, kinds: Vec<(String, String)>, every_kind: bool) -> SignalAccess {
        SignalAccess { handles, kinds, every_kind }
    }

    pub fn covers_every_kind(&self) -> bool {
        self.every_kind
    }

    /// The kind codes this access covers.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|(kind, _)| kind.as_str())
    }

    pub fn handles(&self) -> &[AccessHandle] {
        &self.handles
    }

    /// Every kind's category is covered by a handle for this action on this subject.
    pub(crate) fn permits(&self, tenant: &str, action: &str, subject: &str) -> Result<()> {
        if self.kinds.is_empty() {
            return Err(StoreError::Forbidden(format!("no signal kind is covered for {action} of {subject}")));
        }
        for (_, category) in &self.kinds {
            self.permits_category(tenant, category, action, subject)?;
        }
        Ok(())
    }

    /// A signal of this kind may be acted on: its category is covered.
    pub(crate) fn permits_kind(&self, tenant: &str, kind: &str, action: &str, subject: &str) -> Result<()> {
        match self.kinds.iter().find(|(k, _)| k == kind) {
            Some((_, category)) => self.permits_category(tenant, category, action, subject),
            None => {
                Err(StoreError::Forbidden(format!("signals of kind {kind} are not covered for {action} of {subject}")))
            }
        }
    }

    fn permits_category(&self, tenant: &str, category: &str, action: &str, subject: &str) -> Result<()> {
        let mut last = None;
        for handle in &self.handles {
            match handle.permits(tenant, category, action, subject) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last
            .unwrap_or_else(|| StoreError::Forbidden(format!("no access handle for {action} {category} of {subject}"))))
    }
}

const USER_COLUMNS: &str =
    "u.id, u.tenant_id, u.organisation_id, o.kind, o.name, u.team_id, u.username, u.display_name, u.role, \
     u.password_hash, u.must_change_password, u.failed_logins, u.locked_until, u.disabled";

fn decode_user(r: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        organisation_id: r.try_get(2)?,
        organisation_kind: r.try_get(3)?,
        organisation_name: r.try_get(4)?,
        team_id: r.try_get(5)?,
        username: r.try_get(6)?,
        display_name: r.try_get(7)?,
        role: r.try_get(8)?,
        password_hash: r.try_get(9)?,
        must_change_password: r.try_get::<i64, _>(10)? != 0,
        failed_logins: r.try_get(11)?,
        locked_until: r.try_get(12)?,
        disabled: r.try_get::<i64, _>(13)? != 0,
    })
}

const CLIENT_COLUMNS: &str =
    "c.id, c.tenant_id, c.organisation_id, o.kind, c.name, c.secret_hash, c.scopes, c.expires_at, c.revoked_at";

fn decode_client(r: &sqlx::any::AnyRow) -> Result<ApiClient> {
    let scopes: String = r.try_get(6)?;
    Ok(ApiClient {
        id: r.try_get(0)?,
        tenant_id: r.try_get(1)?,
        organisation_id: r.try_get(2)?,
        organisation_kind: r.try_get(3)?,
        name: r.try_get(4)?,
        secret_hash: r.try_get(5)?,
        scopes: scopes.split_whitespace().map(String::from).collect(),
        expires_at: r.try_get(7)?,
        revoked_at: r.try_get(8)?,
    })
}

impl Store {
    pub async fn create_tenant(&self, id: &str, name: &str, covenant_id: Option<&str>, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO tenants (id, name, covenant_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(name.to_string())
            .bind(covenant_id.map(String::from))
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn tenant(&self, id: &str) -> Result<Option<Tenant>> {
        let row = sqlx::query("SELECT id, name, covenant_id FROM tenants WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(Tenant { id: r.try_get(0)?, name: r.try_get(1)?, covenant_id: r.try_get(2)? })).transpose()
    }

    /// The municipalities a collaboration works in (codes, sorted).
    pub async fn tenant_municipalities(&self, tenant_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT municipality_code FROM tenant_municipalities WHERE tenant_id = $1 ORDER BY municipality_code",
        )
        .bind(tenant_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Lets a collaboration work in a municipality; `false` when it already did.
    pub async fn add_tenant_municipality(&self, tenant_id: &str, municipality_code: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO tenant_municipalities (tenant_id, municipality_code) VALUES ($1, $2) \
             ON CONFLICT (tenant_id, municipality_code) DO NOTHING",
        )
        .bind(tenant_id.to_string())
        .bind(municipality_code.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Puts a covenant in force for a tenant.
    pub async fn set_tenant_covenant(&self, tenant_id: &str, covenant_id: &str) -> Result<()> {
        let done = sqlx::query("UPDATE tenants SET covenant_id = $2 WHERE id = $1")
            .bind(tenant_id.to_string())
            .bind(covenant_id.to_string())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Corrupt(format!("there is no collaboration '{tenant_id}'")));
        }
        Ok(())
    }

    pub async fn create_organisation(&self, org: &Organisation, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO organisations (id, tenant_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(org.id.clone())
            .bind(org.tenant_id.clone())
            .bind(org.name.clone())
            .bind(org.kind.clone())
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn organisations(&self, tenant_id: &str) -> Result<Vec<Organisation>> {
        let rows =
            sqlx::query("SELECT id, tenant_id, name, kind FROM organisations WHERE tenant_id = $1 ORDER BY name")
                .bind(tenant_id.to_string())
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(Organisation {
                    id: r.try_get(0)?,
                    tenant_id: r.try_get(1)?,
                    name: r.try_get(2)?,
                    kind: r.try_get(3)?,
                })
            })
            .collect()
    }

    pub async fn create_team(
        &self,
        id: &str,
        tenant_id: &str,
        organisation_id: &str,
        name: &str,
        areas: &[String],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO teams (id, tenant_id, organisation_id, name) VALUES ($1, $2, $3, $4)")
            .bind(id.to_string())
            .bind(tenant_id.to_string())
            .bind(organisation_id.to_string())
            .bind(name.to_string())
            .execute(&mut *tx)
            .await?;
        for area in areas {
            sqlx::query("INSERT INTO team_areas (team_id, area_code) VALUES ($1, $2)")
                .bind(id.to_string())
                .bind(area.clone())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Teams of a tenant with the areas each serves.
    pub async fn teams(&self, tenant_id: &str) -> Result<Vec<(String, String, String, Vec<String>)>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, o.name, a.area_code FROM teams t JOIN organisations o ON o.id = t.organisation_id \
             LEFT JOIN team_areas a ON a.team_id = t.id WHERE t.tenant_id = $1 ORDER BY t.name, a.area_code",
        )
        .bind(tenant_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(String, String, String, Vec<String>)> = Vec::new();
        for r in rows {
            let id: String = r.try_get(0)?;
            let area: Option<String> = r.try_get(3)?;
            match out.last_mut() {
                Some(last) if last.0 == id => last.3.extend(area),
                _ => out.push((id, r.try_get(1)?, r.try_get(2)?, area.into_iter().collect())),
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_user(
        &self,
        id: &str,
        tenant_id: &str,
        organisation_id: &str,
        team_id: Option<&str>,
        username: &str,
        display_name: &str,
        role: &str,
        password_hash: &str,
        must_change_password: bool,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, tenant_id, organisation_id, team_id, username, display_name, role, password_hash, \
             must_change_password, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.to_string())
        .bind(tenant_id.to_string())
        .bind(organisation_id.to_string())
        .bind(team_id.map(String::from))
        .bind(username.to_string())
        .bind(display_name.to_string())
        .bind(role.to_string())
        .bind(password_hash.to_string())
        .bind(i64::from(must_change_password))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?.try_get(0)?)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.username = $1"
        ))
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_user).transpose()
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_user).transpose()
    }

    pub async fn users(&self, tenant_id: &str) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.tenant_id = $1 \
             ORDER BY u.username"
        ))
        .bind(tenant_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_user).collect()
    }

    /// Sets a new password hash and ends every session of the user.
    pub async fn set_password(&self, user_id: &str, password_hash: &str, must_change: bool) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $2, must_change_password = $3, failed_logins = 0, locked_until = 0 WHERE id = $1")
            .bind(user_id.to_string())
            .bind(password_hash.to_string())
            .bind(i64::from(must_change))
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id.to_string()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: &str,
        csrf: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        // Expired sessions are useless; clear them out while we are here.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash.to_string())
            .bind(user_id.to_string())
            .bind(csrf.to_string())
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The live session of a token hash, with its user.
    pub async fn session(&self, token_hash: &str, now: i64) -> Result<Option<Session>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN organisations o ON o.id = u.organisation_id WHERE s.token_hash = $1 AND s.expires_at > $2"
        ))
        .bind(token_hash.to_string())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(Session { user: decode_user(&r)?, csrf_token: r.try_get(14)?, expires_at: r.try_get(15)? }))
            .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn create_api_client(
        &self,
        id: &str,
        tenant_id: &str,
        organisation_id: &str,
        name: &str,
        secret_hash: &str,
        scopes: &[String],
        expires_at: i64,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO api_clients (id, tenant_id, organisation_id, name, secret_hash, scopes, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(tenant_id.to_string())
        .bind(organisation_id.to_string())
        .bind(name.to_string())
        .bind(secret_hash.to_string())
        .bind(scopes.join(" "))
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn api_client(&self, id: &str) -> Result<Option<ApiClient>> {
        let row = sqlx::query(&format!(
            "SELECT {CLIENT_COLUMNS} FROM api_clients c JOIN organisations o ON o.id = c.organisation_id WHERE c.id = $1"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_client).transpose()
    }

    pub async fn api_clients(&self, tenant_id: &str) -> Result<Vec<ApiClient>> {
        let rows = sqlx::query(&format!(
            "SELECT {CLIENT_COLUMNS} FROM api_clients c JOIN organisations o ON o.id = c.organisation_id \
             WHERE c.tenant_id = $1 ORDER BY c.name"
        ))
        .bind(tenant_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_client).collect()
    }

    /// Revokes a client of the tenant; false when there is no such client there.
    pub async fn revoke_api_client(&self, tenant_id: &str, id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE api_clients SET revoked_at = $3 WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL",
        )
        .bind(id.to_string())
        .bind(tenant_id.to_string())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl StoreTx {
    /// Writes the gate's "allow" decision to the audit log and the processing it allows
    /// to the Logboek Dataverwerkingen (linked by the audit entry's seq), and hands out the
    /// access handle for exactly that tenant, purpose, category, action and subject. No
    /// handle without both records, and both commit or roll back with the processing.
    pub async fn issue_access(
        &mut self,
        decision: AuditEntry,
        key: &[u8],
        processing: Operation,
    ) -> Result<AccessHandle> {
        if decision.outcome != "allow" {
            return Err(StoreError::Forbidden(format!("the gate denied {}: {}", decision.purpose, decision.rule)));
        }
        let entry = self.append_audit(decision, key).await?;
        let recorded = (processing.trace_id, processing.operation_id);
        self.append_processing(&[Operation { audit_seq: Some(entry.seq), ..processing }]).await?;
        Ok(AccessHandle {
            tenant: entry.tenant,
            purpose: entry.purpose,
            category: entry.category,
            action: entry.action,
            subject: entry.subject,
            audit_seq: entry.seq,
            processing: recorded,
        })
    }

    /// Stores the sealed identity behind a pseudonym (idempotent).
    pub async fn vault_put(
        &mut self,
        handle: &AccessHandle,
        tenant_id: &str,
        pseudonym: &str,
        key_id: &str,
        sealed: &str,
        now: i64,
    ) -> Result<()> {
        handle.permits(tenant_id, "identity", "write", pseudonym)?;
        let exists = sqlx::query("SELECT 1 FROM person_vault WHERE tenant_id = $1 AND pseudonym = $2")
            .bind(tenant_id.to_string())
            .bind(pseudonym.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO person_vault (tenant_id, pseudonym, key_id, sealed_bsn, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(tenant_id.to_string())
                .bind(pseudonym.to_string())
                .bind(key_id.to_string())
                .bind(sealed.to_string())
                .bind(now)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// The sealed identity behind a pseudonym: (key id, sealed value).
    pub async fn vault_get(
        &mut self,
        handle: &AccessHandle,
        tenant_id: &str,
        pseudonym: &str,
    ) -> Result<Option<(String, String)>> {
        handle.permits(tenant_id, "identity", "read", pseudonym)?;
        let row = sqlx::query("SELECT key_id, sealed_bsn FROM person_vault WHERE tenant_id = $1 AND pseudonym = $2")
            .bind(tenant_id.to_string())
            .bind(pseudonym.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }
}

/// A pending single sign-on flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcFlow {
    pub state: String,
    pub provider: String,
    pub nonce: String,
    pub verifier: String,
    pub return_to: String,
    pub expires_at: i64,
}

impl Store {
    pub async fn save_oidc_flow(&self, flow: &OidcFlow) -> Result<()> {
        sqlx::query("INSERT INTO oidc_flows (state, provider, nonce, verifier, return_to, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(flow.state.clone())
            .bind(flow.provider.clone())
            .bind(flow.nonce.clone())
            .bind(flow.verifier.clone())
            .bind(flow.return_to.clone())
            .bind(flow.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Takes a flow out (it can be used once); None when unknown or expired.
    pub async fn take_oidc_flow(&self, state: &str, now: i64) -> Result<Option<OidcFlow>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT state, provider, nonce, verifier, return_to, expires_at FROM oidc_flows WHERE state = $1",
        )
        .bind(state.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM oidc_flows WHERE state = $1 OR expires_at < $2")
            .bind(state.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let flow = row
            .map(|r| {
                Ok::<_, StoreError>(OidcFlow {
                    state: r.try_get(0)?,
                    provider: r.try_get(1)?,
                    nonce: r.try_get(2)?,
                    verifier: r.try_get(3)?,
                    return_to: r.try_get(4)?,
                    expires_at: r.try_get(5)?,
                })
            })
            .transpose()?;
        Ok(flow.filter(|f| f.expires_at > now))
    }
}
