//! One identity for the whole server: users with argon2id password hashes,
//! HS256 JWT access tokens, and roles (`admin`, or `<module>:<role>`).
//!
//! Tokens carry the user id, a token id and the user's token version; every
//! check reloads the user (through a small cache), so a role change, a
//! disabled account, a password change or a sign-out takes effect at once.
//!
//! The cache also follows changes made by other processes (the CLI, a second
//! server on the same data dir): triggers bump one counter row
//! (`platform_auth_generation`) whenever a user changes or a token is
//! revoked, and a token check reads that row at most every
//! [`FRESHNESS_MS`] milliseconds, dropping the cache when it moved.
//!
//! Sign-ins through [`Auth::sign_in`] are guarded per account (growing locks
//! after repeated failures, see [`crate::ratelimit::SignInGuard`]) and
//! recorded in the audit log with the caller's IP and user agent.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::{self, AuditEntry};
use crate::db::Db;
use crate::error::{ApiError, ApiResult, ErrorKind, FieldError};
use crate::http::RequestMeta;
use crate::ratelimit::SignInGuard;

/// How stale the user cache and the revoked-token set may get, at most, when
/// another process changes users or signs tokens out.
pub const FRESHNESS_MS: i64 = 500;

/// The roles each module knows. `admin` alone means everything everywhere.
pub const MODULE_ROLES: &[(&str, &[&str])] = &[
    ("training", &["viewer", "editor", "publisher", "admin"]),
    ("chatbot", &["admin", "tenant_admin", "agent", "viewer"]),
    ("contact-center", &["admin", "supervisor", "agent", "user"]),
    ("marketplace", &["admin", "provider", "customer"]),
    ("planning", &["ADMIN", "PLANNER", "VIEWER"]),
];

pub const ADMIN_ROLE: &str = "admin";

/// Checks that every role is `admin` or a known `<module>:<role>`.
pub fn validate_roles(roles: &[String]) -> Result<(), FieldError> {
    for role in roles {
        if role == ADMIN_ROLE {
            continue;
        }
        let known = role.split_once(':').is_some_and(|(module, name)| {
            MODULE_ROLES
                .iter()
                .any(|(m, names)| *m == module && names.contains(&name))
        });
        if !known {
            let all: Vec<String> = MODULE_ROLES
                .iter()
                .flat_map(|(m, names)| names.iter().map(move |n| format!("{m}:{n}")))
                .collect();
            return Err(FieldError::new(
                "roles",
                format!(
                    "Unknown role '{role}'. Use 'admin' or one of: {}",
                    all.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The signed-in user making a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// The user's UUID.
    pub id: String,
    /// The user's integer id (for documents with integer user ids).
    pub seq: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    /// The id (`jti`) and expiry (unix seconds) of the token used.
    pub token_id: String,
    pub token_expires_at: i64,
}

impl Principal {
    /// The principal of `user` acting without a token: demo data, CLI and
    /// background work that records who did something.
    pub fn acting_as(user: &User) -> Principal {
        Principal {
            id: user.id.clone(),
            seq: user.seq,
            email: user.email.clone(),
            name: user.name.clone(),
            roles: user.roles.clone(),
            token_id: String::new(),
            token_expires_at: 0,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == ADMIN_ROLE)
    }

    /// The role names this user holds in `module` (without the prefix).
    pub fn roles_in<'a>(&'a self, module: &str) -> Vec<&'a str> {
        self.roles
            .iter()
            .filter_map(|r| r.split_once(':'))
            .filter(|(m, _)| *m == module)
            .map(|(_, name)| name)
            .collect()
    }

    /// True for admins and for holders of `module:role`.
    pub fn has_role(&self, module: &str, role: &str) -> bool {
        self.is_admin() || self.roles_in(module).contains(&role)
    }

    /// True for admins and for anyone with any role in `module`.
    pub fn in_module(&self, module: &str) -> bool {
        self.is_admin() || !self.roles_in(module).is_empty()
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("This action needs the admin role"))
        }
    }

    /// 403 unless the user is an admin or holds one of `roles` in `module`.
    pub fn require_any_role(&self, module: &str, roles: &[&str]) -> ApiResult<()> {
        if self.is_admin() || roles.iter().any(|r| self.has_role(module, r)) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "Insufficient permissions. {} role required.",
                roles.join(" or ")
            )))
        }
    }
}

