//! Counting hits into (key, day, site) groups, fast and in little memory.
//!
//! Names are interned by the caller: each distinct key and site has a number, and a group is
//! counted under (key number, day, site number). Logs are written in time order, so the groups
//! being counted at any moment are the newest day's, in one hash table holding their figures,
//! kept small enough to stay in the processor's cache (which is most of the speed). When the
//! table fills, or a later day starts, its groups are *packed*: sorted and merged into the
//! day's packed groups (`packed`, about ten bytes a group), and the table emptied. So memory is
//! the packed groups and one small table, whatever the size of a day. A line for an earlier
//! day (Squid logs a long download when it ends, under the time it began) is counted in a
//! small table of that day's, packed the same way.

use crate::cells::{CellTable, LiveCell};
use crate::packed::{Hours, PackedDay, PackedGroup};
use crate::record::Figures;
use rustc_hash::FxHashMap;

/// A group's hours: below 24, all its hits were in that hour; with this bit set, the rest is
/// the index of its per-hour counts in the spread table.
const SPREAD: u32 = 1 << 31;

/// How many groups a table counts before they are packed: seven eighths of 8,192 slots of 32
/// bytes, a 256 KiB table. Larger tables count a little faster (fewer merges) and take more
/// memory; at this size a week's DNS log is counted at about the same speed as with a whole
/// day in the table.
const TABLE_GROUPS: usize = 7 * 1024;

/// The instant times of `day` are counted from (two days before its UTC midnight), so they
/// fit in u32 seconds whatever the day's UTC offset.
fn base_of(day: i32) -> i64 {
    (i64::from(day) - 2) * 86_400
}

/// The groups of one file being counted.
#[derive(Debug)]
pub(crate) struct Tally {
    live: LiveDay,
    live_day: Option<i32>,
    /// Tables of days before the live one, for hits that come late.
    earlier: FxHashMap<i32, LiveDay>,
    packed: FxHashMap<i32, PackedDay>,
    /// Hits waiting to be counted, in the order read (see [`Tally::flush`]).
    pending: Vec<Pending>,
    /// Groups packed so far.
    packed_groups: u64,
    /// Groups a table counts before they are packed ([`TABLE_GROUPS`]; small in tests).
    table_groups: usize,
}

impl Default for Tally {
    fn default() -> Self {
        Tally::with_table_groups(TABLE_GROUPS)
    }
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

/// Groups being counted, by key number (high half) and site number (low half). The figures
/// are in the table itself, so counting a hit touches one place in memory.
#[derive(Debug, Default)]
struct LiveDay {
    cells: CellTable,
    spread: Vec<[u32; 24]>,
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
    fn with_table_groups(table_groups: usize) -> Tally {
        Tally {
            live: LiveDay::default(),
            live_day: None,
            earlier: FxHashMap::default(),
            packed: FxHashMap::default(),
            pending: Vec::new(),
            packed_groups: 0,
            table_groups,
        }
    }

    /// Counts one hit on the group (key, day, site); `hour` is its local hour. The hit is
    /// queued and counted with the next few: [`flush`](Self::flush) to count it now.
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
        let full = match self.live_day {
            Some(live) if live == day => self.live.add(id, hour, at, bytes, self.table_groups),
            Some(live) if live > day => {
                let table = self.earlier.entry(day).or_default();
                if table.add(id, hour, at, bytes, self.table_groups) {
                    self.packed_groups += pack(&mut self.packed, day, table);
                }
                false
            }
            _ => {
                if let Some(previous) = self.live_day {
                    self.packed_groups += pack(&mut self.packed, previous, &mut self.live);
                }
                self.live_day = Some(day);
                self.live.add(id, hour, at, bytes, self.table_groups)
            }
        };
        if full && let Some(live) = self.live_day {
            self.packed_groups += pack(&mut self.packed, live, &mut self.live);
        }
    }

    /// How many groups have been counted: packs every table, so call it at the end of a file
    /// (or of a batch of lines), not for every line.
    pub(crate) fn groups(&mut self) -> u64 {
        self.settle();
        self.packed_groups
    }

    /// Counts the queued hits and packs every table.
    fn settle(&mut self) {
        self.flush();
        if let Some(live) = self.live_day {
            self.packed_groups += pack(&mut self.packed, live, &mut self.live);
        }
        for (&day, table) in &mut self.earlier {
            self.packed_groups += pack(&mut self.packed, day, table);
        }
        self.earlier.clear();
    }

