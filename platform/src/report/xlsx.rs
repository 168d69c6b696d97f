//! XLSX rendering: a cover sheet, then one sheet per section with its
//! paragraphs, key figures, tables (typed cells with number formats) and
//! native charts over their data blocks.

use std::collections::HashSet;

use datetime_helpers::excel_date;
use rust_xlsxwriter::{
    Chart as XChart, ChartType, Color, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

use super::{Block, Cell, Chart, ChartKind, NumberFormat, Report, Table};
use crate::error::{ApiError, ApiResult};

mod datetime_helpers {
    use chrono::Datelike;
    use rust_xlsxwriter::ExcelDateTime;

    pub fn excel_date(d: chrono::NaiveDate) -> Option<ExcelDateTime> {
        let year = u16::try_from(d.year()).ok()?;
        ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8).ok()
    }
}

fn err(e: XlsxError) -> ApiError {
    ApiError::internal(format!("the workbook could not be written: {e}"))
}

/// A valid, unique sheet name (max 31 chars, no `[]:*?/\`).
fn sheet_name(title: &str, used: &mut HashSet<String>) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect::<String>()
        .trim_matches('\'')
        .trim()
        .to_string();
    let base: String = if clean.is_empty() {
        "Sheet".to_string()
    } else {
        clean.chars().take(31).collect()
    };
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) {
        let suffix = format!(" ({n})");
        name = format!(
            "{}{suffix}",
            base.chars().take(31 - suffix.len()).collect::<String>()
        );
        n += 1;
    }
    used.insert(name.to_lowercase());
    name
}

struct Formats {
    title: Format,
    heading: Format,
    header: Format,
    label: Format,
    wrap: Format,
    date: Format,
}

fn number_format(f: &NumberFormat) -> Format {
    Format::new().set_num_format(f.excel())
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    fm: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(row, col, s)?;
        }
        Cell::Number(v, f) if v.is_finite() => {
            ws.write_number_with_format(row, col, *v, &number_format(f))?;
        }
        Cell::Number(..) => {}
        Cell::Date(d) => match excel_date(*d) {
            Some(dt) => {
                ws.write_datetime_with_format(row, col, &dt, &fm.date)?;
            }
            None => {
                ws.write_string(row, col, d.to_string())?;
            }
        },
    }
    Ok(())
}

fn write_table(
    ws: &mut Worksheet,
    row: &mut u32,
    t: &Table,
    fm: &Formats,
    widths: &mut Vec<usize>,
) -> Result<(), XlsxError> {
    if let Some(title) = &t.title {
        ws.write_string_with_format(*row, 0, title, &fm.heading)?;
        *row += 1;
    }
    for (i, h) in t.columns.iter().enumerate() {
        ws.write_string_with_format(*row, i as u16, h, &fm.header)?;
        bump(widths, i, h.chars().count());
    }
    *row += 1;
    for r in &t.rows {
        for (i, c) in r.iter().enumerate() {
            write_cell(ws, *row, i as u16, c, fm)?;
            bump(widths, i, c.display().chars().count());
        }
        *row += 1;
    }
    *row += 1;
    Ok(())
}

fn bump(widths: &mut Vec<usize>, i: usize, w: usize) {
    if widths.len() <= i {
        widths.resize(i + 1, 8);
    }
    widths[i] = widths[i].max(w.min(60));
}

