//! Set-up shared by the search engine's tests (each test file uses part of it).
#![allow(dead_code)]

use std::path::Path;

use frontline_platform::db::{Db, Migrations};
use frontline_platform::search::{self, Search};

/// A database in `dir` with the search engine's tables.
pub fn search_db(dir: &Path) -> Db {
    let db = Db::open(&dir.join("frontline.db")).unwrap();
    db.migrate(&[Migrations {
        module: "platform.search",
        steps: search::MIGRATIONS,
    }])
    .unwrap();
    db
}

/// [`search_db`] and a search engine over `dir/index` whose outbox is drained
/// only when the test asks.
pub fn search_engine(dir: &Path) -> (Db, Search) {
    let db = search_db(dir);
    let search = Search::open(&dir.join("index"), db.clone()).unwrap();
    search.set_background_drain(false);
    (db, search)
}
