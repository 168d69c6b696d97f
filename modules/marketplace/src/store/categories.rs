//! Service categories' SQL.

use super::CachedRow;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::ServiceCategory;

/// The category named `name` (ignoring case), if any.
pub fn id_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
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

/// The category with this id, if any.
pub fn id_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT id FROM marketplace_categories WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
    .optional()
}

/// The oldest category registered on use (unnamed) with this slug.
pub fn unnamed_by_slug(conn: &Connection, slug: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT id FROM marketplace_categories WHERE slug = ?1 AND named = 0 ORDER BY created_at, id LIMIT 1",
        [slug],
        |r| r.get(0),
    )
    .optional()
}

/// The category whose slug is `reference` (lower-cased), the oldest when several.
pub fn id_by_slug(conn: &Connection, reference: &str) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT id FROM marketplace_categories WHERE slug = lower(?1) ORDER BY created_at, id LIMIT 1",
        [reference],
        |r| r.get(0),
    )
    .optional()
}

/// Another category (not `except`) named `name`, ignoring case.
pub fn other_named(
    conn: &Connection,
    name: &str,
    except: &str,
) -> rusqlite::Result<Option<String>> {
    conn.cached_row(
        "SELECT id FROM marketplace_categories WHERE lower(name) = lower(?1) AND id != ?2",
        params![name, except],
        |r| r.get(0),
    )
    .optional()
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<ServiceCategory> {
    Ok(ServiceCategory {
        service_category_id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        created_at: r.get(3)?,
        slug: r.get(4)?,
        named: r.get(5)?,
    })
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<ServiceCategory> {
    conn.cached_row(
        "SELECT id, name, description, created_at, slug, named FROM marketplace_categories WHERE id = ?1",
        [id],
        row,
    )
}

/// Every category, by name.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<ServiceCategory>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, description, created_at, slug, named FROM marketplace_categories ORDER BY name",
    )?;
    let rows = stmt.query_map([], row)?;
    rows.collect()
}

/// A category's name.
pub fn name_of(conn: &Connection, id: &str) -> rusqlite::Result<String> {
    conn.cached_row(
        "SELECT name FROM marketplace_categories WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
}
