//! The platform state every module receives.

use std::sync::Arc;

use crate::auth::{Auth, PLATFORM_MIGRATIONS};
use crate::db::{Db, DbError, Migrations};
use crate::error::ApiError;
use crate::events::Events;
use crate::files::Files;
use crate::jobs::Jobs;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::search::Search;
use crate::settings::Settings;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error(
        "the data directory {0} is not writable (a read-only filesystem, or no permission): {1}"
    )]
    ReadOnly(String, std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Platform(#[from] ApiError),
}

/// Fails early, with the directory's name, when `dir` cannot be written; SQLite
/// alone would only say "unable to open database file".
fn probe_writable(dir: &std::path::Path) -> Result<(), StartError> {
    let probe = dir.join(".frontline-write-probe");
    std::fs::write(&probe, b"ok")
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| StartError::ReadOnly(dir.display().to_string(), e))
}

/// Creates `dir` (and missing parents) as 0700; an existing directory is
/// restricted to 0700 only when it is one of the server's own (`ours`:
/// index/, files/), so a data dir the operator made is left as it is.
fn create_private_dir(dir: &std::path::Path, ours: bool) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        if ours && dir.is_dir() {
            // Best effort: a read-only or foreign directory is reported by
            // the write probe that follows, with its own message.
            if let Err(e) = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)) {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot restrict the directory to 0700");
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ours;
    builder.create(dir)
}

/// The job (and schedule) that deletes expired files.
pub const PURGE_FILES_JOB: &str = "platform.files.purge";

#[derive(Clone)]
pub struct Platform {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub auth: Auth,
    pub limiter: RateLimiter,
    pub metrics: Arc<Metrics>,
    pub search: Search,
    pub files: Files,
    pub jobs: Jobs,
    pub events: Events,
    /// The one client (and policy) for calls out: webhooks, chat providers.
    pub outbound: crate::outbound::Outbound,
}

impl Platform {
    /// Opens the data dir and database, applies every migration (the
    /// platform's first, then each module's) and loads the signing key.
    pub fn open(settings: Settings, modules: &[Migrations]) -> Result<Platform, StartError> {
        for (dir, ours) in [
            (settings.data_dir.clone(), false),
            (settings.index_dir(), true),
            (settings.files_dir(), true),
        ] {
            create_private_dir(&dir, ours)
                .map_err(|e| StartError::DataDir(dir.display().to_string(), e))?;
            probe_writable(&dir)?;
        }
        let db = Db::open(&settings.db_path())?;
        let mut sets = vec![
            Migrations {
                module: "platform",
                steps: PLATFORM_MIGRATIONS,
            },
            Migrations {
                module: "platform.search",
                steps: crate::search::MIGRATIONS,
            },
            Migrations {
                module: "platform.files",
                steps: crate::files::MIGRATIONS,
            },
            Migrations {
                module: "platform.jobs",
                steps: crate::jobs::MIGRATIONS,
            },
            Migrations {
                module: "platform.events",
                steps: crate::events::MIGRATIONS,
            },
        ];
        sets.extend_from_slice(modules);
        let ran = db.migrate(&sets)?;
        for (module, from, to) in ran {
            tracing::info!(module, from, to, "migrated");
        }
        let auth = Auth::new(db.clone(), &settings.data_dir, settings.token_ttl_secs)?;
        let search = Search::open(&settings.index_dir(), db.clone())?;
        let files = Files::open(
            &settings.files_dir(),
            db.clone(),
            auth.derived_key(b"files"),
        )?;
        let jobs = Jobs::new(db.clone());
        let outbound = crate::outbound::Outbound::new(settings.outbound.clone());
        let events = Events::new(
            db.clone(),
            &auth.derived_key(b"webhook-secrets"),
            outbound.clone(),
        );
        Ok(Platform {
            search,
            files,
            jobs,
            events,
            outbound,
            limiter: RateLimiter::new(settings.rate_limits),
            settings: Arc::new(settings),
            db,
            auth,
            metrics: Arc::new(Metrics::default()),
        })
    }

    /// Starts the job workers, the scheduler and webhook delivery (inside a
    /// tokio runtime; later calls do nothing).
    pub fn start_background(&self) {
        self.jobs.register(
            PURGE_FILES_JOB,
            std::sync::Arc::new(|platform: Platform, _job| {
                Box::pin(async move {
                    let removed = platform
                        .files
                        .purge_expired()
                        .await
                        .map_err(|e| e.message)?;
                    Ok(serde_json::json!({ "removed": removed }))
                })
            }),
        );
        // Expired exports and reports are deleted every night at 03:15 UTC.
        let schedule = crate::jobs::ScheduleSpec {
            frequency: crate::jobs::Frequency::Daily,
            hour: 3,
            minute: 15,
            timezone: "UTC".into(),
        };
        if let Err(e) = self.db.write_blocking(|tx| {
            crate::jobs::upsert_schedule(
                tx,
                PURGE_FILES_JOB,
                PURGE_FILES_JOB,
                &serde_json::json!({}),
                &schedule,
            )
        }) {
            tracing::error!(error = %e, "could not schedule the file purge");
        }
        self.jobs.start(self, 2);
        self.events.start();
    }
}