/// A stored user as the platform API shows it (never with its hash).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub seq: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub organization: Option<String>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: Option<String>,
    #[serde(skip)]
    pub token_version: i64,
}

const USER_COLUMNS: &str = "seq, id, email, name, roles, organization, is_active, created_at, \
                            updated_at, last_login_at, token_version";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let roles: String = row.get(4)?;
    Ok(User {
        seq: row.get(0)?,
        id: row.get(1)?,
        email: row.get(2)?,
        name: row.get(3)?,
        roles: serde_json::from_str(&roles).unwrap_or_default(),
        organization: row.get(5)?,
        is_active: row.get(6)?,
        created_at: row.get(7)?,
        updated_at: row.get(8)?,
        last_login_at: row.get(9)?,
        token_version: row.get(10)?,
    })
}

/// What a new user is created with.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub name: String,
    pub roles: Vec<String>,
    pub organization: Option<String>,
}

/// A partial change to a user.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub password: Option<String>,
    pub roles: Option<Vec<String>>,
    pub is_active: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    email: String,
    iat: i64,
    exp: i64,
    jti: String,
    /// The user's token version when issued; bumped to revoke all tokens.
    tv: i64,
}

/// A freshly issued access token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub expires_at: i64,
    pub token_id: String,
}

pub fn hash_password(password: &str) -> ApiResult<String> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))?;
    Ok(hash.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks the e-mail shape every module accepts.
pub fn validate_email(email: &str) -> Result<(), FieldError> {
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace())
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        && email.matches('@').count() == 1;
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("email", "Invalid email format"))
    }
}

/// The platform password policy: 8..=128 characters.
pub fn validate_password(password: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < 8 {
        Err(FieldError::new(
            "password",
            "Password must be at least 8 characters",
        ))
    } else if len > 128 {
        Err(FieldError::new(
            "password",
            "Password must be at most 128 characters",
        ))
    } else {
        Ok(())
    }
}

#[derive(Clone)]
pub struct Auth {
    db: Db,
    secret: Arc<Vec<u8>>,
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
    ttl_secs: i64,
    users: Arc<RwLock<HashMap<String, Arc<User>>>>,
    /// Revoked token ids and when they would have expired anyway.
    revoked: Arc<RwLock<HashMap<String, i64>>>,
    /// A real hash to verify against when the e-mail is unknown, so that
    /// timing does not tell which accounts exist.
    dummy_hash: Arc<String>,
    fresh: Arc<Freshness>,
    guard: SignInGuard,
    outcomes: Arc<SignInOutcomes>,
}

/// Sign-ins on every sign-in route since start, by outcome (for `/metrics`).
#[derive(Debug, Default)]
pub struct SignInOutcomes {
    pub ok: AtomicU64,
    /// Wrong e-mail or password.
    pub failed: AtomicU64,
    /// Refused unchecked because the account was locked.
    pub locked: AtomicU64,
}

/// What the cache last saw of `platform_auth_generation`, and when.
struct Freshness {
    started: Instant,
    /// Milliseconds after `started` of the last check.
    checked_ms: AtomicI64,
    generation: AtomicI64,
    checking: AtomicBool,
}