fn write_chart(
    ws: &mut Worksheet,
    sheet: &str,
    row: &mut u32,
    c: &Chart,
    fm: &Formats,
    widths: &mut Vec<usize>,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(*row, 0, &c.title, &fm.heading)?;
    *row += 1;
    let first = *row;
    ws.write_string_with_format(first, 0, "", &fm.header)?;
    for (si, s) in c.series.iter().enumerate() {
        ws.write_string_with_format(first, si as u16 + 1, &s.name, &fm.header)?;
        bump(widths, si + 1, s.name.chars().count());
    }
    let fmt = number_format(&c.format);
    for (i, cat) in c.categories.iter().enumerate() {
        let r = first + 1 + i as u32;
        ws.write_string(r, 0, cat)?;
        bump(widths, 0, cat.chars().count());
        for (si, s) in c.series.iter().enumerate() {
            if let Some(v) = s.values.get(i).filter(|v| v.is_finite()) {
                ws.write_number_with_format(r, si as u16 + 1, *v, &fmt)?;
                bump(widths, si + 1, c.format.format(*v).chars().count());
            }
        }
    }
    let last = first + c.categories.len().max(1) as u32;
    let mut chart = XChart::new(match c.kind {
        ChartKind::Line => ChartType::Line,
        ChartKind::Bar => ChartType::Column,
    });
    chart.title().set_name(&c.title);
    chart.y_axis().set_num_format(c.format.excel());
    for (si, _) in c.series.iter().enumerate() {
        let col = si as u16 + 1;
        chart
            .add_series()
            .set_name((sheet, first, col))
            .set_categories((sheet, first + 1, 0, last, 0))
            .set_values((sheet, first + 1, col, last, col));
    }
    chart.set_width(720).set_height(320);
    let chart_col = c.series.len() as u16 + 2;
    if !c.series.is_empty() && !c.categories.is_empty() {
        ws.insert_chart(first, chart_col, &chart)?;
    }
    // The chart covers ~16 rows; keep the next block below it.
    *row = (last + 2).max(first + 18);
    Ok(())
}

pub fn render(report: &Report) -> ApiResult<Vec<u8>> {
    render_inner(report).map_err(err)
}

fn render_inner(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let fm = Formats {
        title: Format::new()
            .set_bold()
            .set_font_size(18)
            .set_font_color(Color::RGB(0x1F3A5F)),
        heading: Format::new().set_bold().set_font_size(12),
        header: Format::new()
            .set_bold()
            .set_font_color(Color::White)
            .set_background_color(Color::RGB(0x1F3A5F))
            .set_align(FormatAlign::Center),
        label: Format::new().set_bold(),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        date: Format::new().set_num_format("yyyy-mm-dd"),
    };
    let mut wb = Workbook::new();
    let mut used = HashSet::new();
    {
        let name = sheet_name("Cover", &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, &report.title, &fm.title)?;
        let mut row = 1;
        if let Some(sub) = &report.subtitle {
            ws.write_string(row, 0, sub)?;
            row += 1;
        }
        row += 1;
        for (label, value) in &report.meta {
            ws.write_string_with_format(row, 0, label, &fm.label)?;
            ws.write_string(row, 1, value)?;
            row += 1;
        }
        ws.set_column_width(0, 22)?;
        ws.set_column_width(1, 48)?;
    }
    for section in &report.sections {
        let name = sheet_name(&section.title, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, &section.title, &fm.title)?;
        let mut row: u32 = 2;
        let mut widths: Vec<usize> = vec![];
        for block in &section.blocks {
            match block {
                Block::Paragraph(p) => {
                    ws.merge_range(row, 0, row, 7, p, &fm.wrap)?;
                    let lines = (p.chars().count() / 90 + 1).min(40) as f64;
                    ws.set_row_height(row, 15.0 * lines)?;
                    row += 2;
                }
                Block::KeyFigures(figs) => {
                    for f in figs {
                        ws.write_string_with_format(row, 0, &f.label, &fm.label)?;
                        bump(&mut widths, 0, f.label.chars().count());
                        write_cell(ws, row, 1, &f.value, &fm)?;
                        bump(&mut widths, 1, f.value.display().chars().count());
                        row += 1;
                    }
                    row += 1;
                }
                Block::Table(t) => write_table(ws, &mut row, t, &fm, &mut widths)?,
                Block::Chart(c) => write_chart(ws, &name, &mut row, c, &fm, &mut widths)?,
            }
        }
        for (i, w) in widths.iter().enumerate() {
            ws.set_column_width(i as u16, (*w as f64 + 2.0).min(62.0))?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(sheet_name("Rent: 2028/2029", &mut used), "Rent- 2028-2029");
        let long = "A very long section title that goes on and on";
        let a = sheet_name(long, &mut used);
        let b = sheet_name(long, &mut used);
        assert_eq!(a.chars().count(), 31);
        assert!(b.ends_with(" (2)") && b.chars().count() <= 31);
    }
}
