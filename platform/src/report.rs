//! Report documents shared by the planning and contact-center reports.
//!
//! A module builds a [`Report`] (title, subtitle, metadata lines and
//! [`Section`]s of paragraphs, key-figure grids, typed tables and line/bar
//! charts) and renders it to:
//!
//! - PDF ([`Report::to_pdf`], krilla with the embedded DejaVu Sans fonts): a
//!   title page, section headings, key figures, tables that continue on the
//!   next page with their header repeated, charts drawn as vector paths with
//!   axes, grid lines, tick and category labels and a legend, and a footer
//!   with page numbers. [`Report::pdf_layout`] exposes the laid-out pages
//!   (text, lines, rectangles) so callers and tests can check what is drawn
//!   where without a PDF parser.
//! - XLSX ([`Report::to_xlsx`], rust_xlsxwriter): a cover sheet with the
//!   title and metadata, then one sheet per section; numbers are written as
//!   numbers with Excel number formats (currency, percent, integer), dates as
//!   dates, and each chart as a native Excel chart over its data block.
//! - CSV ([`Report::to_csv`], [`Table::to_csv`]): the tables, numbers raw,
//!   through [`CsvWriter`] — the one CSV writer of every export, which
//!   neutralises text cells a spreadsheet would run as formulas.
//!
//! ```
//! use frontline_platform::report::*;
//! let report = Report::new("Quarterly summary")
//!     .subtitle("Contact center")
//!     .meta("Period", "2026-01-01 to 2026-03-31")
//!     .section(
//!         Section::new("Volume")
//!             .key_figures(vec![KeyFigure::new("Calls", Cell::int(1200.0))])
//!             .chart(Chart::line("Calls per month", vec!["Jan".into(), "Feb".into()])
//!                 .series("Calls", vec![500.0, 700.0])),
//!     );
//! let pdf = report.to_pdf().unwrap();
//! assert!(pdf.starts_with(b"%PDF"));
//! ```

mod csv_writer;
mod font;
mod pdf;
mod xlsx;

use chrono::NaiveDate;

use crate::error::ApiResult;

pub use csv_writer::{neutralize, to_csv, CsvWriter, FORMULA_TRIGGERS};
pub use pdf::{PdfLayout, PdfOp, PdfPage};

/// How a number is shown (PDF text, Excel number format).
#[derive(Debug, Clone, PartialEq)]
pub enum NumberFormat {
    /// Rounded to a whole number with thousands separators: `16,800,000`.
    Integer,
    /// Fixed decimals with thousands separators: `1,234.50`.
    Decimal(u8),
    /// A currency code before the amount: `SAR 16,800,000`.
    Currency { code: String, decimals: u8 },
    /// A fraction shown as a percentage: `0.198` → `19.8%`.
    Percent(u8),
}

impl NumberFormat {
    /// A currency format with the given code and no decimals.
    pub fn currency(code: impl Into<String>) -> Self {
        NumberFormat::Currency {
            code: code.into(),
            decimals: 0,
        }
    }

    /// The value as text, e.g. `SAR 3,330,000` or `19.8%`.
    pub fn format(&self, value: f64) -> String {
        if !value.is_finite() {
            return "–".to_string();
        }
        match self {
            NumberFormat::Integer => group_thousands(value, 0),
            NumberFormat::Decimal(d) => group_thousands(value, *d),
            NumberFormat::Currency { code, decimals } => {
                if code.is_empty() {
                    group_thousands(value, *decimals)
                } else {
                    format!("{code} {}", group_thousands(value, *decimals))
                }
            }
            NumberFormat::Percent(d) => format!("{}%", group_thousands(value * 100.0, *d)),
        }
    }

    /// The Excel number format string.
    pub fn excel(&self) -> String {
        fn decimals(d: u8) -> String {
            if d == 0 {
                String::new()
            } else {
                format!(".{}", "0".repeat(d as usize))
            }
        }
        match self {
            NumberFormat::Integer => "#,##0".to_string(),
            NumberFormat::Decimal(d) => format!("#,##0{}", decimals(*d)),
            NumberFormat::Currency { code, decimals: d } => {
                let code: String = code.chars().filter(|c| *c != '"').collect();
                if code.is_empty() {
                    format!("#,##0{}", decimals(*d))
                } else {
                    format!("\"{code}\" #,##0{}", decimals(*d))
                }
            }
            NumberFormat::Percent(d) => format!("0{}%", decimals(*d)),
        }
    }
}

