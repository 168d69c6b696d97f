//! PDF layout (pages of positioned text, lines, rectangles and polylines)
//! and painting with krilla. Coordinates are points from the top-left corner
//! of an A4 portrait page; text `y` is the baseline.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla::Document;

use super::font::{self, metrics};
use super::{Block, Cell, Chart, ChartKind, KeyFigure, NumberFormat, Report, Table};
use crate::error::{ApiError, ApiResult};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 50.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = PAGE_H - 60.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

type Rgb = (u8, u8, u8);
const INK: Rgb = (33, 37, 41);
const MUTED: Rgb = (108, 117, 125);
const ACCENT: Rgb = (31, 58, 95);
const RULE: Rgb = (206, 212, 218);
const SHADE: Rgb = (241, 243, 245);
const WHITE: Rgb = (255, 255, 255);
const PALETTE: [Rgb; 6] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
];

/// One drawing operation on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum PdfOp {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Polyline {
        points: Vec<(f32, f32)>,
        width: f32,
        color: Rgb,
    },
}

/// A laid-out page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PdfPage {
    pub ops: Vec<PdfOp>,
}

impl PdfPage {
    /// The text runs on this page, in drawing order.
    pub fn texts(&self) -> Vec<&str> {
        self.ops
            .iter()
            .filter_map(|op| match op {
                PdfOp::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Number of polylines (chart lines) on this page.
    pub fn polylines(&self) -> usize {
        self.ops
            .iter()
            .filter(|op| matches!(op, PdfOp::Polyline { .. }))
            .count()
    }
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PdfLayout {
    pub pages: Vec<PdfPage>,
}

impl PdfLayout {
    /// Index of the first page with a text run equal to `text`.
    pub fn page_of(&self, text: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.texts().contains(&text))
    }
    /// Whether a text run equal to `text` is drawn anywhere.
    pub fn contains_text(&self, text: &str) -> bool {
        self.page_of(text).is_some()
    }
}

fn width(text: &str, size: f32, bold: bool) -> f32 {
    metrics(bold).width(text, size)
}

/// `text` shortened with an ellipsis to fit `max` points.
fn fit(text: &str, max: f32, size: f32, bold: bool) -> String {
    if width(text, size, bold) <= max {
        return text.to_string();
    }
    let mut s: String = text.to_string();
    while !s.is_empty() && width(&format!("{s}…"), size, bold) > max {
        s.pop();
    }
    format!("{s}…")
}

/// Greedy word wrap.
fn wrap(text: &str, max: f32, size: f32, bold: bool) -> Vec<String> {
    let mut lines = vec![];
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, bold) <= max || line.is_empty() {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
        }
        lines.push(fit(&line, max, size, bold));
    }
    lines
}

struct Writer {
    pages: Vec<PdfPage>,
    cur: PdfPage,
    y: f32,
}

impl Writer {
    fn new_page(&mut self) {
        let page = std::mem::take(&mut self.cur);
        self.pages.push(page);
        self.y = TOP;
    }
    /// Starts a new page unless `h` points still fit.
    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: impl Into<String>) {
        let text = text.into();
        if !text.is_empty() {
            self.cur.ops.push(PdfOp::Text {
                x,
                y,
                size,
                bold,
                color,
                text,
            });
        }
    }
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.cur.ops.push(PdfOp::Rect { x, y, w, h, color });
    }
    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb) {
        self.cur.ops.push(PdfOp::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        });
    }
}

