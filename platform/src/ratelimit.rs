//! Rate limits per route class and per caller (user, API key or IP), using
//! governor's GCRA limiter. A rule of "N per window" allows a burst of N and
//! refills one request every window/N, so `X-RateLimit-Remaining` is the
//! current burst left and `X-RateLimit-Reset` the time it is full again.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter as Gcra};

/// (module, class, limit, window): one limiter per distinct rule.
type LimiterKey = (String, &'static str, u32, u64);
type Keyed = Gcra<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// The limit that applies to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitRule {
    /// The route class, e.g. `read`, `write`, `bulk_import`.
    pub class: &'static str,
    pub limit: u32,
    pub window_secs: u64,
    /// Who is counted; `None` means the signed-in user, or the IP when anonymous.
    pub key: Option<String>,
    /// A budget shared across modules (counted under this name instead of
    /// the module's) and always per client IP, whatever token the request
    /// carries. Used for the one sign-in budget.
    pub shared: Option<&'static str>,
}

/// Sign-in attempts one client IP may make across every sign-in route
/// (`/auth/login`, contact center `/api/v1/auth/login`, planning
/// `/api/auth/signin`) together, per [`SIGN_IN_WINDOW_SECS`]. The planning
/// document's figure for its auth endpoints, the tightest any document names.
pub const SIGN_IN_LIMIT: u32 = 10;
pub const SIGN_IN_WINDOW_SECS: u64 = 300;

impl LimitRule {
    pub fn new(class: &'static str, limit: u32, window_secs: u64) -> Self {
        LimitRule {
            class,
            limit,
            window_secs,
            key: None,
            shared: None,
        }
    }

    /// The one sign-in budget all sign-in routes share, per client IP.
    pub fn sign_in() -> Self {
        LimitRule {
            shared: Some("sign-in"),
            ..LimitRule::new("signin", SIGN_IN_LIMIT, SIGN_IN_WINDOW_SECS)
        }
    }

    pub fn keyed_by(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

/// The outcome of one check, with the figures for the response headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Unix time (seconds) when the allowance is full again.
    pub reset_at: i64,
    /// Seconds until the next request would be allowed (0 when allowed).
    pub retry_after: u64,
    pub window_secs: u64,
}

#[derive(Clone)]
pub struct RateLimiter {
    enabled: bool,
    clock: DefaultClock,
    limiters: Arc<Mutex<HashMap<LimiterKey, Arc<Keyed>>>>,
    checks: Arc<AtomicU64>,
}

impl RateLimiter {
    pub fn new(enabled: bool) -> Self {
        RateLimiter {
            enabled,
            clock: DefaultClock::default(),
            limiters: Arc::new(Mutex::new(HashMap::new())),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn limiter(&self, module: &str, rule: &LimitRule) -> Arc<Keyed> {
        let key = (module.to_string(), rule.class, rule.limit, rule.window_secs);
        let mut map = match self.limiters.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(key)
            .or_insert_with(|| {
                let limit = NonZeroU32::new(rule.limit.max(1)).unwrap_or(NonZeroU32::MIN);
                let period = Duration::from_secs_f64(
                    rule.window_secs.max(1) as f64 / f64::from(limit.get()),
                );
                let quota = Quota::with_period(period)
                    .unwrap_or_else(|| Quota::per_second(limit))
                    .allow_burst(limit);
                Arc::new(
                    Gcra::dashmap_with_clock(quota, self.clock.clone())
                        .with_middleware::<StateInformationMiddleware>(),
                )
            })
            .clone()
    }

    /// Counts one request of `subject` against `rule` in `module`.
    pub fn check(&self, module: &str, rule: &LimitRule, subject: &str) -> Decision {
        let now = chrono::Utc::now().timestamp();
        if !self.enabled {
            return Decision {
                allowed: true,
                limit: rule.limit,
                remaining: rule.limit,
                reset_at: now,
                retry_after: 0,
                window_secs: rule.window_secs,
            };
        }
        let limiter = self.limiter(module, rule);
        let per_request = rule.window_secs as f64 / f64::from(rule.limit.max(1));
        let decision = match limiter.check_key(&subject.to_string()) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let refill =
                    (f64::from(rule.limit.saturating_sub(remaining)) * per_request).ceil() as i64;
                Decision {
                    allowed: true,
                    limit: rule.limit,
                    remaining,
                    reset_at: now + refill,
                    retry_after: 0,
                    window_secs: rule.window_secs,
                }
            }
            Err(not_until) => {
                let wait = not_until
                    .wait_time_from(self.clock.now())
                    .as_secs_f64()
                    .ceil()
                    .max(1.0) as u64;
                Decision {
                    allowed: false,
                    limit: rule.limit,
                    remaining: 0,
                    reset_at: now + (rule.window_secs as i64),
                    retry_after: wait,
                    window_secs: rule.window_secs,
                }
            }
        };
        // Forget idle callers now and then so the key space stays small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            limiter.retain_recent();
        }
        decision
    }
}

