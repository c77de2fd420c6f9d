//! Counting hits into (key, day, site) groups, fast and in little memory.
//!
//! Names are interned by the caller: each distinct key and site has a number, and a group is
//! counted under (key number, day, site number). Logs are written in time order, so the groups
//! being counted at any moment are the newest day's, in one hash table holding their figures
//! (small enough to stay in the processor's cache, which is most of the speed). When a later
//! day starts, the day before is *sealed*: its groups sorted and packed into 28 bytes each, the
//! hours of a group seen in more than one hour kept in a shared arena, and the table reused.
//! A line for a sealed day (Squid logs a long download when it ends, under the time it began)
//! still counts: its group is found by binary search, or started in a small table beside the
//! day.

use crate::cells::{CellTable, LiveCell};
use crate::record::Figures;
use rustc_hash::FxHashMap;

/// A group's hours: below 24, all its hits were in that hour; with this bit set, the rest is
/// where its per-hour counts are (the spread table while live, the arena once sealed).
const SPREAD: u32 = 1 << 31;

/// The instant times of `day` are counted from (two days before its UTC midnight), so they
/// fit in u32 seconds whatever the day's UTC offset.
fn base_of(day: i32) -> i64 {
    (i64::from(day) - 2) * 86_400
}

/// The groups of one file being counted.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    live: LiveDay,
    live_day: Option<i32>,
    sealed: FxHashMap<i32, SealedDay>,
    /// Days whose figures would not pack (more than 2^31 arena words): kept as they were.
    unpacked: FxHashMap<i32, LiveDay>,
    /// Hits waiting to be counted, in the order read (see [`Tally::flush`]).
    pending: Vec<Pending>,
    /// Groups counted so far (after [`Tally::flush`]).
    pub(crate) groups: u64,
}

/// How many hits are counted together.
const BATCH: usize = 32;

#[derive(Debug, Clone, Copy)]
struct Pending {
    id: u64,
    day: i32,
    hour: u32,
    at: u32,
    bytes: u64,
}

/// A live day's groups, by key number (high half) and site number (low half). The figures
/// are in the table itself, so counting a hit touches one place in memory.
#[derive(Debug, Default)]
struct LiveDay {
    cells: CellTable,
    spread: Vec<[u32; 24]>,
}

/// One group's figures once its day is sealed, in 24 bytes: `span` packs the first time (18
/// bits, seconds from the day's base), the last time's distance from it (17 bits) and the
/// hits (29 bits). A day with a group beyond those limits is not sealed.
#[derive(Debug, Clone, Copy)]
struct SealedCell {
    span: u64,
    bytes: u64,
    site: u32,
    hours: u32,
}

impl SealedCell {
    fn pack(site: u32, hours: u32, cell: &LiveCell) -> Option<SealedCell> {
        let first = u64::from(cell.first);
        let length = u64::from(cell.last.checked_sub(cell.first)?);
        let hits = u64::from(cell.hits);
        if first >= 1 << 18 || length >= 1 << 17 || hits >= 1 << 29 {
            return None;
        }
        Some(SealedCell {
            span: first | length << 18 | hits << 35,
            bytes: cell.bytes,
            site,
            hours,
        })
    }

    fn first(&self) -> u32 {
        (self.span & ((1 << 18) - 1)) as u32
    }

    fn last(&self) -> u32 {
        self.first() + ((self.span >> 18) & ((1 << 17) - 1)) as u32
    }

    fn hits(&self) -> u32 {
        (self.span >> 35) as u32
    }
}

#[derive(Debug, Default)]
struct SealedDay {
    /// (key number, index of its first cell), by key number.
    runs: Vec<(u32, u32)>,
    /// By key number, then site number.
    cells: Vec<SealedCell>,
    /// Per-hour counts of groups seen in more than one hour: a mask of the hours, then the
    /// count of each hour in the mask, in order.
    arena: Vec<u32>,
    /// Hits counted after the day was sealed, merged with the sealed figures when unpacked.
    late: Option<Box<LiveDay>>,
}

/// One group, unpacked.
pub(crate) struct Counted {
    pub key: u32,
    pub day: i32,
    pub site: u32,
    pub figures: Figures,
}

/// A hit whose time is too far from its day to count (never, for times from the clock).
#[derive(Debug)]
pub(crate) struct OutOfRange;

