//! Live streams of the platform's events (events.rs) as Server-Sent Events.
//!
//! A module offers a stream to its callers by handing [`stream`] a
//! [`Viewer`]: the event module(s) the caller may follow, who the caller is
//! and whether the caller sees the whole module. An event reaches the viewer
//! only when [`Audience::reaches`] says so — the very rule that decides which
//! webhook subscriptions get a delivery — so a stream never shows what a
//! webhook of the same caller would not receive.
//!
//! The stream tails committed events (`platform_events`, read by id, so
//! nothing of an uncommitted or rolled-back change is shown), starting after
//! `Last-Event-ID` when the client reconnects, or at the newest event.
//! Each SSE message carries `id:` (the event id), `event:` (its type) and
//! `data:` (a [`StreamEvent`] as JSON); a keep-alive comment is sent while
//! nothing happens.
//!
//! ```ignore
//! #[oai(path = "/inbox/stream", method = "get")]
//! async fn stream(&self, who: Member, last: Header<Option<i64>>) -> Result<EventStream<BoxStream<'static, StreamEvent>>> {
//!     let viewer = Viewer::new([format!("chatbot.{tenant}")]).owner(user_id).module_wide(true);
//!     Ok(sse::event_stream(sse::stream(self.platform.db.clone(), viewer, last.0).await?))
//! }
//! ```

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use poem::web::sse::Event;
use poem_openapi::payload::EventStream;
use poem_openapi::Object;
use rusqlite::{params, Connection};
use serde_json::Value;

use crate::db::Db;
use crate::error::ApiResult;
use crate::events::Audience;
use crate::time::from_ms;

/// How often the stream looks for new events.
pub const POLL: Duration = Duration::from_millis(300);
/// How often an idle stream sends a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Events read per look.
const BATCH: i64 = 200;

/// Who is following a stream: the event modules followed, the caller's id
/// (an owner named by events' audiences) and whether the caller sees every
/// event of those modules (as a module-wide webhook subscription does).
#[derive(Clone, Debug, Default)]
pub struct Viewer {
    pub modules: Vec<String>,
    pub owner_id: Option<String>,
    pub module_wide: bool,
    /// Only these event types (all when empty).
    pub types: Vec<String>,
}

impl Viewer {
    pub fn new<I, S>(modules: I) -> Viewer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Viewer {
            modules: modules.into_iter().map(Into::into).collect(),
            ..Viewer::default()
        }
    }

    pub fn owner(mut self, id: impl Into<String>) -> Viewer {
        self.owner_id = Some(id.into());
        self
    }

    pub fn module_wide(mut self, yes: bool) -> Viewer {
        self.module_wide = yes;
        self
    }

    pub fn types<I, S>(mut self, types: I) -> Viewer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Whether this viewer sees an event of `module`, `event_type` and `audience`.
    pub fn sees(&self, module: &str, event_type: &str, audience: &Audience) -> bool {
        self.modules.iter().any(|m| m == module)
            && (self.types.is_empty() || self.types.iter().any(|t| t == event_type))
            && audience.reaches(self.owner_id.as_deref(), self.module_wide)
    }
}

/// One event of a live stream.
#[derive(Object, Clone, Debug, PartialEq)]
pub struct StreamEvent {
    /// The event id (also the SSE `id:`; send it back as `Last-Event-ID` to resume).
    pub id: i64,
    /// The event type (also the SSE `event:`), e.g. `conversation.transferred`.
    pub event: String,
    /// When it happened (RFC 3339, UTC).
    pub timestamp: String,
    /// The event's data, as its webhook delivery carries it.
    pub data: Value,
}

/// The newest event id (0 when there is none).
fn newest(c: &Connection) -> ApiResult<i64> {
    Ok(c.query_row(
        "SELECT COALESCE(MAX(id), 0) FROM platform_events",
        [],
        |r| r.get(0),
    )?)
}