    /// Every group, in no particular order.
    pub(crate) fn into_groups(mut self) -> Vec<Counted> {
        self.settle();
        let mut all = Vec::with_capacity(usize::try_from(self.packed_groups).unwrap_or(0));
        for (day, packed) in self.packed {
            let base = base_of(day);
            all.extend(packed.groups().map(|group| Counted {
                key: (group.id >> 32) as u32,
                day,
                site: group.id as u32,
                figures: Figures {
                    first: base + i64::from(group.first),
                    last: base + i64::from(group.last),
                    hits: group.hits,
                    bytes: group.bytes,
                    hits_by_hour: group.hours.counts(group.hits),
                },
            }));
        }
        all
    }
}

/// Merges the table's groups into the day's packed groups and empties it; how many groups
/// the day did not have.
fn pack(packed: &mut FxHashMap<i32, PackedDay>, day: i32, table: &mut LiveDay) -> u64 {
    if table.cells.len() == 0 {
        return 0;
    }
    table.cells.sort_by_id();
    let before = packed.remove(&day).unwrap_or_default();
    let table_ref = &*table;
    let after = before.merge(table_ref.cells.sorted().map(|(id, cell)| PackedGroup {
        id,
        first: cell.first,
        last: cell.last,
        hits: u64::from(cell.hits),
        bytes: cell.bytes,
        hours: table_ref.hours(cell),
    }));
    let new = after.len().saturating_sub(before.len());
    drop(before);
    packed.insert(day, after);
    table.cells.clear();
    table.spread.clear();
    new
}

impl LiveDay {
    /// Counts a hit; true if the table is full and should be packed: it holds `most` groups,
    /// or a quarter as many spread over more than one hour (96 bytes each).
    fn add(&mut self, id: u64, hour: u32, at: u32, bytes: u64, most: usize) -> bool {
        let (cell, _) = self.cells.entry(id, || LiveCell {
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
        // A group's hits past u32::MAX in one table (50,000 a second all day) are not counted.
        cell.hits = cell.hits.saturating_add(1);
        self.cells.len() >= most || self.spread.len() >= most / 4
    }

    /// A cell's hours: the one hour of all its hits, or its counts in the spread table.
    fn hours(&self, cell: &LiveCell) -> Hours {
        if cell.hours & SPREAD == 0 {
            return Hours::One((cell.hours % 24) as u8);
        }
        Hours::Many(
            self.spread
                .get((cell.hours & !SPREAD) as usize)
                .copied()
                .unwrap_or([0; 24]),
        )
    }
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

    /// The hits counted by a tally whose tables are packed every `table_groups` groups, with
    /// the count of groups asked for halfway (which packs every table) as well as at the end.
    fn counted(
        hits: &[(u32, u32, i32, u8, i64, u64)],
        table_groups: usize,
    ) -> BTreeMap<(u32, i32, u32), Figures> {
        let mut tally = Tally::with_table_groups(table_groups);
        for (index, &(key, site, day, hour, at, bytes)) in hits.iter().enumerate() {
            tally.add(key, site, day, hour, at, bytes).unwrap();
            if index == hits.len() / 2 {
                assert_eq!(tally.groups(), expected(&hits[..=index]).len() as u64);
            }
        }
        let groups = tally.groups();
        let all: BTreeMap<_, _> = tally
            .into_groups()
            .into_iter()
            .map(|c| ((c.key, c.day, c.site), c.figures))
            .collect();
        assert_eq!(all.len() as u64, groups);
        all
    }

    #[test]
    fn live_packed_and_late_groups_all_count_the_same_as_a_plain_map() {
        // Days 0 to 5 in order, then lines for days already packed: some for groups they
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
        // Tables packed at the usual size (a day at a time here), every few groups, and
        // after every hit.
        for table_groups in [TABLE_GROUPS, 40, 9, 1] {
            assert_eq!(
                counted(&hits, table_groups),
                expected(&hits),
                "{table_groups}"
            );
        }
    }

    #[test]
    fn a_group_seen_in_one_hour_keeps_its_count_in_that_hour() {
        let hits = [(1, 2, 10, 9, 10 * 86_400 + 9 * 3_600, 5); 3];
        let groups = counted(&hits, 1);
        let figures = &groups[&(1, 10, 2)];
        assert_eq!(figures.hits, 3);
        assert_eq!(figures.hits_by_hour[9], 3);
        assert_eq!(figures.bytes, 15);
    }
}
