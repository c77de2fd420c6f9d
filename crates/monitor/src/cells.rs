//! The table of a live day's groups: open addressing with linear probing, the figures stored
//! in the slots themselves, so counting a hit reads and writes one place in memory.
//!
//! A general hash map would do, but this one can be *touched*: the summariser looks up a batch
//! of hits' slots first (loads the processor can run side by side) and counts them after, when
//! the slots are in cache. With a day's groups in a table of several megabytes, waiting for
//! memory one hit at a time is most of the cost of counting.

/// One group's figures while its day is live; times in seconds from the day's base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LiveCell {
    pub first: u32,
    pub last: u32,
    pub hits: u32,
    pub hours: u32,
    pub bytes: u64,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    id: u64,
    cell: LiveCell,
}

/// No group has this id: it would need site number u32::MAX, which the interner never gives.
const EMPTY: u64 = u64::MAX;

const EMPTY_SLOT: Slot = Slot {
    id: EMPTY,
    cell: LiveCell {
        first: 0,
        last: 0,
        hits: 0,
        hours: 0,
        bytes: 0,
    },
};

#[derive(Debug)]
pub(crate) struct CellTable {
    /// A power of two long, at most seven eighths full.
    slots: Vec<Slot>,
    len: usize,
    shift: u32,
}

impl Default for CellTable {
    fn default() -> Self {
        CellTable::with_slots(1024)
    }
}

impl CellTable {
    fn with_slots(count: usize) -> CellTable {
        CellTable {
            slots: vec![EMPTY_SLOT; count],
            len: 0,
            shift: 64 - count.trailing_zeros(),
        }
    }

    /// Fibonacci hashing: the top bits of the id times 2^64 / φ.
    fn home(&self, id: u64) -> usize {
        (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Reads the slot `id` hashes to, so it is in cache when the hit is counted.
    pub(crate) fn touch(&self, id: u64) {
        if let Some(slot) = self.slots.get(self.home(id)) {
            std::hint::black_box(slot.id);
        }
    }

    /// The cell of `id`, made by `new` if it has none; true if it was made.
    pub(crate) fn entry(
        &mut self,
        id: u64,
        new: impl FnOnce() -> LiveCell,
    ) -> (&mut LiveCell, bool) {
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let mask = self.mask();
        let mut index = self.home(id);
        // Indexes are masked to the table's length, so indexing cannot go out of bounds.
        let made = loop {
            match self.slots[index].id {
                found if found == id => break false,
                EMPTY => break true,
                _ => index = (index + 1) & mask,
            }
        };
        if made {
            self.slots[index] = Slot { id, cell: new() };
            self.len += 1;
        }
        (&mut self.slots[index].cell, made)
    }

    /// How many cells the table holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every cell, in no particular order.
    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = (u64, &LiveCell)> {
        self.slots
            .iter()
            .filter(|slot| slot.id != EMPTY)
            .map(|slot| (slot.id, &slot.cell))
    }

    /// Moves the cells to the front of the table, in order of id, for packing them without a
    /// copy: read them with [`sorted`](Self::sorted), then [`clear`](Self::clear) the table.
    pub(crate) fn sort_by_id(&mut self) {
        let mut filled = 0;
        for index in 0..self.slots.len() {
            let slot = self.slots[index];
            if slot.id != EMPTY {
                self.slots.swap(filled, index);
                filled += 1;
            }
        }
        for slot in &mut self.slots[filled..] {
            *slot = EMPTY_SLOT;
        }
        self.slots[..filled].sort_unstable_by_key(|slot| slot.id);
        self.len = filled;
    }

    /// The cells in order of id, after [`sort_by_id`](Self::sort_by_id); a look-up in the
    /// table is wrong until it is cleared.
    pub(crate) fn sorted(&self) -> impl ExactSizeIterator<Item = (u64, &LiveCell)> {
        self.slots
            .iter()
            .take(self.len)
            .map(|slot| (slot.id, &slot.cell))
    }

    /// Empties the table, keeping its memory for the next day.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(EMPTY_SLOT);
        self.len = 0;
    }

    fn grow(&mut self) {
        let mut bigger = CellTable::with_slots(self.slots.len() * 2);
        let mask = bigger.mask();
        for slot in self.slots.iter().filter(|slot| slot.id != EMPTY) {
            let mut index = bigger.home(slot.id);
            while bigger.slots.get(index).is_some_and(|s| s.id != EMPTY) {
                index = (index + 1) & mask;
            }
            if let Some(free) = bigger.slots.get_mut(index) {
                *free = *slot;
            }
        }
        bigger.len = self.len;
        *self = bigger;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(hits: u32) -> LiveCell {
        LiveCell {
            first: 1,
            last: 2,
            hits,
            hours: 3,
            bytes: 4,
        }
    }

    #[test]
    fn cells_are_made_once_found_again_and_survive_growth() {
        let mut table = CellTable::default();
        for id in 0..5_000u64 {
            let key = ((id * 7919) << 20) | id;
            let (found, made) = table.entry(key, || cell(1));
            assert!(made);
            found.hits += 1;
        }
        for id in 0..5_000u64 {
            let key = ((id * 7919) << 20) | id;
            let (found, made) = table.entry(key, || cell(100));
            assert!(!made);
            assert_eq!(found.hits, 2);
        }
        assert_eq!(table.iter().count(), 5_000);
        assert_eq!(table.len(), 5_000);
        table.clear();
        assert_eq!(table.iter().count(), 0);
        assert!(table.entry(0, || cell(1)).1);
    }

    #[test]
    fn sorting_for_packing_keeps_every_cell_in_order() {
        let mut table = CellTable::default();
        let ids: Vec<u64> = (0..3_000u64)
            .map(|n| (n * 2_654_435_761) % 1_000_003)
            .collect();
        for &id in &ids {
            table.entry(id, || cell(1));
        }
        table.sort_by_id();
        let sorted: Vec<u64> = table.sorted().map(|(id, _)| id).collect();
        let mut expected = ids.clone();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
        table.clear();
        assert_eq!(table.len(), 0);
        assert!(table.entry(ids[0], || cell(9)).1);
    }
}