fn load_revoked(conn: &Connection) -> ApiResult<(i64, HashMap<String, i64>)> {
    let generation: i64 = conn
        .query_row(
            "SELECT generation FROM platform_auth_generation WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut stmt = conn.prepare("SELECT jti, expires_at FROM platform_revoked_tokens")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    Ok((generation, rows.collect::<Result<_, _>>()?))
}

impl Auth {
    /// Loads (or creates on first start) the signing secret in the data dir.
    /// `sign_in_locks` turns the per-account sign-in locks on (they follow
    /// the rate-limit switch).
    pub fn new(db: Db, data_dir: &Path, ttl_secs: i64, sign_in_locks: bool) -> ApiResult<Auth> {
        let secret = load_or_create_secret(&data_dir.join("secret.key"))?;
        let (generation, revoked) = db.read_blocking(|conn| {
            // Housekeeping only: a busy database (a CLI command such as
            // `backup` beside a running server) must not stop the start.
            if let Err(e) = conn.execute(
                "DELETE FROM platform_revoked_tokens WHERE expires_at < ?1",
                [Utc::now().timestamp()],
            ) {
                tracing::warn!(error = %e, "expired revoked tokens not purged this time");
            }
            load_revoked(conn)
        })?;
        Ok(Auth {
            db,
            secret: Arc::new(secret.clone()),
            encoding: Arc::new(EncodingKey::from_secret(&secret)),
            decoding: Arc::new(DecodingKey::from_secret(&secret)),
            ttl_secs,
            users: Arc::new(RwLock::new(HashMap::new())),
            revoked: Arc::new(RwLock::new(revoked)),
            dummy_hash: Arc::new(hash_password("not-a-real-password")?),
            fresh: Arc::new(Freshness {
                started: Instant::now(),
                checked_ms: AtomicI64::new(0),
                generation: AtomicI64::new(generation),
                checking: AtomicBool::new(false),
            }),
            guard: SignInGuard::new(sign_in_locks),
            outcomes: Arc::new(SignInOutcomes::default()),
        })
    }

    /// Drops cached users and reloads revoked tokens when another process
    /// (or connection) changed them; reads one row at most every
    /// [`FRESHNESS_MS`]. A failed read leaves the cache as it is.
    async fn refresh_if_due(&self) {
        let now = self.fresh.started.elapsed().as_millis() as i64;
        if now - self.fresh.checked_ms.load(Ordering::Acquire) < FRESHNESS_MS {
            return;
        }
        if self.fresh.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        self.fresh.checked_ms.store(now, Ordering::Release);
        let seen = self.fresh.generation.load(Ordering::Acquire);
        let changed = self
            .db
            .read(move |conn| {
                let generation: i64 = conn.query_row(
                    "SELECT generation FROM platform_auth_generation WHERE id = 1",
                    [],
                    |r| r.get(0),
                )?;
                if generation == seen {
                    return Ok(None);
                }
                load_revoked(conn).map(Some)
            })
            .await;
        match changed {
            Ok(Some((generation, revoked))) => {
                let today = Utc::now().timestamp();
                if let Ok(mut set) = self.revoked.write() {
                    set.retain(|_, exp| *exp >= today);
                    set.extend(revoked);
                }
                // Set the generation before clearing, so that a user read
                // concurrently under the old generation is not cached.
                self.fresh.generation.store(generation, Ordering::Release);
                if let Ok(mut map) = self.users.write() {
                    map.clear();
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not check for user changes"),
        }
        self.fresh.checking.store(false, Ordering::Release);
    }

    /// A key for another purpose (e.g. signing download URLs), derived from
    /// the server secret so that one secret file protects everything.
    pub fn derived_key(&self, purpose: &[u8]) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.secret)
            .expect("hmac accepts any key length");
        mac.update(purpose);
        mac.finalize().into_bytes().to_vec()
    }

    pub fn token_ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Checks e-mail and password (an inactive account fails like a wrong
    /// password); `None` when they do not match.
    async fn authenticate(&self, email: &str, password: &str) -> ApiResult<Option<User>> {
        let email = email.trim().to_string();
        let password = password.to_string();
        let dummy = self.dummy_hash.clone();
        self.db
            .read(move |conn| {
                let found: Option<(User, String)> = conn
                    .query_row(
                        &format!("SELECT {USER_COLUMNS}, password_hash FROM platform_users WHERE email = ?1"),
                        [&email],
                        |row| Ok((user_from_row(row)?, row.get::<_, String>(11)?)),
                    )
                    .optional()?;
                match found {
                    Some((user, hash)) if verify_password(&password, &hash) && user.is_active => {
                        Ok(Some(user))
                    }
                    Some(_) => Ok(None),
                    None => {
                        verify_password(&password, &dummy);
                        Ok(None)
                    }
                }
            })
            .await
    }

    fn invalid_credentials() -> ApiError {
        ApiError::unauthorized("Invalid email or password").with_code("INVALID_CREDENTIALS")
    }

    /// Checks e-mail and password; returns the user and a new token. For
    /// tools and tests: requests go through [`Auth::sign_in`], which also
    /// applies the account locks and writes the audit log.
    pub async fn login(&self, email: &str, password: &str) -> ApiResult<(User, IssuedToken)> {
        let user = self
            .authenticate(email, password)
            .await?
            .ok_or_else(Self::invalid_credentials)?;
        let id = user.id.clone();
        self.db
            .write(move |tx| {
                tx.execute(
                    "UPDATE platform_users SET last_login_at = ?1 WHERE id = ?2",
                    params![now_iso(), id],
                )?;
                Ok(())
            })
            .await?;
        // The cached user's `last_login_at` is old now.
        self.forget(&user.id);
        let token = self.issue(&user)?;
        Ok((user, token))
    }

    /// Sign-in outcomes since start.
    pub fn sign_in_outcomes(&self) -> &SignInOutcomes {
        &self.outcomes
    }

    /// A sign-in request through `module`'s sign-in route: refused with 429
    /// while the account is locked (the password is not even checked), a
    /// failure counts towards the lock, and every outcome is in the audit log
    /// (`auth.login`, `auth.login_failed`, `auth.account_locked`) with the
    /// e-mail tried but never the password.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
        module: &'static str,
    ) -> ApiResult<(User, IssuedToken)> {
        let tried: String = email.trim().chars().take(254).collect();
        let account = tried.to_lowercase();
        if let Err(wait) = self.guard.check(&account) {
            self.outcomes.locked.fetch_add(1, Ordering::Relaxed);
            let details = json!({ "module": module, "email": tried, "reason": "account locked", "retryAfter": wait });
            self.record_security(None, Some(&tried), meta, "auth.login_failed", None, details)
                .await;
            return Err(ApiError::new(
                ErrorKind::RateLimited,
                format!("Too many failed sign-ins for this account. Try again in {wait} seconds."),
            )
            .with_extra("retryAfter", wait));
        }
        let Some(user) = self.authenticate(&tried, password).await? else {
            self.outcomes.failed.fetch_add(1, Ordering::Relaxed);
            let lock = self.guard.failed(&account);
            let known = self
                .find_by_email(&tried)
                .await
                .ok()
                .flatten()
                .map(|u| u.id);
            let details =
                json!({ "module": module, "email": tried, "reason": "invalid credentials" });
            self.record_security(
                None,
                Some(&tried),
                meta,
                "auth.login_failed",
                known.as_deref(),
                details,
            )
            .await;
            if let Some(lock) = lock {
                let details = json!({
                    "module": module,
                    "email": tried,
                    "failures": lock.failures,
                    "lockedSeconds": lock.seconds,
                });
                self.record_security(
                    None,
                    Some(&tried),
                    meta,
                    "auth.account_locked",
                    known.as_deref(),
                    details,
                )
                .await;
            }
            return Err(Self::invalid_credentials());
        };
        self.guard.succeeded(&account);
        self.outcomes.ok.fetch_add(1, Ordering::Relaxed);
        let actor = Principal::acting_as(&user);
        let meta = meta.clone();
        let id = user.id.clone();
        self.db
            .write(move |tx| {
                tx.execute(
                    "UPDATE platform_users SET last_login_at = ?1 WHERE id = ?2",
                    params![now_iso(), id],
                )?;
                audit::record(
                    tx,
                    Some(&actor),
                    &meta,
                    AuditEntry {
                        module: "platform",
                        action: "auth.login",
                        entity_type: "user",
                        entity_id: Some(&id),
                        details: json!({ "module": module }),
                    },
                )?;
                Ok(())
            })
            .await?;
        // The cached user's `last_login_at` is old now.
        self.forget(&user.id);
        let token = self.issue(&user)?;
        Ok((user, token))
    }

    /// Sign-out through `module`: revokes the token used and records `auth.logout`.
    pub async fn sign_out(
        &self,
        principal: &Principal,
        meta: &RequestMeta,
        module: &'static str,
    ) -> ApiResult<()> {
        let actor = principal.clone();
        let meta = meta.clone();
        self.db
            .write(move |tx| {
                tx.execute(
                    "INSERT OR IGNORE INTO platform_revoked_tokens (jti, expires_at) VALUES (?1, ?2)",
                    params![actor.token_id, actor.token_expires_at],
                )?;
                audit::record(
                    tx,
                    Some(&actor),
                    &meta,
                    AuditEntry {
                        module: "platform",
                        action: "auth.logout",
                        entity_type: "user",
                        entity_id: Some(&actor.id),
                        details: json!({ "module": module }),
                    },
                )?;
                Ok(())
            })
            .await?;
        if let Ok(mut set) = self.revoked.write() {
            set.insert(principal.token_id.clone(), principal.token_expires_at);
        }
        Ok(())
    }

    /// Sets user `id`'s password (signing out every token it has) and records
    /// `auth.password_changed`, in one transaction.
    pub async fn change_password(
        &self,
        id: &str,
        password: String,
        actor: Option<&Principal>,
        meta: &RequestMeta,
    ) -> ApiResult<User> {
        let auth = self.clone();
        let id = id.to_string();
        let actor = actor.cloned();
        let meta = meta.clone();
        let user = self
            .db
            .write(move |tx| {
                let changes = UserChanges {
                    password: Some(password),
                    ..Default::default()
                };
                let user = auth.update_user_in(tx, &id, &changes)?;
                record_password_change(tx, actor.as_ref(), &meta, &user)?;
                Ok(user)
            })
            .await?;
        self.forget(&user.id);
        Ok(user)
    }

    /// Writes one security event on its own; a failure to write is logged,
    /// not returned (the answer to the request does not depend on it).
    async fn record_security(
        &self,
        actor_id: Option<&str>,
        actor_email: Option<&str>,
        meta: &RequestMeta,
        action: &'static str,
        entity_id: Option<&str>,
        details: Value,
    ) {
        let actor_id = actor_id.map(str::to_string);
        let actor_email = actor_email.map(str::to_string);
        let entity_id = entity_id.map(str::to_string);
        let meta = meta.clone();
        let written = self
            .db
            .write(move |tx| {
                audit::record_as(
                    tx,
                    actor_id.as_deref(),
                    actor_email.as_deref(),
                    &meta,
                    AuditEntry {
                        module: "platform",
                        action,
                        entity_type: "user",
                        entity_id: entity_id.as_deref(),
                        details,
                    },
                )
            })
            .await;
        if let Err(e) = written {
            tracing::error!(error = %e, action, "security event not recorded");
        }
    }

    /// Signs a new access token for `user`.
    pub fn issue(&self, user: &User) -> ApiResult<IssuedToken> {
        self.issue_for(user, self.ttl_secs)
    }

    /// Signs a token for `user` that expires in `ttl_secs` (negative: already expired).
    pub fn issue_for(&self, user: &User, ttl_secs: i64) -> ApiResult<IssuedToken> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            iat: now,
            exp: now + ttl_secs,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            tv: user.token_version,
        };
        let access_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
                .map_err(|e| ApiError::internal(format!("token signing failed: {e}")))?;
        Ok(IssuedToken {
            access_token,
            expires_in: ttl_secs,
            expires_at: claims.exp,
            token_id: claims.jti,
        })
    }

    /// Verifies a token and returns who it belongs to, with current roles.
    pub async fn verify(&self, token: &str) -> ApiResult<Principal> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::ExpiredSignature => {
                        ApiError::unauthorized("Token has expired").with_code("TOKEN_EXPIRED")
                    }
                    _ => ApiError::unauthorized("Invalid authentication token")
                        .with_code("INVALID_TOKEN"),
                }
            })?;
        let claims = data.claims;
        self.refresh_if_due().await;
        if self.is_revoked(&claims.jti) {
            return Err(ApiError::unauthorized("Token has been revoked").with_code("INVALID_TOKEN"));
        }
        let user = self
            .cached_user(&claims.sub)
            .await?
            .filter(|u| u.is_active && u.token_version == claims.tv)
            .ok_or_else(|| {
                ApiError::unauthorized("Invalid authentication token").with_code("INVALID_TOKEN")
            })?;
        Ok(Principal {
            id: user.id.clone(),
            seq: user.seq,
            email: user.email.clone(),
            name: user.name.clone(),
            roles: user.roles.clone(),
            token_id: claims.jti,
            token_expires_at: claims.exp,
        })
    }

    fn is_revoked(&self, jti: &str) -> bool {
        self.revoked
            .read()
            .map(|set| set.contains_key(jti))
            .unwrap_or(true)
    }

    /// Revokes one token (sign-out) until it would have expired anyway.
    pub async fn revoke(&self, jti: &str, expires_at: i64) -> ApiResult<()> {
        let jti_owned = jti.to_string();
        self.db
            .write(move |tx| {
                tx.execute(
                    "INSERT OR IGNORE INTO platform_revoked_tokens (jti, expires_at) VALUES (?1, ?2)",
                    params![jti_owned, expires_at],
                )?;
                Ok(())
            })
            .await?;
        if let Ok(mut set) = self.revoked.write() {
            set.insert(jti.to_string(), expires_at);
        }
        Ok(())
    }

    async fn cached_user(&self, id: &str) -> ApiResult<Option<Arc<User>>> {
        if let Some(user) = self.users.read().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(Some(user));
        }
        let generation = self.fresh.generation.load(Ordering::Acquire);
        let id_owned = id.to_string();
        let user = self.db.read(move |conn| find_user(conn, &id_owned)).await?;
        let user = user.map(Arc::new);
        if let (Some(user), Ok(mut map)) = (&user, self.users.write()) {
            // Read under an older generation: it may be stale, do not keep it.
            if self.fresh.generation.load(Ordering::Acquire) == generation {
                map.insert(id.to_string(), user.clone());
            }
        }
        Ok(user)
    }

    fn forget(&self, id: &str) {
        if let Ok(mut map) = self.users.write() {
            map.remove(id);
        }
    }

    /// Creates a user (validating e-mail, password and roles) inside `tx`.
    pub fn create_user_in(&self, tx: &Connection, new: &NewUser) -> ApiResult<User> {
        let mut problems = Vec::new();
        let email = new.email.trim().to_string();
        if let Err(e) = validate_email(&email) {
            problems.push(e);
        }
        if let Err(e) = validate_password(&new.password) {
            problems.push(e);
        }
        if let Err(e) = validate_roles(&new.roles) {
            problems.push(e);
        }
        if new.name.trim().is_empty() || new.name.chars().count() > 200 {
            problems.push(FieldError::new("name", "Name must be 1 to 200 characters"));
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        let exists: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM platform_users WHERE email = ?1)",
            [&email],
            |r| r.get(0),
        )?;
        if exists {
            return Err(ApiError::conflict("A user with this email already exists")
                .with_code("EMAIL_EXISTS")
                .with_detail("email", "already registered"));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_iso();
        tx.execute(
            "INSERT INTO platform_users (id, email, name, password_hash, roles, organization,
                                         is_active, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)",
            params![
                id,
                email,
                new.name.trim(),
                hash_password(&new.password)?,
                serde_json::to_string(&new.roles)?,
                new.organization,
                now
            ],
        )?;
        find_user(tx, &id)?.ok_or_else(|| ApiError::internal("user vanished"))
    }

    pub async fn create_user(&self, new: NewUser) -> ApiResult<User> {
        let auth = self.clone();
        self.db.write(move |tx| auth.create_user_in(tx, &new)).await
    }

    /// Applies `changes` to user `id` inside `tx`; a password change or
    /// deactivation revokes the user's existing tokens.
    pub fn update_user_in(
        &self,
        tx: &Connection,
        id: &str,
        changes: &UserChanges,
    ) -> ApiResult<User> {
        let current = find_user(tx, id)?.ok_or_else(|| ApiError::not_found("User not found"))?;
        let mut problems = Vec::new();
        if let Some(roles) = &changes.roles {
            if let Err(e) = validate_roles(roles) {
                problems.push(e);
            }
        }
        if let Some(pw) = &changes.password {
            if let Err(e) = validate_password(pw) {
                problems.push(e);
            }
        }
        if let Some(name) = &changes.name {
            if name.trim().is_empty() || name.chars().count() > 200 {
                problems.push(FieldError::new("name", "Name must be 1 to 200 characters"));
            }
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        let revoke = changes.password.is_some() || changes.is_active == Some(false);
        let hash = match &changes.password {
            Some(pw) => Some(hash_password(pw)?),
            None => None,
        };
        tx.execute(
            "UPDATE platform_users SET
                name = COALESCE(?2, name),
                roles = COALESCE(?3, roles),
                password_hash = COALESCE(?4, password_hash),
                is_active = COALESCE(?5, is_active),
                token_version = token_version + ?6,
                updated_at = ?7
             WHERE id = ?1",
            params![
                id,
                changes.name.as_deref().map(str::trim),
                changes
                    .roles
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
                hash,
                changes.is_active,
                if revoke { 1 } else { 0 },
                now_iso()
            ],
        )?;
        self.forget(&current.id);
        find_user(tx, id)?.ok_or_else(|| ApiError::internal("user vanished"))
    }

    pub async fn update_user(&self, id: &str, changes: UserChanges) -> ApiResult<User> {
        let auth = self.clone();
        let id = id.to_string();
        let user = self
            .db
            .write(move |tx| auth.update_user_in(tx, &id, &changes))
            .await?;
        self.forget(&user.id);
        Ok(user)
    }

    pub fn delete_user_in(&self, tx: &Connection, id: &str) -> ApiResult<User> {
        let user = find_user(tx, id)?.ok_or_else(|| ApiError::not_found("User not found"))?;
        tx.execute("DELETE FROM platform_users WHERE id = ?1", [id])?;
        self.forget(id);
        Ok(user)
    }

    /// The user `id` as the token check sees it: from the cache of users
    /// (dropped on every change of the user, sign-ins included), read once
    /// when not cached.
    pub async fn current_user(&self, id: &str) -> ApiResult<Option<User>> {
        Ok(self.cached_user(id).await?.map(|u| (*u).clone()))
    }

    pub async fn get_user(&self, id: &str) -> ApiResult<Option<User>> {
        let id = id.to_string();
        self.db.read(move |conn| find_user(conn, &id)).await
    }

    pub async fn find_by_email(&self, email: &str) -> ApiResult<Option<User>> {
        let email = email.trim().to_string();
        self.db
            .read(move |conn| {
                Ok(conn
                    .query_row(
                        &format!("SELECT {USER_COLUMNS} FROM platform_users WHERE email = ?1"),
                        [email],
                        user_from_row,
                    )
                    .optional()?)
            })
            .await
    }

    pub fn list_users_in(conn: &Connection) -> ApiResult<Vec<User>> {
        let mut stmt = conn.prepare(&format!(
            "SELECT {USER_COLUMNS} FROM platform_users ORDER BY seq"
        ))?;
        let rows = stmt.query_map([], user_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Creates the super-admin on an empty user table. Returns the generated
    /// password when none was given, so the caller can print it once.
    pub fn bootstrap_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> ApiResult<Option<(String, Option<String>)>> {
        let auth = self.clone();
        let email = email.unwrap_or("admin@localhost").to_string();
        let (password, generated) = match password {
            Some(p) => (p.to_string(), false),
            None => (random_password(), true),
        };
        self.db.write_blocking(move |tx| {
            let count: i64 =
                tx.query_row("SELECT COUNT(*) FROM platform_users", [], |r| r.get(0))?;
            if count > 0 {
                return Ok(None);
            }
            // The bootstrap e-mail `admin@localhost` has no dot in its domain; accept it.
            let user = auth.create_user_in(
                tx,
                &NewUser {
                    email: email.clone(),
                    password: password.clone(),
                    name: "Administrator".into(),
                    roles: vec![ADMIN_ROLE.into()],
                    organization: None,
                },
            )?;
            Ok(Some((user.email, generated.then_some(password))))
        })
    }
}

/// Records `auth.password_changed` for `user` inside `tx`.
pub fn record_password_change(
    tx: &Connection,
    actor: Option<&Principal>,
    meta: &RequestMeta,
    user: &User,
) -> ApiResult<i64> {
    audit::record(
        tx,
        actor,
        meta,
        AuditEntry {
            module: "platform",
            action: "auth.password_changed",
            entity_type: "user",
            entity_id: Some(&user.id),
            details: json!({ "email": user.email }),
        },
    )
}

pub fn find_user(conn: &Connection, id: &str) -> ApiResult<Option<User>> {
    // Cached: every signed-in request that names a person reads a user.
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM platform_users WHERE id = ?1"
        ))?
        .query_row([id], user_from_row)
        .optional()?)
}

