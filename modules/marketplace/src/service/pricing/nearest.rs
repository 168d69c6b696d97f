//! "Providers nearby", nearest first and any price: the exact total and the
//! page from the offers' grid counts (`store::search::NEAR_CELLS_MIGRATION`),
//! reading offers only on the circle's edge and around the page.
//!
//! The cells that cover the search's box are taken at a level a few cells
//! wide, with their counts. Each cell is then placed against the circle by
//! the distances of its corners and centre:
//! - wholly outside: dropped;
//! - wholly inside: its count is added to the total unread;
//! - on the edge: split into its four children (their counts, one read per
//!   level for all such cells), or, when it holds few offers or is of the
//!   finest level, its offers are read (one read for all such cells) and
//!   measured exactly, as the full distance sort does.
//!
//! For the page, with `k` = offset + limit and `t` the least distance within
//! which `k` offers are known to lie (an offer read counts at its distance, a
//! cell inside at its farthest corner), an offer farther than `t` ranks after
//! the page. Inside cells that may hold an offer within `t` are split or read
//! in the same way, until none is left; the offers read within the radius are
//! then every offer within `t`, and the page is the first of them by distance,
//! then provider id. The work follows the circle's edge and the page, not the
//! offers inside the circle.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

use frontline_platform::ApiResult;
use rusqlite::Connection;

use crate::stats;
use crate::store::search::{self as search_store, CELLS_PER_DEGREE, TOP_LEVEL};

/// Kilometres per degree of a great circle (the mean radius `distance_km` uses).
const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;
/// Slack for floating-point rounding in a distance (a millimetre).
const ROUNDING_KM: f64 = 1e-6;
/// A cell to resolve with at most this many offers is read rather than split.
const READ_AT_MOST: i64 = 8;
/// Fine cells per row of the grid's latitude and longitude.
const FINE_ROWS: i64 = 180 * CELLS_PER_DEGREE as i64;
const FINE_COLUMNS: i64 = 360 * CELLS_PER_DEGREE as i64;

/// What nearest-first provider searches have read since the server started:
/// cell counts and offers (rows of the cell index), and their statements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NearbyWork {
    pub cells: u64,
    pub offers: u64,
    pub reads: u64,
}

impl std::ops::Sub for NearbyWork {
    type Output = NearbyWork;
    fn sub(self, o: NearbyWork) -> NearbyWork {
        NearbyWork {
            cells: self.cells - o.cells,
            offers: self.offers - o.offers,
            reads: self.reads - o.reads,
        }
    }
}

static CELLS_READ: AtomicU64 = AtomicU64::new(0);
static OFFERS_READ: AtomicU64 = AtomicU64::new(0);
static READS: AtomicU64 = AtomicU64::new(0);

/// The work of every nearest-first provider search so far (process-wide
/// sums, like a metric: the difference over one request is its work when
/// nothing else searches meanwhile).
pub fn nearby_work() -> NearbyWork {
    NearbyWork {
        cells: CELLS_READ.load(Ordering::Relaxed),
        offers: OFFERS_READ.load(Ordering::Relaxed),
        reads: READS.load(Ordering::Relaxed),
    }
}

/// A grid cell: level `level` (`2^level / 256` degrees wide), row `lat` and
/// column `lng` of that level's grid (from 90° south and 180° west).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct GridCell {
    level: u32,
    lat: i64,
    lng: i64,
}

/// The bits of `x` (under 2^31) spread to the even bits.
fn spread(x: i64) -> i64 {
    let mut x = x & 0x7fff_ffff;
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// The even bits of `x` gathered (the inverse of [`spread`]).
fn squeeze(x: i64) -> i64 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x >> 4)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x >> 8)) & 0x0000_ffff_0000_ffff;
    (x | (x >> 16)) & 0x0000_0000_ffff_ffff
}

impl GridCell {
    /// The cell of `level` with key `key`.
    fn of_key(level: u32, key: i64) -> GridCell {
        GridCell {
            level,
            lat: squeeze(key >> 1),
            lng: squeeze(key),
        }
    }

    fn size(&self) -> f64 {
        (1u64 << self.level) as f64 / CELLS_PER_DEGREE
    }

    /// Its key at its level (the migration's Z-order key of a fine cell `>> 2 level`).
    fn key(&self) -> i64 {
        (spread(self.lat) << 1) | spread(self.lng)
    }

