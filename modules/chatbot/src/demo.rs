//! The demo data set (`frontline demo`): one retail tenant with its own intents,
//! knowledge articles, and conversations answered by the real engine
//! (one handed to a human, one closed). Idempotent: nothing is added twice.

use frontline_platform::auth::now_iso;
use frontline_platform::{ApiResult, Platform};
use serde_json::json;

use crate::store;

use crate::service::{deep_merge, default_config, issue_key, process_message};

pub const DEMO_TENANT: &str = "tenant_demo_retail";

pub fn load(p: &Platform) -> ApiResult<()> {
    p.db.write_blocking(|tx| {
        if store::tenant_exists(tx, DEMO_TENANT)? {
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
        store::insert_tenant(
            tx,
            &store::NewTenant {
                id: DEMO_TENANT,
                name: "Demo Retail",
                domain: Some("demo-retail.example"),
                plan: "professional",
                config: &config,
                features: &json!({}),
                now: &now,
            },
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
        store::close_resolved(tx, DEMO_TENANT, "conv_demo_returns", &now_iso())?;
        Ok(())
    })
}