impl Tally {
    /// Counts one hit on the group (key, day, site); `hour` is its local hour. The hit is
    /// queued and counted with the next few: [`flush`](Self::flush) before reading `groups`.
    pub(crate) fn add(
        &mut self,
        key: u32,
        site: u32,
        day: i32,
        hour: u8,
        at: i64,
        bytes: u64,
    ) -> Result<(), OutOfRange> {
        self.pending.push(Pending {
            id: (u64::from(key) << 32) | u64::from(site),
            day,
            hour: u32::from(hour).min(23),
            at: u32::try_from(at - base_of(day)).map_err(|_| OutOfRange)?,
            bytes,
        });
        if self.pending.len() >= BATCH {
            self.flush();
        }
        Ok(())
    }

    /// Counts the queued hits: first reading the live table's slots for all of them, so the
    /// processor fetches them from memory side by side, then counting each in turn.
    pub(crate) fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        if let Some(live_day) = self.live_day {
            for hit in pending.iter().filter(|hit| hit.day == live_day) {
                self.live.cells.touch(hit.id);
            }
        }
        for hit in &pending {
            self.count(hit);
        }
        pending.clear();
        self.pending = pending;
    }

    fn count(&mut self, hit: &Pending) {
        let Pending {
            id,
            day,
            hour,
            at,
            bytes,
        } = *hit;
        let new = match self.live_day {
            Some(live) if live == day => self.live.add(id, hour, at, bytes),
            Some(live) if live > day => {
                if let Some(sealed) = self.sealed.get_mut(&day) {
                    sealed.add(id, hour, at, bytes)
                } else if let Some(unpacked) = self.unpacked.get_mut(&day) {
                    unpacked.add(id, hour, at, bytes)
                } else {
                    // A day first seen after later ones: it starts sealed and empty.
                    self.sealed.entry(day).or_default().add(id, hour, at, bytes)
                }
            }
            _ => {
                if let Some(previous) = self.live_day {
                    self.seal_live(previous);
                }
                self.live_day = Some(day);
                self.live.add(id, hour, at, bytes)
            }
        };
        self.groups += u64::from(new);
    }

    /// Packs the live day away and empties the table for the next.
    fn seal_live(&mut self, day: i32) {
        match SealedDay::seal(&mut self.live) {
            Some(sealed) => {
                self.sealed.insert(day, sealed);
                self.live.cells.clear();
                self.live.spread.clear();
            }
            None => {
                self.live.cells.rehash();
                self.unpacked.insert(day, std::mem::take(&mut self.live));
            }
        }
    }

    /// Every group, in no particular order.
    pub(crate) fn into_groups(mut self) -> Vec<Counted> {
        self.flush();
        let mut all = Vec::with_capacity(usize::try_from(self.groups).unwrap_or(0));
        if let Some(day) = self.live_day {
            self.live.unpack(day, &mut all);
        }
        for (day, sealed) in self.sealed {
            sealed.unpack(day, &mut all);
        }
        for (day, unpacked) in self.unpacked {
            unpacked.unpack(day, &mut all);
        }
        all
    }
}

impl LiveDay {
    /// Counts a hit; true if it started a group.
    fn add(&mut self, id: u64, hour: u32, at: u32, bytes: u64) -> bool {
        let (cell, new) = self.cells.entry(id, || LiveCell {
            first: at,
            last: at,
            hits: 0,
            hours: hour,
            bytes: 0,
        });
        cell.first = cell.first.min(at);
        cell.last = cell.last.max(at);
        cell.bytes = cell.bytes.saturating_add(bytes);
        if cell.hours & SPREAD != 0 {
            if let Some(counts) = self.spread.get_mut((cell.hours & !SPREAD) as usize) {
                counts[hour as usize] = counts[hour as usize].saturating_add(1);
            }
        } else if cell.hours != hour
            && let Ok(spread_index) = u32::try_from(self.spread.len())
            && spread_index & SPREAD == 0
        {
            let mut counts = [0; 24];
            counts[cell.hours as usize % 24] = cell.hits;
            counts[hour as usize] = 1;
            self.spread.push(counts);
            cell.hours = SPREAD | spread_index;
        }
        // A group's hits past u32::MAX in one day (50,000 a second all day) are not counted.
        cell.hits = cell.hits.saturating_add(1);
        new
    }