    /// The first and last fine key inside it.
    fn fine_range(&self) -> (i64, i64) {
        let shift = 2 * self.level;
        let first = self.key() << shift;
        (first, first + (1i64 << shift) - 1)
    }

    /// Its four children's keys at the level below: one range.
    fn children(&self) -> (i64, i64) {
        let first = self.key() << 2;
        (first, first + 3)
    }

    /// (south, north, west, east) in degrees.
    fn rect(&self) -> (f64, f64, f64, f64) {
        let size = self.size();
        let south = self.lat as f64 * size - 90.0;
        let west = self.lng as f64 * size - 180.0;
        (
            south,
            (south + size).min(90.0),
            west,
            (west + size).min(180.0),
        )
    }
}

/// The fine row of a latitude and column of a longitude, as the migration's
/// view computes them (the same floating-point steps, so a place is never
/// outside the rows and columns of a box that holds it).
fn fine_row(lat: f64) -> i64 {
    (((lat + 90.0) * CELLS_PER_DEGREE) as i64).clamp(0, FINE_ROWS - 1)
}

fn fine_column(lng: f64) -> i64 {
    (((lng + 180.0) * CELLS_PER_DEGREE) as i64).clamp(0, FINE_COLUMNS - 1)
}

/// A longitude difference in (-180, 180].
fn wrap(d: f64) -> f64 {
    let d = d.rem_euclid(360.0);
    if d > 180.0 {
        d - 360.0
    } else {
        d
    }
}

/// Where a cell lies from the centre: every place in it is at least `lo` and
/// at most `hi` away; `inside` when `hi` is within the radius.
struct Bounds {
    lo: f64,
    hi: f64,
    inside: bool,
}

fn bounds((lat, lng, radius): (f64, f64, f64), cell: &GridCell) -> Bounds {
    let (south, north, west, east) = cell.rect();
    let (mid_lat, mid_lng) = ((south + north) / 2.0, (west + east) / 2.0);
    // A path along the meridian, then the parallel, bounds the way from the
    // cell's centre to any place in it (a parallel is shortest at the cell's
    // latitude nearest the equator).
    let widest = if south <= 0.0 && north >= 0.0 {
        1.0
    } else {
        south.abs().min(north.abs()).to_radians().cos()
    };
    let reach =
        KM_PER_DEGREE * ((north - south) / 2.0 + (east - west) / 2.0 * widest) + ROUNDING_KM;
    // Measured only where a sharper bound is not sure (a few cells at most).
    let centre = || stats::distance_km(lat, lng, mid_lat, mid_lng);
    let (dw, de) = (wrap(west - lng), wrap(east - lng));
    let lo = nearest_place((lat, lng), (south, north), (dw, de), (west, east))
        .unwrap_or_else(|| centre() - reach);
    if lo > radius {
        return Bounds {
            lo,
            hi: f64::INFINITY,
            inside: false,
        };
    }
    // Along a parallel the distance grows with the longitude difference (up
    // to 180°); along a meridian it falls to one least value and grows again:
    // the farthest place is a corner on the side of the larger longitude
    // difference, unless the cell spans the meridian opposite the centre.
    let farthest = if de >= dw && (de - dw - (east - west)).abs() < 1e-9 {
        let far = if dw.abs() >= de.abs() { west } else { east };
        Some(
            stats::distance_km(lat, lng, south, far).max(stats::distance_km(lat, lng, north, far))
                + ROUNDING_KM,
        )
    } else {
        None
    };
    Bounds {
        lo,
        hi: farthest.unwrap_or_else(|| centre() + reach),
        inside: farthest.is_some_and(|f| f <= radius),
    }
}

/// The least distance from (`lat`, `lng`) to a cell (less a millimetre for
/// rounding), where it is sure: the cell's longitude differences `dw..de`
/// from the centre do not span the meridian opposite it and are within 90°.
/// A place in the cell is no nearer than the place at its latitude on the
/// cell's side nearer in longitude (along a parallel the distance grows with
/// the longitude difference), and along that meridian the distance has one
/// least value, at the latitude `atan2(sin φ, cos φ cos Δλ)` (clamped to the
/// cell); when the centre's longitude is in the cell, that is its own latitude.
fn nearest_place(
    (lat, lng): (f64, f64),
    (south, north): (f64, f64),
    (dw, de): (f64, f64),
    (west, east): (f64, f64),
) -> Option<f64> {
    if de < dw || (de - dw - (east - west)).abs() >= 1e-9 || dw.abs() > 90.0 || de.abs() > 90.0 {
        return None;
    }
    let (near_lng, d_lng) = if dw <= 0.0 && de >= 0.0 {
        (lng, 0.0)
    } else if dw > 0.0 {
        (west, dw)
    } else {
        (east, de)
    };
    let phi = lat.to_radians();
    let nearest_lat = phi
        .sin()
        .atan2(phi.cos() * d_lng.to_radians().cos())
        .to_degrees()
        .clamp(south, north);
    Some(stats::distance_km(lat, lng, nearest_lat, near_lng) - ROUNDING_KM)
}