pub fn layout(report: &Report) -> PdfLayout {
    let mut w = Writer {
        pages: vec![],
        cur: PdfPage::default(),
        y: TOP,
    };
    title_page(&mut w, report);
    for section in &report.sections {
        w.new_page();
        heading(&mut w, &section.title);
        for block in &section.blocks {
            match block {
                Block::Paragraph(p) => paragraph(&mut w, p),
                Block::KeyFigures(k) => key_figures(&mut w, k),
                Block::Table(t) => table(&mut w, t),
                Block::Chart(c) => chart(&mut w, c),
            }
        }
    }
    let last = std::mem::take(&mut w.cur);
    w.pages.push(last);
    let total = w.pages.len();
    for (i, page) in w.pages.iter_mut().enumerate().skip(1) {
        let left = fit(&report.title, CONTENT_W * 0.7, 8.0, false);
        page.ops.push(PdfOp::Line {
            x1: MARGIN_X,
            y1: PAGE_H - 40.0,
            x2: PAGE_W - MARGIN_X,
            y2: PAGE_H - 40.0,
            width: 0.5,
            color: RULE,
        });
        page.ops.push(PdfOp::Text {
            x: MARGIN_X,
            y: PAGE_H - 28.0,
            size: 8.0,
            bold: false,
            color: MUTED,
            text: left,
        });
        let right = format!("Page {} of {}", i + 1, total);
        let rw = width(&right, 8.0, false);
        page.ops.push(PdfOp::Text {
            x: PAGE_W - MARGIN_X - rw,
            y: PAGE_H - 28.0,
            size: 8.0,
            bold: false,
            color: MUTED,
            text: right,
        });
    }
    PdfLayout { pages: w.pages }
}

fn title_page(w: &mut Writer, report: &Report) {
    w.rect(0.0, 0.0, PAGE_W, 12.0, ACCENT);
    let mut y = 260.0;
    for line in wrap(&report.title, CONTENT_W, 26.0, true) {
        w.text(MARGIN_X, y, 26.0, true, ACCENT, line);
        y += 34.0;
    }
    if let Some(sub) = &report.subtitle {
        y += 4.0;
        for line in wrap(sub, CONTENT_W, 15.0, false) {
            w.text(MARGIN_X, y, 15.0, false, INK, line);
            y += 21.0;
        }
    }
    y += 14.0;
    w.line(MARGIN_X, y, PAGE_W - MARGIN_X, y, 1.0, ACCENT);
    y += 26.0;
    let label_w = report
        .meta
        .iter()
        .map(|(l, _)| width(l, 11.0, true))
        .fold(0.0, f32::max)
        + 14.0;
    for (label, value) in &report.meta {
        w.text(MARGIN_X, y, 11.0, true, MUTED, label.clone());
        for line in wrap(value, CONTENT_W - label_w, 11.0, false) {
            w.text(MARGIN_X + label_w, y, 11.0, false, INK, line);
            y += 17.0;
        }
    }
    w.text(
        MARGIN_X,
        PAGE_H - 50.0,
        9.0,
        false,
        MUTED,
        "Generated by Frontline",
    );
}

fn heading(w: &mut Writer, title: &str) {
    w.ensure(90.0);
    if w.y > TOP {
        w.y += 10.0;
    }
    w.y += 18.0;
    w.text(
        MARGIN_X,
        w.y,
        16.0,
        true,
        ACCENT,
        fit(title, CONTENT_W, 16.0, true),
    );
    w.y += 7.0;
    w.line(MARGIN_X, w.y, PAGE_W - MARGIN_X, w.y, 0.8, ACCENT);
    w.y += 14.0;
}

fn subheading(w: &mut Writer, title: &str) {
    w.y += 12.0;
    w.text(
        MARGIN_X,
        w.y,
        11.0,
        true,
        INK,
        fit(title, CONTENT_W, 11.0, true),
    );
    w.y += 8.0;
}

fn paragraph(w: &mut Writer, text: &str) {
    for line in wrap(text, CONTENT_W, 10.0, false) {
        w.ensure(14.0);
        w.y += 12.0;
        w.text(MARGIN_X, w.y, 10.0, false, INK, line);
        w.y += 2.0;
    }
    w.y += 8.0;
}