/// `1234567.891` with 2 decimals → `1,234,567.89`.
fn group_thousands(value: f64, decimals: u8) -> String {
    let s = format!("{:.*}", decimals as usize, value.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let negative = value < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// One typed table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64, NumberFormat),
    Date(NaiveDate),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Self {
        Cell::Text(s.into())
    }
    pub fn int(v: f64) -> Self {
        Cell::Number(v, NumberFormat::Integer)
    }
    pub fn decimal(v: f64, decimals: u8) -> Self {
        Cell::Number(v, NumberFormat::Decimal(decimals))
    }
    pub fn percent(v: f64, decimals: u8) -> Self {
        Cell::Number(v, NumberFormat::Percent(decimals))
    }
    pub fn currency(v: f64, code: &str) -> Self {
        Cell::Number(v, NumberFormat::currency(code))
    }
    pub fn date(d: NaiveDate) -> Self {
        Cell::Date(d)
    }

    /// The cell as shown in the PDF.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(v, f) => f.format(*v),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// The cell as written to CSV (numbers raw, dates ISO).
    pub fn raw(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(v, _) if v.is_finite() => {
                let r = (v * 1e6).round() / 1e6;
                format!("{r}")
            }
            Cell::Number(..) => String::new(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Number(..))
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// A labelled figure shown in a grid of boxes (PDF) or label/value rows (XLSX).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFigure {
    pub label: String,
    pub value: Cell,
}

impl KeyFigure {
    pub fn new(label: impl Into<String>, value: Cell) -> Self {
        KeyFigure {
            label: label.into(),
            value,
        }
    }
}

/// A table with a header row and typed cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub title: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Table {
            title: None,
            columns: columns.into_iter().map(Into::into).collect(),
            rows: vec![],
        }
    }
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    pub fn row(mut self, row: Vec<Cell>) -> Self {
        self.rows.push(row);
        self
    }
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// The table as CSV: header row, then the rows with raw numbers (text
    /// cells neutralised against formulas, see [`CsvWriter`]).
    pub fn to_csv(&self) -> ApiResult<Vec<u8>> {
        let mut w = CsvWriter::new();
        self.write_csv(&mut w)?;
        w.finish()
    }

    fn write_csv(&self, w: &mut CsvWriter) -> ApiResult<()> {
        w.record(&self.columns)?;
        for row in &self.rows {
            w.record(row.iter().map(Cell::raw))?;
        }
        Ok(())
    }
}

/// Line or bar chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Line,
    Bar,
}

/// One named series of numbers, one value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A chart of one or more series over category labels (e.g. years).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Format of the value axis and the data in the XLSX.
    pub format: NumberFormat,
}

impl Chart {
    pub fn line(title: impl Into<String>, categories: Vec<String>) -> Self {
        Chart {
            title: title.into(),
            kind: ChartKind::Line,
            categories,
            series: vec![],
            format: NumberFormat::Integer,
        }
    }
    pub fn bar(title: impl Into<String>, categories: Vec<String>) -> Self {
        Chart {
            kind: ChartKind::Bar,
            ..Chart::line(title, categories)
        }
    }
    pub fn series(mut self, name: impl Into<String>, values: Vec<f64>) -> Self {
        self.series.push(Series {
            name: name.into(),
            values,
        });
        self
    }
    pub fn format(mut self, format: NumberFormat) -> Self {
        self.format = format;
        self
    }
}

/// One block of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    KeyFigures(Vec<KeyFigure>),
    Table(Table),
    Chart(Chart),
}

/// A titled part of the report (a heading in the PDF, a sheet in the XLSX).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            blocks: vec![],
        }
    }
    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }
    pub fn key_figures(mut self, figures: Vec<KeyFigure>) -> Self {
        self.blocks.push(Block::KeyFigures(figures));
        self
    }
    pub fn table(mut self, table: Table) -> Self {
        self.blocks.push(Block::Table(table));
        self
    }
    pub fn chart(mut self, chart: Chart) -> Self {
        self.blocks.push(Block::Chart(chart));
        self
    }
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }
}

/// A report document: title page data and sections.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub title: String,
    pub subtitle: Option<String>,
    /// Label/value lines on the title page (period, generated at, …).
    pub meta: Vec<(String, String)>,
    pub sections: Vec<Section>,
}

impl Report {
    pub fn new(title: impl Into<String>) -> Self {
        Report {
            title: title.into(),
            ..Default::default()
        }
    }
    pub fn subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = Some(subtitle.into());
        self
    }
    pub fn meta(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.push((label.into(), value.into()));
        self
    }
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }
    pub fn push(&mut self, section: Section) {
        self.sections.push(section);
    }

    /// The pages as laid out for the PDF (what [`Report::to_pdf`] paints).
    pub fn pdf_layout(&self) -> PdfLayout {
        pdf::layout(self)
    }

    /// The report as a PDF document (A4 portrait).
    pub fn to_pdf(&self) -> ApiResult<Vec<u8>> {
        pdf::render(self)
    }

    /// The report as an XLSX workbook (cover sheet + one sheet per section).
    pub fn to_xlsx(&self) -> ApiResult<Vec<u8>> {
        xlsx::render(self)
    }

    /// Every table of the report as CSV. With more than one table, each is
    /// preceded by a one-cell row naming its section (and table title) and
    /// followed by an empty line.
    pub fn to_csv(&self) -> ApiResult<Vec<u8>> {
        let tables: Vec<(&Section, &Table)> = self
            .sections
            .iter()
            .flat_map(|s| {
                s.blocks.iter().filter_map(move |b| match b {
                    Block::Table(t) => Some((s, t)),
                    _ => None,
                })
            })
            .collect();
        if tables.len() == 1 {
            return tables[0].1.to_csv();
        }
        let mut w = CsvWriter::new();
        for (i, (section, table)) in tables.iter().enumerate() {
            if i > 0 {
                w.record([""])?;
            }
            let name = match &table.title {
                Some(t) => format!("{} - {t}", section.title),
                None => section.title.clone(),
            };
            w.record([name])?;
            table.write_csv(&mut w)?;
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(NumberFormat::Integer.format(16_800_000.0), "16,800,000");
        assert_eq!(
            NumberFormat::currency("SAR").format(3_330_000.0),
            "SAR 3,330,000"
        );
        assert_eq!(NumberFormat::Percent(1).format(0.198), "19.8%");
        assert_eq!(NumberFormat::Decimal(2).format(-1234.5), "-1,234.50");
        assert_eq!(NumberFormat::Integer.format(-0.2), "0");
        assert_eq!(NumberFormat::Integer.format(999.0), "999");
        assert_eq!(NumberFormat::Percent(1).excel(), "0.0%");
        assert_eq!(NumberFormat::currency("SAR").excel(), "\"SAR\" #,##0");
    }
}
