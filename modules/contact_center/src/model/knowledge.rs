//! Knowledge base articles' types, as the document names them.

use poem_openapi::Object;
use serde_json::Value;

/// A knowledge base article.
#[derive(Object, Clone, Debug)]
pub struct Article {
    pub id: i64,
    pub company_id: Option<i64>,
    pub title: String,
    pub content: String,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub is_public: bool,
    /// ISO 639-1 code, e.g. en, es, fr, de.
    pub language: String,
    pub metadata: Value,
    pub created_by_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new article.
#[derive(Object, Debug)]
pub struct ArticleCreate {
    pub company_id: Option<i64>,
    /// 1..=300 characters.
    #[oai(validator(min_length = 1, max_length = 300, pattern = r"\S"))]
    pub title: String,
    /// 1..=200000 characters.
    #[oai(validator(min_length = 1, max_length = 200000, pattern = r"\S"))]
    pub content: String,
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    pub category: Option<String>,
    #[oai(
        default,
        validator(max_items = 50, min_length = 1, max_length = 50, pattern = r"\S")
    )]
    pub tags: Vec<String>,
    /// Default true.
    pub is_public: Option<bool>,
    /// Default en.
    #[oai(validator(min_length = 2, max_length = 8, pattern = "^[A-Za-z-]+$"))]
    pub language: Option<String>,
    /// Free-form object (author, last_reviewed, …), at most 16 KB.
    pub metadata: Option<crate::model::JsonObject>,
}

/// Changes to an article; omitted fields stay.
#[derive(Object, Debug)]
pub struct ArticleUpdate {
    pub company_id: Option<i64>,
    #[oai(validator(min_length = 1, max_length = 300, pattern = r"\S"))]
    pub title: Option<String>,
    #[oai(validator(min_length = 1, max_length = 200000, pattern = r"\S"))]
    pub content: Option<String>,
    #[oai(validator(min_length = 1, max_length = 100, pattern = r"\S"))]
    pub category: Option<String>,
    #[oai(validator(max_items = 50, min_length = 1, max_length = 50, pattern = r"\S"))]
    pub tags: Option<Vec<String>>,
    pub is_public: Option<bool>,
    #[oai(validator(min_length = 2, max_length = 8, pattern = "^[A-Za-z-]+$"))]
    pub language: Option<String>,
    pub metadata: Option<crate::model::JsonObject>,
}