fn key_figures(w: &mut Writer, figures: &[KeyFigure]) {
    const COLS: usize = 3;
    const GAP: f32 = 10.0;
    const H: f32 = 52.0;
    let box_w = (CONTENT_W - GAP * (COLS as f32 - 1.0)) / COLS as f32;
    for row in figures.chunks(COLS) {
        w.ensure(H + GAP);
        for (i, fig) in row.iter().enumerate() {
            let x = MARGIN_X + i as f32 * (box_w + GAP);
            w.rect(x, w.y, box_w, H, SHADE);
            w.rect(x, w.y, 3.0, H, ACCENT);
            w.text(
                x + 10.0,
                w.y + 17.0,
                8.5,
                false,
                MUTED,
                fit(&fig.label, box_w - 16.0, 8.5, false),
            );
            let value = fig.value.display();
            w.text(
                x + 10.0,
                w.y + 39.0,
                15.0,
                true,
                INK,
                fit(&value, box_w - 16.0, 15.0, true),
            );
        }
        w.y += H + GAP;
    }
    w.y += 6.0;
}

const CELL_SIZE: f32 = 8.5;
const ROW_H: f32 = 15.0;
const PAD: f32 = 4.0;

fn table(w: &mut Writer, t: &Table) {
    let ncols = t
        .columns
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    if ncols == 0 {
        return;
    }
    let mut natural = vec![24.0f32; ncols];
    for (i, h) in t.columns.iter().enumerate() {
        natural[i] = natural[i].max(width(h, CELL_SIZE, true) + 2.0 * PAD);
    }
    for row in &t.rows {
        for (i, c) in row.iter().enumerate() {
            natural[i] = natural[i].max(width(&c.display(), CELL_SIZE, false) + 2.0 * PAD);
        }
    }
    // Text columns give way first when the table is too wide.
    let total: f32 = natural.iter().sum();
    let widths: Vec<f32> = natural.iter().map(|n| n * CONTENT_W / total).collect();
    let numeric: Vec<bool> = (0..ncols)
        .map(|i| {
            t.rows
                .iter()
                .any(|r| r.get(i).is_some_and(Cell::is_numeric))
        })
        .collect();

    if let Some(title) = &t.title {
        w.ensure(20.0 + 3.0 * ROW_H);
        subheading(w, title);
    } else {
        w.ensure(3.0 * ROW_H);
    }
    let header = |w: &mut Writer| {
        w.rect(MARGIN_X, w.y, CONTENT_W, ROW_H, ACCENT);
        let mut x = MARGIN_X;
        for (i, cw) in widths.iter().enumerate() {
            let h = t.columns.get(i).map(String::as_str).unwrap_or("");
            let text = fit(h, cw - 2.0 * PAD, CELL_SIZE, true);
            let tx = if numeric[i] {
                x + cw - PAD - width(&text, CELL_SIZE, true)
            } else {
                x + PAD
            };
            w.text(tx, w.y + 10.5, CELL_SIZE, true, WHITE, text);
            x += cw;
        }
        w.y += ROW_H;
    };
    header(w);
    for (r, row) in t.rows.iter().enumerate() {
        if w.y + ROW_H > BOTTOM {
            w.new_page();
            if let Some(title) = &t.title {
                subheading(w, &format!("{title} (continued)"));
            }
            header(w);
        }
        if r % 2 == 1 {
            w.rect(MARGIN_X, w.y, CONTENT_W, ROW_H, SHADE);
        }
        let mut x = MARGIN_X;
        for (i, cw) in widths.iter().enumerate() {
            if let Some(cell) = row.get(i) {
                let text = fit(&cell.display(), cw - 2.0 * PAD, CELL_SIZE, false);
                let tx = if cell.is_numeric() {
                    x + cw - PAD - width(&text, CELL_SIZE, false)
                } else {
                    x + PAD
                };
                w.text(tx, w.y + 10.5, CELL_SIZE, false, INK, text);
            }
            x += cw;
        }
        w.y += ROW_H;
    }
    w.line(MARGIN_X, w.y, PAGE_W - MARGIN_X, w.y, 0.5, RULE);
    w.y += 12.0;
}