/// Events after `after` that `viewer` sees, and the last id looked at.
fn read_after(c: &Connection, viewer: &Viewer, after: i64) -> ApiResult<(Vec<StreamEvent>, i64)> {
    let modules = serde_json::to_string(&viewer.modules)?;
    let mut st = c.prepare_cached(
        "SELECT id, module, event_type, payload, created_at, audience FROM platform_events
         WHERE id > ?1 AND module IN (SELECT value FROM json_each(?2)) ORDER BY id LIMIT ?3",
    )?;
    let rows = st.query_map(params![after, modules, BATCH], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    let mut last = after;
    for row in rows {
        let (id, module, event, payload, at, audience) = row?;
        last = id;
        if !viewer.sees(&module, &event, &Audience::from_column(audience.as_deref())) {
            continue;
        }
        out.push(StreamEvent {
            id,
            event,
            timestamp: from_ms(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            data: serde_json::from_str(&payload).unwrap_or(Value::Null),
        });
    }
    // Past a full batch of other modules' events, move on to the newest looked at.
    Ok((out, last))
}

/// The events `viewer` sees from after `last_event_id` (or after the newest
/// event at the time of the call: the request's moment, not the first read).
/// Read errors end the stream (the client reconnects with `Last-Event-ID`).
pub async fn stream(
    db: Db,
    viewer: Viewer,
    last_event_id: Option<i64>,
) -> ApiResult<BoxStream<'static, StreamEvent>> {
    struct State {
        db: Db,
        viewer: Viewer,
        after: i64,
        queue: VecDeque<StreamEvent>,
    }
    let after = match last_event_id.filter(|i| *i >= 0) {
        Some(a) => a,
        None => db.read(newest).await?,
    };
    let state = State {
        db,
        viewer,
        after,
        queue: VecDeque::new(),
    };
    Ok(stream::unfold(state, |mut s| async move {
        loop {
            if let Some(e) = s.queue.pop_front() {
                return Some((e, s));
            }
            let after = s.after;
            let viewer = s.viewer.clone();
            let (events, last) =
                s.db.read(move |c| read_after(c, &viewer, after))
                    .await
                    .ok()?;
            s.after = last;
            s.queue.extend(events);
            if s.queue.is_empty() && last == after {
                tokio::time::sleep(POLL).await;
            }
        }
    })
    .boxed())
}

/// How long a client waits before reconnecting (the stream's first line,
/// `retry:`; it also gets the answer's head through proxies that hold it
/// back until a first byte of the body).
pub const RETRY: Duration = Duration::from_millis(1500);

/// The poem-openapi answer for a stream of [`StreamEvent`]s: a `retry:`
/// line first, then `id:`, `event:` and JSON `data:` per event, keep-alive
/// comments while idle.
pub fn event_stream(
    events: BoxStream<'static, StreamEvent>,
) -> EventStream<BoxStream<'static, StreamEvent>> {
    // Event ids start at 1: id 0 stands for the opening `retry:` line.
    let opening = StreamEvent {
        id: 0,
        event: String::new(),
        timestamp: String::new(),
        data: Value::Null,
    };
    EventStream::new(stream::once(async move { opening }).chain(events).boxed())
        .keep_alive(KEEP_ALIVE)
        .to_event(|e| {
            if e.id == 0 {
                return Event::retry(RETRY.as_millis() as u64);
            }
            let data = serde_json::to_string(&serde_json::json!({
                "id": e.id, "event": e.event, "timestamp": e.timestamp, "data": e.data,
            }))
            .unwrap_or_default();
            Event::message(data)
                .id(e.id.to_string())
                .event_type(e.event)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_viewer_sees_what_its_webhook_would_receive() {
        let v = Viewer::new(["m.a"]).owner("u1");
        assert!(v.sees("m.a", "x", &Audience::All));
        assert!(v.sees("m.a", "x", &Audience::owners(["u1", "u2"])));
        assert!(!v.sees("m.a", "x", &Audience::owners(["u2"])));
        assert!(!v.sees("m.a", "x", &Audience::admins()));
        assert!(!v.sees("m.b", "x", &Audience::All));
        let admin = Viewer::new(["m.a"]).module_wide(true);
        assert!(admin.sees("m.a", "x", &Audience::admins()));
        let typed = Viewer::new(["m.a"]).types(["y"]);
        assert!(!typed.sees("m.a", "x", &Audience::All));
    }
}