    fn hours_of(&self, cell: &LiveCell) -> [u32; 24] {
        if cell.hours & SPREAD != 0 {
            self.spread
                .get((cell.hours & !SPREAD) as usize)
                .copied()
                .unwrap_or([0; 24])
        } else {
            let mut counts = [0; 24];
            counts[cell.hours as usize % 24] = cell.hits;
            counts
        }
    }

    fn unpack(&self, day: i32, into: &mut Vec<Counted>) {
        let base = base_of(day);
        into.extend(self.cells.iter().map(|(id, cell)| Counted {
            key: (id >> 32) as u32,
            day,
            site: id as u32,
            figures: Figures {
                first: base + i64::from(cell.first),
                last: base + i64::from(cell.last),
                hits: u64::from(cell.hits),
                bytes: cell.bytes,
                hits_by_hour: self.hours_of(cell),
            },
        }));
    }
}

impl SealedDay {
    /// Packs a live day (sorting its table in place), or None if a group's figures or hours
    /// would not fit.
    fn seal(live: &mut LiveDay) -> Option<SealedDay> {
        live.cells.sort_by_id();
        let live = &*live;
        let mut sealed = SealedDay {
            runs: Vec::new(),
            cells: Vec::with_capacity(live.cells.sorted().count()),
            arena: Vec::new(),
            late: None,
        };
        for (id, cell) in live.cells.sorted() {
            let key = (id >> 32) as u32;
            if sealed.runs.last().is_none_or(|&(last, _)| last != key) {
                sealed
                    .runs
                    .push((key, u32::try_from(sealed.cells.len()).ok()?));
            }
            let hours = if cell.hours & SPREAD != 0 {
                SPREAD | pack_hours(&mut sealed.arena, &live.hours_of(cell))?
            } else {
                cell.hours
            };
            sealed.cells.push(SealedCell::pack(id as u32, hours, cell)?);
        }
        sealed.runs.shrink_to_fit();
        sealed.arena.shrink_to_fit();
        Some(sealed)
    }

    /// Counts a hit that came after the day was sealed; true if it started a group.
    fn add(&mut self, id: u64, hour: u32, at: u32, bytes: u64) -> bool {
        let started_late = self.late.get_or_insert_default().add(id, hour, at, bytes);
        started_late && self.find((id >> 32) as u32, id as u32).is_none()
    }

    fn find(&self, key: u32, site: u32) -> Option<usize> {
        let run = self.runs.binary_search_by_key(&key, |&(k, _)| k).ok()?;
        let start = self.runs.get(run)?.1 as usize;
        let end = self
            .runs
            .get(run + 1)
            .map_or(self.cells.len(), |&(_, next)| next as usize);
        let cells = self.cells.get(start..end)?;
        cells
            .binary_search_by_key(&site, |cell| cell.site)
            .ok()
            .map(|found| start + found)
    }

    fn hours_of(&self, cell: &SealedCell) -> [u32; 24] {
        let mut counts = [0; 24];
        if cell.hours & SPREAD == 0 {
            counts[cell.hours as usize % 24] = cell.hits();
            return counts;
        }
        let offset = (cell.hours & !SPREAD) as usize;
        let mask = self.arena.get(offset).copied().unwrap_or(0);
        let mut next = offset + 1;
        for (hour, count) in counts.iter_mut().enumerate() {
            if mask & (1 << hour) != 0 {
                *count = self.arena.get(next).copied().unwrap_or(0);
                next += 1;
            }
        }
        counts
    }

    fn unpack(mut self, day: i32, into: &mut Vec<Counted>) {
        let base = base_of(day);
        let mut late = self.late.take().map(|late| *late).unwrap_or_default();
        for (run, &(key, start)) in self.runs.iter().enumerate() {
            let end = self
                .runs
                .get(run + 1)
                .map_or(self.cells.len(), |&(_, next)| next as usize);
            for cell in self.cells.get(start as usize..end).unwrap_or(&[]) {
                let mut figures = Figures {
                    first: base + i64::from(cell.first()),
                    last: base + i64::from(cell.last()),
                    hits: u64::from(cell.hits()),
                    bytes: cell.bytes,
                    hits_by_hour: self.hours_of(cell),
                };
                let id = (u64::from(key) << 32) | u64::from(cell.site);
                if let Some(extra) = late.cells.take(id) {
                    figures.first = figures.first.min(base + i64::from(extra.first));
                    figures.last = figures.last.max(base + i64::from(extra.last));
                    figures.hits += u64::from(extra.hits);
                    figures.bytes = figures.bytes.saturating_add(extra.bytes);
                    for (count, more) in figures.hits_by_hour.iter_mut().zip(late.hours_of(&extra))
                    {
                        *count = count.saturating_add(more);
                    }
                }
                into.push(Counted {
                    key,
                    day,
                    site: cell.site,
                    figures,
                });
            }
        }
        late.unpack(day, into);
    }
}

