//! Report documents (title, key figures, tables, charts) rendered to PDF and
//! XLSX, shared by the planning and contact-center reports.
//!
//! (Being built with the planning module.)
