//! Excessive data exposure: no password or password hash in any user or agent
//! answer, nor in the audit log.

mod part1;

use frontline_platform::testing::assert_absent;
use part1::*;
use serde_json::json;

#[tokio::test]
async fn no_passwords_or_hashes_in_user_and_agent_answers() {
    let cc = Cc::new().await;
    let password = "Registered-pass-42";
    let registered = cc
        .post(
            "",
            "/auth/register",
            json!({"email": "agent.ann@example.com", "password": password, "full_name": "Ann Agent"}),
        )
        .await
        .expect(201);
    let uid = registered["id"].as_i64().unwrap();
    let login = cc
        .post(
            "",
            "/auth/login",
            json!({"email": "agent.ann@example.com", "password": password}),
        )
        .await
        .expect(200);
    let token = login["access_token"].as_str().unwrap().to_string();
    let hash: String = cc
        .app
        .platform
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT password_hash FROM platform_users WHERE seq = ?1",
                [uid],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("hash");

    let team = cc
        .post(&cc.admin, "/teams", json!({"name": "Tier 1"}))
        .await
        .expect(201);
    let team_id = team["id"].as_i64().unwrap();
    let agent = cc
        .post(
            &cc.admin,
            "/agents",
            json!({"user_id": uid, "agent_number": "AG-100", "team_id": team_id}),
        )
        .await
        .expect(201);
    let agent_id = agent["id"].as_i64().unwrap();
    assert_eq!(agent["email"], "agent.ann@example.com");

    let mut answers = vec![
        ("register", registered.clone()),
        ("login", login.clone()),
        ("agent create", agent),
    ];
    answers.push(("me", cc.get(&token, "/auth/me").await.expect(200)));
    answers.push(("agents", cc.get(&cc.admin, "/agents").await.expect(200)));
    answers.push((
        "agent",
        cc.get(&cc.admin, &format!("/agents/{agent_id}"))
            .await
            .expect(200),
    ));
    answers.push((
        "team agents",
        cc.get(&cc.admin, &format!("/teams/{team_id}/agents"))
            .await
            .expect(200),
    ));
    answers.push((
        "team",
        cc.get(&cc.admin, &format!("/teams/{team_id}"))
            .await
            .expect(200),
    ));
    let audit = cc
        .app
        .call(
            "GET",
            "/auth/audit?module=contact-center",
            Some(&cc.admin),
            None,
        )
        .await;
    assert_eq!(audit.status.as_u16(), 200, "{}", audit.body);
    assert!(
        audit.body.to_string().contains("agent"),
        "the agent creation is audited: {}",
        audit.body
    );
    answers.push(("audit", audit.body));
    for (what, body) in &answers {
        assert_absent(body, &hash, what);
        assert_absent(body, password, what);
        // The login answer's token is the only credential handed out.
        let mut copy = body.clone();
        if let Some(o) = copy.as_object_mut() {
            o.remove("access_token");
        }
        assert_absent(&copy, "password", what);
    }

    // Stored audit rows never hold the password or its hash either.
    let rows: Vec<String> = cc
        .app
        .platform
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT COALESCE(details, '') FROM platform_audit_log")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .expect("audit rows");
    assert!(!rows.is_empty());
    for row in rows {
        assert!(!row.contains(password) && !row.contains(&hash), "{row}");
    }
}