/// Round tick step (1, 2, 2.5, 5 × 10^n) giving about `target` intervals.
fn nice_step(range: f64, target: f64) -> f64 {
    if range <= 0.0 || !range.is_finite() {
        return 1.0;
    }
    let raw = range / target;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Short axis label: 16,800,000 → 16.8M.
fn axis_label(v: f64, format: &NumberFormat) -> String {
    if let NumberFormat::Percent(_) = format {
        let p = v * 100.0;
        return if (p - p.round()).abs() < 1e-9 {
            format!("{p:.0}%")
        } else {
            format!("{p:.1}%")
        };
    }
    let a = v.abs();
    let (div, suffix) = if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "K")
    } else {
        (1.0, "")
    };
    let x = v / div;
    let s = if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    format!("{s}{suffix}")
}

fn chart(w: &mut Writer, c: &Chart) {
    const PLOT_H: f32 = 160.0;
    let n = c.categories.len();
    let total_h = 22.0 + PLOT_H + 40.0 + 16.0 * c.series.len().div_ceil(4) as f32;
    w.ensure(total_h);
    w.y += 14.0;
    w.text(
        MARGIN_X,
        w.y,
        11.0,
        true,
        INK,
        fit(&c.title, CONTENT_W, 11.0, true),
    );
    w.y += 10.0;
    let values = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = values.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi == lo {
        hi = lo + 1.0;
    }
    let step = nice_step(hi - lo, 5.0);
    lo = (lo / step).floor() * step;
    hi = (hi / step).ceil() * step;
    let ticks: Vec<f64> = {
        let mut t = vec![];
        let mut v = lo;
        while v <= hi + step * 1e-6 && t.len() < 20 {
            t.push(v);
            v += step;
        }
        t
    };
    let label_w = ticks
        .iter()
        .map(|t| width(&axis_label(*t, &c.format), 7.5, false))
        .fold(0.0, f32::max);
    let left = MARGIN_X + label_w + 6.0;
    let right = PAGE_W - MARGIN_X;
    let top = w.y + 4.0;
    let bottom = top + PLOT_H;
    let plot_w = right - left;
    let y_of = |v: f64| bottom - ((v - lo) / (hi - lo)) as f32 * PLOT_H;
    for t in &ticks {
        let y = y_of(*t);
        w.line(left, y, right, y, 0.4, RULE);
        let label = axis_label(*t, &c.format);
        let lw = width(&label, 7.5, false);
        w.text(left - 4.0 - lw, y + 2.5, 7.5, false, MUTED, label);
    }
    // Axes.
    w.line(left, top, left, bottom, 0.8, INK);
    let zero = y_of(0.0);
    w.line(left, zero, right, zero, 0.8, INK);
    // Category labels, thinned out so they do not overlap.
    let slot = if n > 0 { plot_w / n as f32 } else { plot_w };
    let widest = c
        .categories
        .iter()
        .map(|s| width(s, 7.5, false))
        .fold(0.0, f32::max)
        + 4.0;
    let every = ((widest / slot).ceil() as usize).max(1);
    let x_center = |i: usize| left + slot * (i as f32 + 0.5);
    for (i, cat) in c.categories.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let x = x_center(i);
        w.line(x, bottom, x, bottom + 3.0, 0.6, INK);
        let cw = width(cat, 7.5, false);
        w.text(x - cw / 2.0, bottom + 12.0, 7.5, false, MUTED, cat.clone());
    }
    let ns = c.series.len().max(1);
    for (si, s) in c.series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        match c.kind {
            ChartKind::Line => {
                let points: Vec<(f32, f32)> = s
                    .values
                    .iter()
                    .take(n)
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, v)| (x_center(i), y_of(*v)))
                    .collect();
                if points.len() == 1 {
                    let (x, y) = points[0];
                    w.rect(x - 2.0, y - 2.0, 4.0, 4.0, color);
                }
                if points.len() > 1 {
                    w.cur.ops.push(PdfOp::Polyline {
                        points,
                        width: 1.6,
                        color,
                    });
                }
            }
            ChartKind::Bar => {
                let group = slot * 0.8;
                let bw = group / ns as f32;
                for (i, v) in s.values.iter().take(n).enumerate() {
                    if !v.is_finite() {
                        continue;
                    }
                    let x = left + slot * i as f32 + slot * 0.1 + bw * si as f32;
                    let (y0, y1) = (y_of(*v), zero);
                    let (top_y, h) = if y0 < y1 {
                        (y0, y1 - y0)
                    } else {
                        (y1, y0 - y1)
                    };
                    w.rect(x, top_y, bw.max(0.5), h, color);
                }
            }
        }
    }
    w.y = bottom + 24.0;
    // Legend.
    let mut x = MARGIN_X;
    for (si, s) in c.series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        let name = fit(&s.name, CONTENT_W / 4.0 - 20.0, 8.0, false);
        let item_w = 14.0 + width(&name, 8.0, false) + 16.0;
        if x + item_w > PAGE_W - MARGIN_X {
            x = MARGIN_X;
            w.y += 14.0;
        }
        w.rect(x, w.y - 6.5, 9.0, 7.0, color);
        w.text(x + 13.0, w.y, 8.0, false, INK, name);
        x += item_w;
    }
    w.y += 16.0;
}