pub fn find_user_by_seq(conn: &Connection, seq: i64) -> ApiResult<Option<User>> {
    // Cached: every signed-in request that names a person reads a user.
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM platform_users WHERE seq = ?1"
        ))?
        .query_row([seq], user_from_row)
        .optional()?)
}

pub fn random_password() -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

pub fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn load_or_create_secret(path: &Path) -> ApiResult<Vec<u8>> {
    if let Ok(existing) = std::fs::read(path) {
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    let mut secret = vec![0u8; 64];
    rand::rng().fill(&mut secret[..]);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::db::write_private(path, &secret)?;
    Ok(secret)
}

/// The platform's own tables.
pub const PLATFORM_MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE platform_users (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL DEFAULT '[]',
    organization TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    token_version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE TABLE platform_revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE TABLE platform_audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    module TEXT NOT NULL,
    actor_id TEXT,
    actor_email TEXT,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX platform_audit_log_at ON platform_audit_log(at);
CREATE INDEX platform_audit_log_entity ON platform_audit_log(module, entity_type, entity_id);
CREATE INDEX platform_audit_log_actor ON platform_audit_log(actor_id);
"#,
    // One counter every process reads to know its cached users and revoked
    // tokens are stale: bumped by any change that matters to a token check
    // (not by `last_login_at`).
    r#"
CREATE TABLE platform_auth_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO platform_auth_generation (id, generation) VALUES (1, 0);
CREATE TRIGGER platform_users_changed AFTER UPDATE ON platform_users
WHEN OLD.roles IS NOT NEW.roles OR OLD.is_active IS NOT NEW.is_active
  OR OLD.token_version IS NOT NEW.token_version OR OLD.email IS NOT NEW.email
  OR OLD.name IS NOT NEW.name OR OLD.password_hash IS NOT NEW.password_hash
BEGIN
  UPDATE platform_auth_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER platform_users_deleted AFTER DELETE ON platform_users
BEGIN
  UPDATE platform_auth_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE TRIGGER platform_tokens_revoked AFTER INSERT ON platform_revoked_tokens
BEGIN
  UPDATE platform_auth_generation SET generation = generation + 1 WHERE id = 1;
END;
CREATE INDEX platform_audit_log_ip ON platform_audit_log(ip);
"#,
    // Every documented audit filter has an index whose rows come in id order
    // (newest first without a sort).
    r#"
CREATE INDEX platform_audit_log_module ON platform_audit_log(module);
CREATE INDEX platform_audit_log_action ON platform_audit_log(action);
CREATE INDEX platform_audit_log_entity_type ON platform_audit_log(entity_type);
CREATE INDEX platform_audit_log_actor_email ON platform_audit_log(actor_email COLLATE NOCASE);
"#,
];
