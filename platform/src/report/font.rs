//! The embedded DejaVu Sans fonts and their advance widths (for measuring
//! text when laying out tables, right-aligned numbers and chart labels).

use std::sync::OnceLock;

pub static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Advance widths of the Basic Multilingual Plane, in font units.
pub struct Metrics {
    units_per_em: f32,
    advances: Vec<u16>,
    fallback: u16,
}

impl Metrics {
    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let i = c as u32;
                let w = if i < 0x10000 {
                    self.advances[i as usize]
                } else {
                    0
                };
                u32::from(if w == 0 { self.fallback } else { w })
            })
            .sum();
        units as f32 / self.units_per_em * size
    }
}

pub fn metrics(bold: bool) -> &'static Metrics {
    static R: OnceLock<Metrics> = OnceLock::new();
    static B: OnceLock<Metrics> = OnceLock::new();
    if bold {
        B.get_or_init(|| parse(BOLD))
    } else {
        R.get_or_init(|| parse(REGULAR))
    }
}

fn u16_at(d: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(o)?, *d.get(o + 1)?]))
}

fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(o)?,
        *d.get(o + 1)?,
        *d.get(o + 2)?,
        *d.get(o + 3)?,
    ]))
}

fn table(d: &[u8], tag: &[u8; 4]) -> Option<usize> {
    let n = u16_at(d, 4)? as usize;
    (0..n).find_map(|i| {
        let rec = 12 + i * 16;
        (d.get(rec..rec + 4)? == tag)
            .then(|| u32_at(d, rec + 8).map(|o| o as usize))
            .flatten()
    })
}

/// Parses head, hhea, hmtx and the (3,1) format-4 cmap; falls back to an
/// average width when anything is missing, so measuring never fails.
fn parse(d: &[u8]) -> Metrics {
    parse_inner(d).unwrap_or(Metrics {
        units_per_em: 2048.0,
        advances: vec![0; 0x10000],
        fallback: 1200,
    })
}

fn parse_inner(d: &[u8]) -> Option<Metrics> {
    let head = table(d, b"head")?;
    let units_per_em = u16_at(d, head + 18)? as f32;
    let hhea = table(d, b"hhea")?;
    let n_metrics = u16_at(d, hhea + 34)? as usize;
    let hmtx = table(d, b"hmtx")?;
    let advance = |gid: usize| u16_at(d, hmtx + 4 * gid.min(n_metrics.saturating_sub(1)));
    let cmap = table(d, b"cmap")?;
    let n_sub = u16_at(d, cmap + 2)? as usize;
    let sub = (0..n_sub).find_map(|i| {
        let rec = cmap + 4 + i * 8;
        let (p, e) = (u16_at(d, rec)?, u16_at(d, rec + 2)?);
        let off = cmap + u32_at(d, rec + 4)? as usize;
        (p == 3 && e == 1 && u16_at(d, off)? == 4).then_some(off)
    })?;
    let seg_x2 = u16_at(d, sub + 6)? as usize;
    let ends = sub + 14;
    let starts = ends + seg_x2 + 2;
    let deltas = starts + seg_x2;
    let ranges = deltas + seg_x2;
    let mut advances = vec![0u16; 0x10000];
    for s in 0..seg_x2 / 2 {
        let end = u16_at(d, ends + 2 * s)? as u32;
        let start = u16_at(d, starts + 2 * s)? as u32;
        let delta = u16_at(d, deltas + 2 * s)?;
        let range = u16_at(d, ranges + 2 * s)? as usize;
        if start > end {
            continue;
        }
        for c in start..=end.min(0xFFFE) {
            let gid = if range == 0 {
                (c as u16).wrapping_add(delta)
            } else {
                let at = ranges + 2 * s + range + 2 * (c - start) as usize;
                let g = u16_at(d, at)?;
                if g == 0 {
                    0
                } else {
                    g.wrapping_add(delta)
                }
            };
            if gid != 0 {
                advances[c as usize] = advance(gid as usize)?;
            }
        }
    }
    let fallback = advances['0' as usize].max(1);
    Some(Metrics {
        units_per_em,
        advances,
        fallback,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn measures_dejavu() {
        let m = super::metrics(false);
        // DejaVu Sans digits are 1303/2048 em wide.
        let w = m.width("0", 2048.0);
        assert!((w - 1303.0).abs() < 1.0, "{w}");
        assert!(super::metrics(true).width("Revenue", 10.0) > m.width("Revenue", 10.0));
    }
}