/// Failed sign-ins an account may have before it is locked.
pub const FREE_FAILURES: u32 = 5;
/// The first lock; each further failure after a lock doubles it.
pub const FIRST_LOCK_SECS: u64 = 60;
/// The longest lock.
pub const MAX_LOCK_SECS: u64 = 900;
/// Failures older than this (with no lock running) are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(900);
/// Accounts tracked at most; the oldest quiet ones are dropped past this.
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone)]
struct AccountFailures {
    failures: u32,
    last_failure: std::time::Instant,
    locked_until: Option<std::time::Instant>,
}

/// Per-account sign-in failures: after [`FREE_FAILURES`] failed sign-ins in a
/// row an account is locked for [`FIRST_LOCK_SECS`], doubling with every
/// further failure up to [`MAX_LOCK_SECS`]; a successful sign-in clears it.
/// Keyed by the e-mail tried (lower-cased), whether or not the account
/// exists, so the answers do not tell which accounts exist.
#[derive(Clone)]
pub struct SignInGuard {
    enabled: bool,
    accounts: Arc<Mutex<HashMap<String, AccountFailures>>>,
}

/// A failed sign-in that started a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub failures: u32,
    pub seconds: u64,
}

impl SignInGuard {
    pub fn new(enabled: bool) -> Self {
        SignInGuard {
            enabled,
            accounts: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, AccountFailures>> {
        match self.accounts.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// `Err(seconds)` while `account` is locked.
    pub fn check(&self, account: &str) -> Result<(), u64> {
        if !self.enabled {
            return Ok(());
        }
        let now = std::time::Instant::now();
        match self.table().get(account).and_then(|a| a.locked_until) {
            Some(until) if until > now => Err((until - now).as_secs_f64().ceil().max(1.0) as u64),
            _ => Ok(()),
        }
    }

    /// Counts a failed sign-in; returns the lock it starts, if any.
    pub fn failed(&self, account: &str) -> Option<Lock> {
        if !self.enabled {
            return None;
        }
        let now = std::time::Instant::now();
        let mut table = self.table();
        if table.len() >= MAX_TRACKED {
            table.retain(|_, a| {
                now.duration_since(a.last_failure) < FORGET_AFTER
                    || a.locked_until.is_some_and(|u| u > now)
            });
        }
        let entry = table.entry(account.to_string()).or_insert(AccountFailures {
            failures: 0,
            last_failure: now,
            locked_until: None,
        });
        let lock_running = entry.locked_until.is_some_and(|u| u > now);
        if !lock_running
            && entry.failures > 0
            && now.duration_since(entry.last_failure) >= FORGET_AFTER
        {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last_failure = now;
        if entry.failures < FREE_FAILURES {
            return None;
        }
        let doublings = (entry.failures - FREE_FAILURES).min(10);
        let seconds = (FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS);
        entry.locked_until = Some(now + Duration::from_secs(seconds));
        Some(Lock {
            failures: entry.failures,
            seconds,
        })
    }

    /// A successful sign-in clears the account's failures.
    pub fn succeeded(&self, account: &str) {
        if self.enabled {
            self.table().remove(account);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_refuses() {
        let rl = RateLimiter::new(true);
        let rule = LimitRule::new("write", 3, 3600);
        let seen: Vec<_> = (0..4).map(|_| rl.check("m", &rule, "u1")).collect();
        assert_eq!(
            seen.iter().map(|d| d.remaining).collect::<Vec<_>>(),
            vec![2, 1, 0, 0]
        );
        assert!(seen[2].allowed);
        assert!(!seen[3].allowed);
        assert!(
            seen[3].retry_after > 1000,
            "one request refills every 1200 s"
        );
        // Another caller has its own allowance.
        assert!(rl.check("m", &rule, "u2").allowed);
    }

    #[test]
    fn accounts_lock_after_repeated_failures_and_unlock_on_success() {
        let guard = SignInGuard::new(true);
        for _ in 1..FREE_FAILURES {
            assert_eq!(guard.failed("a@x"), None);
            assert!(guard.check("a@x").is_ok());
        }
        let lock = guard.failed("a@x").expect("locked");
        assert_eq!(lock.seconds, FIRST_LOCK_SECS);
        assert!(guard.check("a@x").unwrap_err() >= FIRST_LOCK_SECS - 1);
        assert!(guard.check("b@x").is_ok(), "other accounts are not locked");
        assert_eq!(guard.failed("a@x").unwrap().seconds, FIRST_LOCK_SECS * 2);
        guard.succeeded("a@x");
        assert!(guard.check("a@x").is_ok());
        assert!(SignInGuard::new(false).failed("a@x").is_none());
    }

    #[test]
    fn disabled_always_allows() {
        let rl = RateLimiter::new(false);
        let rule = LimitRule::new("write", 1, 60);
        assert!((0..5).all(|_| rl.check("m", &rule, "u").allowed));
    }
}
