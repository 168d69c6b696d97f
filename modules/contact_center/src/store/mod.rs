//! The SQL of part 1. Functions take a connection (or the caller's
//! transaction) and return the document's types.

pub mod calls;
pub mod campaigns;
pub mod contacts;
pub mod demo;
pub mod documents;
pub mod ivr;
pub mod kb_search;
pub mod knowledge;
pub mod metrics;
pub mod org;
pub mod profiles;
pub mod recordings;
pub mod reports;
pub mod routing;
pub mod voicemail;

use rusqlite::types::Value as Sql;

/// A `WHERE` clause built from optional filters, with positional arguments.
#[derive(Default)]
pub struct Filter {
    clauses: Vec<String>,
    pub args: Vec<Sql>,
}

impl Filter {
    pub fn new() -> Self {
        Filter::default()
    }

    /// Adds `clause` (with one `?` per value in `values`).
    pub fn and(&mut self, clause: &str, values: Vec<Sql>) -> &mut Self {
        self.clauses.push(clause.to_string());
        self.args.extend(values);
        self
    }

    /// The conditions without `WHERE` (`1` when none), for `db_paging`.
    pub fn clause(&self) -> String {
        if self.clauses.is_empty() {
            "1".to_string()
        } else {
            self.clauses.join(" AND ")
        }
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// A `LIKE` pattern matching `text` anywhere (with `\` as the escape).
pub fn like(text: &str) -> Sql {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Sql::Text(format!("%{escaped}%"))
}

pub fn int(v: i64) -> Sql {
    Sql::Integer(v)
}

pub fn text(v: &str) -> Sql {
    Sql::Text(v.to_string())
}