/// A cell with offers, not read.
struct Counted {
    cell: GridCell,
    n: i64,
    lo: f64,
    hi: f64,
}

/// An offer read within the radius: its id, provider and exact distance.
pub(super) struct Near {
    pub id: i64,
    pub provider_id: String,
    pub distance: f64,
}

/// The least distance within which `k` offers are known to lie (read ones at
/// their distance, cells inside at their farthest corner), or −∞ if fewer
/// are known.
fn page_reach(found: &[Near], inside: &[Counted], k: u64) -> f64 {
    let mut known: Vec<(f64, u64)> = found
        .iter()
        .map(|f| (f.distance, 1))
        .chain(inside.iter().map(|c| (c.hi, c.n as u64)))
        .collect();
    known.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut seen = 0;
    for (d, n) in known {
        seen += n;
        if seen >= k {
            return d;
        }
    }
    f64::NEG_INFINITY
}

/// The total of offers of `category` within `radius` km of (`lat`, `lng`),
/// and the page's offers (from `offset`, `limit` of them) nearest first, ties
/// by provider id. `lat_range` and `lng_ranges` are the search's box (two
/// longitude ranges when it crosses the 180° meridian).
pub(super) fn nearest_offers(
    conn: &Connection,
    category: &str,
    (lat, lng, radius): (f64, f64, f64),
    (min_lat, max_lat): (f64, f64),
    lng_ranges: &[(f64, f64)],
    (offset, limit): (u64, u64),
) -> ApiResult<(u64, Vec<Near>)> {
    let mut work = NearbyWork::default();
    let result = walk(
        conn,
        category,
        (lat, lng, radius),
        (min_lat, max_lat),
        lng_ranges,
        (offset, limit),
        &mut work,
    );
    CELLS_READ.fetch_add(work.cells, Ordering::Relaxed);
    OFFERS_READ.fetch_add(work.offers, Ordering::Relaxed);
    READS.fetch_add(work.reads, Ordering::Relaxed);
    result
}

