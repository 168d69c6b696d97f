//! Frontline: five documented customer-operations APIs in one executable.
//!
//! This crate assembles the server from the platform and the five modules;
//! `main.rs` is the command line around it.

pub mod config;
pub mod tls;
pub mod ui;

use frontline_platform::db::Migrations;
use frontline_platform::http::Module;
use frontline_platform::state::StartError;
use frontline_platform::{Platform, Settings};

/// The five modules, in the order they are listed everywhere.
pub fn modules() -> Vec<Module> {
    vec![
        frontline_training::module(),
        frontline_chatbot::module(),
        frontline_contact_center::module(),
        frontline_marketplace::module(),
        frontline_planning::module(),
    ]
}

/// Opens the data dir and applies every module's migrations.
pub fn open_platform(settings: Settings) -> Result<Platform, StartError> {
    let migrations: Vec<Migrations> = modules().iter().map(Module::migrations).collect();
    Platform::open(settings, &migrations)
}

/// The whole HTTP application: platform API, modules, docs, health, admin UI.
pub fn app(platform: &Platform) -> poem::endpoint::BoxEndpoint<'static> {
    let mounted = modules().iter().map(|m| (m.build)(platform)).collect();
    frontline_platform::app::build(platform, mounted, Some(ui::endpoint()))
}

/// Every OpenAPI document, as `(file stem, JSON)`: the platform's and each module's.
pub fn specs(platform: &Platform) -> Vec<(String, String)> {
    let mut out = vec![(
        "platform".to_string(),
        frontline_platform::app::platform_module(platform).spec(),
    )];
    for m in modules() {
        let mounted = (m.build)(platform);
        out.push((m.slug.to_string(), mounted.spec()));
    }
    out
}
