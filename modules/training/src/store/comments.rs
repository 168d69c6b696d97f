//! SQL of scenario comments.

use frontline_platform::ApiResult;
use rusqlite::{params, Connection, OptionalExtension};

use crate::model::TrainingError;

/// A stored comment.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: String,
    pub parent_id: Option<String>,
    pub author_id: String,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
    pub edited: bool,
}

const CCOLS: &str = "id, parent_id, author_id, content, created_at, updated_at, edited";

fn comment_row(r: &rusqlite::Row) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get(0)?,
        parent_id: r.get(1)?,
        author_id: r.get(2)?,
        content: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        edited: r.get(6)?,
    })
}

/// Comment `id` of scenario `scenario_id`, else 404.
pub fn find(conn: &Connection, scenario_id: &str, id: &str) -> ApiResult<Comment> {
    conn.query_row(
        &format!("SELECT {CCOLS} FROM training_comments WHERE scenario_id = ?1 AND id = ?2"),
        params![scenario_id, id],
        comment_row,
    )
    .optional()?
    .ok_or_else(|| TrainingError::CommentNotFound.with_message(format!("Comment {id} not found")))
}

/// The comments of a scenario, oldest first.
pub fn of_scenario(conn: &Connection, scenario_id: &str) -> ApiResult<Vec<Comment>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CCOLS} FROM training_comments WHERE scenario_id = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt
        .query_map([scenario_id], comment_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn insert(tx: &Connection, scenario_id: &str, c: &Comment) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO training_comments (id, scenario_id, parent_id, author_id, content, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![c.id, scenario_id, c.parent_id, c.author_id, c.content, c.created_at],
    )?;
    Ok(())
}

/// Writes the edited content of `c`.
pub fn save_content(tx: &Connection, c: &Comment) -> ApiResult<()> {
    tx.execute(
        "UPDATE training_comments SET content = ?2, updated_at = ?3, edited = 1 WHERE id = ?1",
        params![c.id, c.content, c.updated_at],
    )?;
    Ok(())
}

/// Removes comment `id` and its replies.
pub fn remove(tx: &Connection, id: &str) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM training_comments WHERE id = ?1 OR parent_id = ?1",
        [id],
    )?;
    Ok(())
}