/// Appends a mask and the non-zero counts to the arena; the offset of the mask.
fn pack_hours(arena: &mut Vec<u32>, counts: &[u32; 24]) -> Option<u32> {
    let offset = u32::try_from(arena.len())
        .ok()
        .filter(|o| o & SPREAD == 0)?;
    let mask = counts
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .fold(0u32, |mask, (hour, _)| mask | 1 << hour);
    arena.push(mask);
    arena.extend(counts.iter().copied().filter(|&count| count > 0));
    Some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The same hits counted the obvious way.
    fn expected(hits: &[(u32, u32, i32, u8, i64, u64)]) -> BTreeMap<(u32, i32, u32), Figures> {
        let mut groups = BTreeMap::new();
        for &(key, site, day, hour, at, bytes) in hits {
            let figures = groups.entry((key, day, site)).or_insert(Figures {
                first: at,
                last: at,
                hits: 0,
                bytes: 0,
                hits_by_hour: [0; 24],
            });
            figures.first = figures.first.min(at);
            figures.last = figures.last.max(at);
            figures.hits += 1;
            figures.bytes += bytes;
            figures.hits_by_hour[usize::from(hour)] += 1;
        }
        groups
    }

    fn counted(hits: &[(u32, u32, i32, u8, i64, u64)]) -> BTreeMap<(u32, i32, u32), Figures> {
        let mut tally = Tally::default();
        for &(key, site, day, hour, at, bytes) in hits {
            tally.add(key, site, day, hour, at, bytes).unwrap();
        }
        tally.flush();
        let groups = tally.groups;
        let all: BTreeMap<_, _> = tally
            .into_groups()
            .into_iter()
            .map(|c| ((c.key, c.day, c.site), c.figures))
            .collect();
        assert_eq!(all.len() as u64, groups);
        all
    }

    #[test]
    fn sealed_live_and_late_groups_all_count_the_same_as_a_plain_map() {
        // Days 0 to 5 in order, then lines for days already sealed: some for groups they
        // have (in a new hour, and in the same hour), some for new groups.
        let mut hits = Vec::new();
        let mut seed: u64 = 7;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as u32
        };
        for day in 0..6 {
            for n in 0..500 {
                let hour = (n * 24 / 500) as u8;
                let at = i64::from(day) * 86_400 + i64::from(hour) * 3_600 + i64::from(n % 60);
                hits.push((
                    next() % 7,
                    next() % 40,
                    day,
                    hour,
                    at,
                    u64::from(next() % 5000),
                ));
            }
        }
        for n in 0..300 {
            let day = n % 4;
            let hour = (n % 24) as u8;
            let at = i64::from(day) * 86_400 + i64::from(hour) * 3_600;
            hits.push((next() % 9, next() % 45, day, hour, at, 1 << 33));
        }
        // A day first seen after later ones, and a day long after.
        hits.push((1, 1, -3, 23, -3 * 86_400 + 23 * 3_600, 9));
        hits.push((1, 1, 400, 0, 400 * 86_400, 9));
        hits.push((1, 1, -3, 1, -3 * 86_400 + 3_600, 9));
        assert_eq!(counted(&hits), expected(&hits));
    }

    #[test]
    fn a_group_seen_in_one_hour_keeps_its_count_in_that_hour() {
        let hits = [(1, 2, 10, 9, 10 * 86_400 + 9 * 3_600, 5); 3];
        let groups = counted(&hits);
        let figures = &groups[&(1, 10, 2)];
        assert_eq!(figures.hits, 3);
        assert_eq!(figures.hits_by_hour[9], 3);
        assert_eq!(figures.bytes, 15);
    }
}
