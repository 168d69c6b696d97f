//! The demo data set (`frontline demo`): one retail tenant with its own intents,
//! knowledge articles, and conversations answered by the real engine
//! (one handed to a human, one closed). Idempotent: nothing is added twice.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiResult, Platform};
use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::service::{deep_merge, default_config, issue_key, process_message};

pub const DEMO_TENANT: &str = "tenant_demo_retail";

pub fn load(p: &Platform) -> ApiResult<()> {
    p.db.write_blocking(|tx| {
        let exists: Option<String> = tx
            .query_row("SELECT id FROM chatbot_tenants WHERE id = ?1", params![DEMO_TENANT], |r| r.get(0))
            .optional()?;
        if exists.is_some() {
            return Ok(());
        }
        let mut config = default_config();
        let mut ignored = vec![];
        deep_merge(
            &mut config,
            &json!({
                "general": {"timezone": "America/New_York"},
                "chatbot": {"intents": [{
                    "name": "return_policy",
                    "examples": ["return policy", "how do I return an item", "can I get a refund"],
                    "responses": ["You can return any item within 30 days with its receipt for a full refund."],
                    "quick_replies": [{"title": "Start a return", "payload": "start_return"}]
                }]},
                "channels": {"web": {"enabled": true, "widget_color": "#2563eb"}}
            }),
            "",
            &mut ignored,
        );
        let now = now_iso();
        tx.execute(
            "INSERT INTO chatbot_tenants (id, name, domain, plan, status, config, config_version, features, created_at, updated_at)
             VALUES (?1, 'Demo Retail', 'demo-retail.example', 'professional', 'active', ?2, 1, '{}', ?3, ?3)",
            params![DEMO_TENANT, config.to_string(), now],
        )?;
        // Keys are stored hashed; the demo never needs their plain text.
        issue_key(tx, DEMO_TENANT, "live")?;
        issue_key(tx, DEMO_TENANT, "test")?;
        crate::knowledge::insert(
            tx,
            DEMO_TENANT,
            "Warranty coverage",
            "Every appliance carries a two year warranty covering parts and labour. Keep your receipt; we repair or replace at no cost.",
            &json!(["warranty", "appliances"]),
        )?;
        crate::knowledge::insert(
            tx,
            DEMO_TENANT,
            "Gift cards",
            "Gift cards never expire and can be used online or in any of our stores.",
            &json!(["gift-cards"]),
        )?;
        let started = std::time::Instant::now();
        let said = [
            ("conv_demo_hours", "web_visitor_1", "web", "What are your store hours?"),
            ("conv_demo_hours", "web_visitor_1", "web", "Do you have holiday hours?"),
            ("conv_demo_order", "whatsapp_+15550100", "whatsapp", "Where is my order ORD123456?"),
            ("conv_demo_order", "whatsapp_+15550100", "whatsapp", "I want to talk to a human agent"),
            ("conv_demo_returns", "web_visitor_2", "web", "can I get a refund"),
        ];
        for (i, (conv, user, channel, text)) in said.iter().enumerate() {
            process_message(
                tx,
                DEMO_TENANT,
                &json!({"message_id": format!("msg_demo_{i}"), "conversation_id": conv, "user_id": user,
                    "channel": channel, "content": {"type": "text", "text": text}}),
                started,
            )?;
        }
        tx.execute(
            "UPDATE chatbot_conversations SET status = 'closed', closed_at = ?2, close_reason = 'resolved' WHERE tenant_id = ?1 AND id = 'conv_demo_returns'",
            params![DEMO_TENANT, now_iso()],
        )?;
        Ok(())
    })
}