fn color(c: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn paint(surface: &mut Surface, op: &PdfOp, regular: &Font, bold: &Font) {
    match op {
        PdfOp::Text {
            x,
            y,
            size,
            bold: b,
            color: c,
            text,
        } => {
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: color(*c),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            let font = if *b { bold.clone() } else { regular.clone() };
            surface.draw_text(
                Point::from_xy(*x, *y),
                font,
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        PdfOp::Rect {
            x,
            y,
            w,
            h,
            color: c,
        } => {
            if let Some(rect) = Rect::from_xywh(*x, *y, w.max(0.01), h.max(0.01)) {
                let mut pb = PathBuilder::new();
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: color(*c),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    surface.draw_path(&path);
                }
            }
        }
        PdfOp::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color: c,
        } => {
            stroke(surface, &[(*x1, *y1), (*x2, *y2)], *width, *c);
        }
        PdfOp::Polyline {
            points,
            width,
            color: c,
        } => stroke(surface, points, *width, *c),
    }
}

fn stroke(surface: &mut Surface, points: &[(f32, f32)], width: f32, c: Rgb) {
    let mut pb = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            pb.move_to(*x, *y);
        } else {
            pb.line_to(*x, *y);
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: color(c),
            width,
            line_join: krilla::paint::LineJoin::Round,
            ..Default::default()
        }));
        surface.draw_path(&path);
    }
}

pub fn render(report: &Report) -> ApiResult<Vec<u8>> {
    let layout = layout(report);
    let regular = Font::new(font::REGULAR.into(), 0)
        .ok_or_else(|| ApiError::internal("the PDF font could not be loaded"))?;
    let bold = Font::new(font::BOLD.into(), 0)
        .ok_or_else(|| ApiError::internal("the PDF font could not be loaded"))?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(report.title.clone())
            .creator("Frontline".to_string())
            .producer("Frontline (krilla)".to_string()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| ApiError::internal("bad page size"))?;
    for page in &layout.pages {
        let mut p = document.start_page_with(settings.clone());
        let mut surface = p.surface();
        for op in &page.ops {
            paint(&mut surface, op, &regular, &bold);
        }
        surface.finish();
        p.finish();
    }
    document
        .finish()
        .map_err(|e| ApiError::internal(format!("the PDF could not be written: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(nice_step(16_800_000.0, 5.0), 5_000_000.0);
        assert_eq!(nice_step(0.3, 5.0), 0.1);
        assert_eq!(axis_label(16_800_000.0, &NumberFormat::Integer), "16.8M");
        assert_eq!(axis_label(0.2, &NumberFormat::Percent(1)), "20%");
    }

    #[test]
    fn wraps_long_text() {
        let lines = wrap(&"word ".repeat(200), 200.0, 10.0, false);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 200.0));
    }
}
