//! Service categories' SQL.

use rusqlite::{params, Connection, OptionalExtension};

/// The category named `name` (ignoring case), if any.
pub fn id_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM marketplace_categories WHERE lower(name) = lower(?1)",
        [name],
        |r| r.get(0),
    )
    .optional()
}

/// Registers category `reference` on first use, named after its reference.
pub fn insert_unnamed(tx: &Connection, reference: &str, at: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_categories (id, name, description, created_at, slug, named)
         VALUES (?1, ?1, NULL, ?2, lower(?1), 0)",
        params![reference, at],
    )?;
    Ok(())
}

pub fn insert_named(
    tx: &Connection,
    id: &str,
    name: &str,
    description: Option<&str>,
    at: &str,
    slug: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO marketplace_categories (id, name, description, created_at, slug, named) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
        params![id, name, description, at, slug],
    )?;
    Ok(())
}

/// Names category `id` (its description kept when none is given).
pub fn rename(
    tx: &Connection,
    id: &str,
    name: &str,
    description: Option<&str>,
    slug: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE marketplace_categories SET name = ?2, description = COALESCE(?3, description), slug = ?4, named = 1
         WHERE id = ?1",
        params![id, name, description, slug],
    )?;
    Ok(())
}
