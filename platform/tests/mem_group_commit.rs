//! Group commit: writes that queue behind the write lock share one
//! transaction, each in its own savepoint. A write that fails (its own
//! error, a constraint, a panic) rolls back only itself; every other write
//! of the group is stored and answered, and `/metrics` shows fewer write
//! transactions than committed writes.

use std::time::{Duration, Instant};

use frontline_platform::error::{ApiError, ApiResult};
use frontline_platform::testing::TestApp;

/// Writes queued behind the blocker, and what each one does.
const WRITES: i64 = 24;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Inserts its row and succeeds.
    Ok,
    /// Inserts its row, then answers an error.
    Fails,
    /// Inserts a row whose key the blocking write already took.
    Duplicate,
    /// Inserts its row, then panics.
    Panics,
}

fn kind(i: i64) -> Kind {
    match i % 6 {
        1 => Kind::Fails,
        3 => Kind::Duplicate,
        5 if i == 5 => Kind::Panics,
        _ => Kind::Ok,
    }
}

async fn metric(app: &TestApp, name: &str) -> f64 {
    let resp = app.client.get("/metrics").send().await;
    resp.assert_status_is_ok();
    let text = resp.0.into_body().into_string().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text");
    scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == name
                && (name != "frontline_db_transactions_total"
                    || s.labels.get("kind") == Some("commit"))
        })
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_writes_share_a_commit_and_a_failing_one_rolls_back_only_itself() {
    let app = TestApp::new(vec![]).await;
    let db = app.platform.db.clone();
    db.write(|tx| {
        tx.execute_batch("CREATE TABLE mem_group (id INTEGER PRIMARY KEY, note TEXT NOT NULL)")?;
        Ok(())
    })
    .await
    .expect("table");

    let commits_before = metric(&app, "frontline_db_transactions_total").await;
    let transactions_before = metric(&app, "frontline_db_write_transactions_total").await;

    // A write that holds the lock until told to finish.
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let blocker = tokio::spawn({
        let db = db.clone();
        async move {
            db.write(move |tx| {
                tx.execute(
                    "INSERT INTO mem_group (id, note) VALUES (1000, 'blocker')",
                    [],
                )?;
                let _ = started_tx.send(());
                let _ = release_rx.recv_timeout(Duration::from_secs(120));
                Ok(())
            })
            .await
        }
    });
    tokio::task::spawn_blocking(move || started_rx.recv_timeout(Duration::from_secs(120)))
        .await
        .unwrap()
        .expect("the blocking write started");

    // Every other write queues behind it.
    let mut writes = Vec::new();
    for i in 0..WRITES {
        let db = db.clone();
        writes.push(tokio::spawn(async move {
            db.write(move |tx| -> ApiResult<i64> {
                let id = if kind(i) == Kind::Duplicate { 1000 } else { i };
                tx.execute(
                    "INSERT INTO mem_group (id, note) VALUES (?1, ?2)",
                    rusqlite::params![id, format!("write {i}")],
                )?;
                match kind(i) {
                    Kind::Fails => Err(ApiError::conflict(format!("write {i} refuses"))),
                    Kind::Panics => panic!("write {i} panics"),
                    _ => Ok(i),
                }
            })
            .await
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while db.queued_writes() < WRITES as usize {
        assert!(
            Instant::now() < deadline,
            "only {} writes queued",
            db.queued_writes()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        metric(&app, "frontline_db_write_queue").await,
        WRITES as f64
    );
    release_tx.send(()).unwrap();
    blocker.await.unwrap().expect("the blocking write commits");

    let mut stored_expected = vec![1000];
    for (i, w) in writes.into_iter().enumerate() {
        let i = i as i64;
        let out = w.await.expect("the caller's task ends");
        match kind(i) {
            Kind::Ok => {
                assert_eq!(out.expect("an ordinary write succeeds"), i);
                stored_expected.push(i);
            }
            Kind::Fails => {
                let e = out.expect_err("the failing write answers its error");
                assert_eq!(e.message, format!("write {i} refuses"));
            }
            Kind::Duplicate => {
                let e = out.expect_err("the duplicate key is refused");
                assert_eq!(e.message, "The record conflicts with an existing one");
            }
            Kind::Panics => {
                let e = out.expect_err("the panicking write answers an error");
                assert_eq!(e.message, "Internal error");
            }
        }
    }
    stored_expected.sort_unstable();

    let stored: Vec<(i64, String)> = db
        .read(|c| {
            let mut st = c.prepare("SELECT id, note FROM mem_group ORDER BY id")?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids, stored_expected,
        "exactly the successful writes are stored"
    );
    // A duplicate's failed insert did not overwrite the row it collided with.
    for (id, note) in &stored {
        let want = if *id == 1000 {
            "blocker".to_string()
        } else {
            format!("write {id}")
        };
        assert_eq!(note, &want);
    }

    // The successful writes (and the blocker) committed in far fewer
    // transactions than writes: the queued ones shared commits.
    let committed = metric(&app, "frontline_db_transactions_total").await - commits_before;
    let transactions =
        metric(&app, "frontline_db_write_transactions_total").await - transactions_before;
    // (Background work may commit a write of its own meanwhile.)
    assert!(committed >= stored_expected.len() as f64, "{committed}");
    assert!(
        transactions * 2.0 <= committed,
        "{committed} writes took {transactions} transactions"
    );
    assert!(
        metric(&app, "frontline_db_grouped_writes_total").await
            >= (stored_expected.len() - 1) as f64
    );
    assert_eq!(db.queued_writes(), 0);
}
