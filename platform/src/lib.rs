//! Frontline's platform: what every module shares, written once.
//!
//! - [`db`]: SQLite pool, transactions, per-module migrations
//! - [`db_paging`]: cached totals and keyset anchors, so deep pages cost what the first does
//! - [`auth`]: users, password hashes, tokens, roles
//! - [`error`]: the one error type modules render in their own envelopes
//! - [`http`]: mounting a module behind its gate (limits, errors, docs)
//! - [`write`]: [`write::WriteCtx`], the transaction, caller and request of a change
//!   (audit, events, search staging in the same transaction)
//! - [`error_codes!`]: a module's error table (code, status, meaning)
//! - [`ratelimit`], [`audit`], [`metrics`], [`page`]
//! - [`pattern`]: string types whose `pattern` regex is compiled once ([`pattern_string!`])
//! - [`app`]: the whole server from a list of modules
//! - [`testing`]: an in-process server for integration tests

pub mod app;
pub mod audit;
pub mod auth;
mod auth_api;
pub mod body;
pub mod callbacks;
pub mod cors;
pub mod db;
pub mod db_paging;
pub mod deliver;
pub mod direct;
pub mod error;
pub mod events;
pub mod files;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod page;
pub mod pattern;
pub mod ratelimit;
pub mod report;
pub mod search;
pub mod secrets;
pub mod settings;
pub mod sse;
pub mod state;
pub mod telemetry;
pub mod testing;
pub mod time;
pub mod tz;
pub mod write;

pub use error::{ApiError, ApiResult, ErrorCode, ErrorKind, ErrorTable, FieldError};
pub use http::{
    BearerAuth, ErrorEnvelope, Module, ModuleError, ModuleInfo, MountedModule, RequestMeta,
};
pub use settings::Settings;
pub use state::Platform;
pub use write::WriteCtx;