fn walk(
    conn: &Connection,
    category: &str,
    (lat, lng, radius): (f64, f64, f64),
    (min_lat, max_lat): (f64, f64),
    lng_ranges: &[(f64, f64)],
    (offset, limit): (u64, u64),
    work: &mut NearbyWork,
) -> ApiResult<(u64, Vec<Near>)> {
    work.reads += 1;
    let Some(code) = search_store::search_code(conn, category)? else {
        return Ok((0, Vec::new()));
    };
    let circle = (lat, lng, radius);
    // The top level: about two cells across the box's height.
    let top = (0..=TOP_LEVEL)
        .find(|&l| (1u64 << l) as f64 / CELLS_PER_DEGREE >= (max_lat - min_lat) / 2.0)
        .unwrap_or(TOP_LEVEL);
    let mut cells = BTreeSet::new();
    for row in fine_row(min_lat) >> top..=fine_row(max_lat) >> top {
        for &(west, east) in lng_ranges {
            for column in fine_column(west) >> top..=fine_column(east) >> top {
                cells.insert(GridCell {
                    level: top,
                    lat: row,
                    lng: column,
                });
            }
        }
    }
    let keys: Vec<(i64, i64)> = cells.iter().map(|c| (c.key(), c.key())).collect();
    let mut pending = counted(conn, code, top, &keys, work)?;
    let mut inside: Vec<Counted> = Vec::new();
    let mut found: Vec<Near> = Vec::new();
    let k = offset + limit;
    loop {
        let mut resolve: Vec<(GridCell, i64)> = Vec::new();
        for (cell, n) in pending.drain(..) {
            let b = bounds(circle, &cell);
            if b.lo > radius {
                continue;
            }
            if b.inside {
                inside.push(Counted {
                    cell,
                    n,
                    lo: b.lo,
                    hi: b.hi,
                });
            } else {
                resolve.push((cell, n));
            }
        }
        // Once the edge is resolved the total is known; the page needs every
        // offer within its reach.
        let total = (found.len() as u64) + inside.iter().map(|c| c.n as u64).sum::<u64>();
        let t = if resolve.is_empty() {
            if offset >= total {
                f64::NEG_INFINITY
            } else {
                page_reach(&found, &inside, k.min(total))
            }
        } else {
            page_reach(&found, &inside, k)
        };
        let (near, far): (Vec<Counted>, Vec<Counted>) = inside.into_iter().partition(|c| c.lo <= t);
        inside = far;
        resolve.extend(near.into_iter().map(|c| (c.cell, c.n)));
        if resolve.is_empty() {
            break;
        }
        let mut ranges = Vec::new();
        let mut split: BTreeMap<u32, Vec<(i64, i64)>> = BTreeMap::new();
        for (cell, n) in resolve {
            if n <= READ_AT_MOST || cell.level == 0 {
                ranges.push(cell.fine_range());
            } else {
                split
                    .entry(cell.level - 1)
                    .or_default()
                    .push(cell.children());
            }
        }
        if !ranges.is_empty() {
            work.reads += 1;
            for o in search_store::offers_in_cells(conn, code, &ranges)? {
                work.offers += 1;
                let distance = stats::distance_km(lat, lng, o.lat, o.lng);
                if distance <= radius {
                    found.push(Near {
                        id: o.id,
                        provider_id: o.provider_id,
                        distance,
                    });
                }
            }
        }
        for (level, children) in split {
            pending.extend(counted(conn, code, level, &children, work)?);
        }
    }
    let total = (found.len() as u64) + inside.iter().map(|c| c.n as u64).sum::<u64>();
    if offset >= total {
        return Ok((total, Vec::new()));
    }
    found.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then_with(|| a.provider_id.cmp(&b.provider_id))
    });
    let page = found
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok((total, page))
}

/// The cells of `level` in `ranges` of keys (a parent's four children are
/// one range) with their counts; those without offers are left out.
fn counted(
    conn: &Connection,
    code: i64,
    level: u32,
    ranges: &[(i64, i64)],
    work: &mut NearbyWork,
) -> ApiResult<Vec<(GridCell, i64)>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    work.reads += 1;
    let counts = search_store::cell_counts(conn, code, level, ranges)?;
    work.cells += counts.len() as u64;
    Ok(counts
        .into_iter()
        .map(|(key, n)| (GridCell::of_key(level, key), n))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_nest_and_match_the_migrations_interleaving() {
        // The migration interleaves the row's bits above the column's.
        let c = GridCell {
            level: 0,
            lat: 0b101,
            lng: 0b011,
        };
        assert_eq!(c.key(), 0b100111);
        let parent = GridCell {
            level: 1,
            lat: 0b10,
            lng: 0b01,
        };
        assert_eq!(parent.key(), c.key() >> 2);
        let (a, b) = parent.children();
        assert!(a <= c.key() && c.key() <= b && b - a == 3);
        let (first, last) = parent.fine_range();
        assert_eq!((first, last), (a, b));
        let back = GridCell::of_key(0, c.key());
        assert_eq!((back.level, back.lat, back.lng), (0, 0b101, 0b011));
        let far = GridCell {
            level: 3,
            lat: 46_079 >> 3,
            lng: 92_159 >> 3,
        };
        assert!(GridCell::of_key(3, far.key()) == far);
    }

    #[test]
    fn a_cell_inside_has_every_place_within_the_radius() {
        let centre = (-1.2864, 36.8219, 50.0);
        let mut seed = 3u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for level in 0..=8 {
            for row in (fine_row(-1.8) >> level)..=(fine_row(-0.8) >> level) {
                for column in (fine_column(36.3) >> level)..=(fine_column(37.3) >> level) {
                    let cell = GridCell {
                        level,
                        lat: row,
                        lng: column,
                    };
                    let b = bounds(centre, &cell);
                    let (s, n, w, e) = cell.rect();
                    for _ in 0..20 {
                        let (a, o) = (s + (n - s) * next(), w + (e - w) * next());
                        let d = stats::distance_km(centre.0, centre.1, a, o);
                        assert!(b.lo <= d && d <= b.hi, "{level} {row} {column}: {d}");
                        if b.inside {
                            assert!(d <= centre.2);
                        }
                    }
                }
            }
        }
    }
}
