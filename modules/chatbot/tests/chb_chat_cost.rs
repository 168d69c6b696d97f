//! Issue 18: a message to the built-in bot costs one write transaction and a
//! fixed number of statements, each an index lookup — whatever the size of
//! the conversation or of the tenant's history.

mod support;

use frontline_platform::testing::TestApp;

#[tokio::test]
async fn a_chat_message_costs_one_write_transaction_and_a_fixed_statement_budget() {
    let app = TestApp::new(vec![frontline_chatbot::module()]).await;
    let (tenant, key) = support::tenant_with_key(&app, "Costly", "owner@costly.example").await;
    let send = |n: usize| {
        support::ask_store_hours(
            &app,
            &key,
            format!("costly_{n}"),
            "conv_costly",
            "visitor_costly",
        )
    };
    // What one message costs, as statements: those naming this tenant (or
    // its key), and the write transactions they run in. (The recorder is
    // process-wide; background jobs' statements name no tenant.)
    let cost = |n: usize| {
        let send = &send;
        let app = &app;
        let tenant = tenant.clone();
        async move {
            let plans = app
                .plans_of(WATCHED, async {
                    let from = frontline_platform::db::statements::start();
                    let body = send(n).await;
                    (body, frontline_platform::db::statements::finish(from))
                })
                .await;
            let (body, statements) = plans.output;
            assert_eq!(body["data"]["conversation_id"], "conv_costly", "{body}");
            assert_eq!(body["data"]["message_id"], format!("costly_{n}"), "{body}");
            for plan in &plans.plans {
                assert!(
                    plan.table_scans().is_empty(),
                    "reads a table row by row: {}: {}",
                    plan.sql,
                    plan.lines.join(" | ")
                );
            }
            Cost::of(&statements, &tenant)
        }
    };
    // The tenant's first call of the month reads its month's API calls once.
    send(0).await;
    let first = cost(1).await;
    // A longer conversation costs exactly the same.
    for n in 2..30 {
        send(n).await;
    }
    let later = cost(100).await;
    assert_eq!(
        first.statements, later.statements,
        "a message's statements do not depend on the conversation's length"
    );
    // The steady state of a message to the built-in bot: the key with its
    // tenant; the message id (idempotency); the conversation; the inbound
    // message, its event (and its webhook deliveries), the reply, the
    // conversation's new state.
    assert_eq!(
        later.statements.len(),
        8,
        "statement budget: {:#?}",
        later.statements
    );
    assert_eq!(
        later.write_transactions, 1,
        "one write transaction: {:#?}",
        later.statements
    );
    assert_eq!(
        later.writes_outside, 0,
        "no write outside the transaction: {:#?}",
        later.statements
    );
}

const WATCHED: &[&str] = &[
    "chatbot_tenants",
    "chatbot_api_keys",
    "chatbot_conversations",
    "chatbot_messages",
    "chatbot_articles",
];

/// A message's statements (naming the tenant or its key) and write transactions.
struct Cost {
    statements: Vec<String>,
    write_transactions: usize,
    writes_outside: usize,
}

impl Cost {
    fn of(recorded: &[String], tenant: &str) -> Cost {
        // The API-call counter writes its gathered counts every few seconds
        // (whichever call comes then): not the message's own work.
        let ours = |s: &str| {
            (s.contains(tenant) || s.contains("chatbot_api_keys"))
                && !s.contains("chatbot_api_calls")
        };
        let is_write = |s: &str| {
            let head = s.trim_start().to_ascii_uppercase();
            head.starts_with("INSERT") || head.starts_with("UPDATE") || head.starts_with("DELETE")
        };
        // Writes are serialised (BEGIN IMMEDIATE): a write between a BEGIN
        // and the next COMMIT/ROLLBACK belongs to that transaction.
        let (mut open, mut touched) = (false, false);
        let (mut write_transactions, mut writes_outside) = (0, 0);
        let mut statements = vec![];
        for s in recorded {
            let head = s.trim_start().to_ascii_uppercase();
            if head.starts_with("BEGIN") {
                (open, touched) = (true, false);
                continue;
            }
            if head.starts_with("COMMIT") || head.starts_with("ROLLBACK") || head.starts_with("END")
            {
                if open && touched {
                    write_transactions += 1;
                }
                open = false;
                continue;
            }
            if !ours(s) {
                continue;
            }
            if is_write(s) {
                if open {
                    touched = true;
                } else {
                    writes_outside += 1;
                }
            }
            // Without values, so two messages' statements compare equal.
            statements.push(
                s.split_whitespace()
                    .take_while(|w| !w.starts_with("VALUES") && !w.contains('\''))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace(|c: char| c.is_ascii_digit(), ""),
            );
        }
        Cost {
            statements,
            write_transactions,
            writes_outside,
        }
    }
}
