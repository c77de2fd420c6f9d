//! A compact hash set of domain names, each with the id of its set of categories.
//!
//! A full UT1 list holds several million domains (its `adult` category alone has millions), so
//! a `HashMap<String, _>` would spend about 80 bytes a name. Here every name lives once in one
//! byte arena and the table holds 8 bytes per slot: where the name starts, 16 bits of its hash
//! (so most mismatches are rejected without touching the arena) and the category set's id.
//! Open addressing with linear probing, at most three quarters full.

/// One slot: `start == EMPTY` marks a free slot. The arena holds each name as one length byte
/// followed by the name's bytes.
#[derive(Clone, Copy)]
struct Slot {
    start: u32,
    tag: u16,
    set: u16,
}

const EMPTY: u32 = u32::MAX;
const FREE: Slot = Slot {
    start: EMPTY,
    tag: 0,
    set: 0,
};
const FIRST_BITS: u32 = 4;

/// The arena outgrew the 4 GiB its 32-bit offsets can address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TableFull;

pub(super) struct DomainTable {
    arena: Vec<u8>,
    slots: Vec<Slot>,
    /// log2 of `slots.len()`.
    bits: u32,
    len: usize,
}

impl Default for DomainTable {
    fn default() -> Self {
        Self::new()
    }
}

impl DomainTable {
    pub(super) fn new() -> Self {
        Self {
            arena: Vec::new(),
            slots: vec![FREE; 1 << FIRST_BITS],
            bits: FIRST_BITS,
            len: 0,
        }
    }

    /// A table that holds `names` names before it has to grow (capped at 2^26 slots, 512 MiB:
    /// a larger list grows as usual).
    pub(super) fn with_capacity(names: usize) -> Self {
        let wanted = names.saturating_mul(4) / 3 + 1;
        let bits = wanted
            .next_power_of_two()
            .trailing_zeros()
            .clamp(FIRST_BITS, 26);
        Self {
            arena: Vec::new(),
            slots: vec![FREE; 1 << bits],
            bits,
            len: 0,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The set id stored for `name`, if it is in the table.
    pub(super) fn get(&self, name: &[u8]) -> Option<u16> {
        match self.find(name, hash(name)) {
            Ok(index) => self.slots.get(index).map(|slot| slot.set),
            Err(_) => None,
        }
    }

    /// Stores `name` with the set id `update` makes of its current one (`None` when new).
    /// Names longer than 255 bytes cannot be stored; the loader refuses them first (a domain
    /// name has at most 253).
    pub(super) fn upsert(
        &mut self,
        name: &[u8],
        update: impl FnOnce(Option<u16>) -> u16,
    ) -> Result<(), TableFull> {
        let Ok(length) = u8::try_from(name.len()) else {
            return Err(TableFull);
        };
        // Grown first, so the free slot `find` gives is still the one to fill: one probe
        // for a name whether it is new or known (a full list has millions).
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let hash = hash(name);
        match self.find(name, hash) {
            Ok(index) => {
                if let Some(slot) = self.slots.get_mut(index) {
                    slot.set = update(Some(slot.set));
                }
                Ok(())
            }
            Err(free) => {
                let start = u32::try_from(self.arena.len()).map_err(|_| TableFull)?;
                if start == EMPTY {
                    return Err(TableFull);
                }
                self.arena.push(length);
                self.arena.extend_from_slice(name);
                if let Some(slot) = self.slots.get_mut(free) {
                    *slot = Slot {
                        start,
                        tag: tag(hash),
                        set: update(None),
                    };
                }
                self.len += 1;
                Ok(())
            }
        }
    }

    /// `Ok(index)` of the slot holding `name`, or `Err(index)` of the free slot where it would go.
    fn find(&self, name: &[u8], hash: u64) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let wanted = tag(hash);
        let mut index = self.home(hash);
        // The table is never full, so a free slot ends every probe.
        loop {
            let slot = self.slots.get(index).copied().unwrap_or(FREE);
            if slot.start == EMPTY {
                return Err(index);
            }
            if slot.tag == wanted && self.name_at(slot.start) == name {
                return Ok(index);
            }
            index = (index + 1) & mask;
        }
    }

    fn name_at(&self, start: u32) -> &[u8] {
        let start = start as usize;
        let length = self.arena.get(start).copied().unwrap_or(0) as usize;
        self.arena.get(start + 1..start + 1 + length).unwrap_or(&[])
    }

    fn home(&self, hash: u64) -> usize {
        // Fibonacci hashing: the top bits of a multiplied hash are well mixed.
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    fn place(&mut self, slot: Slot, hash: u64) {
        let mask = self.slots.len() - 1;
        let mut index = self.home(hash);
        while self.slots.get(index).is_some_and(|s| s.start != EMPTY) {
            index = (index + 1) & mask;
        }
        if let Some(free) = self.slots.get_mut(index) {
            *free = slot;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::replace(&mut self.slots, vec![FREE; 1 << (self.bits + 1)]);
        self.bits += 1;
        for slot in old.into_iter().filter(|s| s.start != EMPTY) {
            let hash = hash(self.name_at(slot.start));
            self.place(slot, hash);
        }
    }
}

fn tag(hash: u64) -> u16 {
    // The low bits: `home` uses the top ones.
    hash as u16
}

/// FxHash-style mixing, eight bytes at a time, then a final avalanche. The names come from the
/// council's own list, so a keyed hash (against crafted collisions) buys nothing here.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517C_C1B7_2722_0A95;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_stored_is_found_after_the_table_grows_many_times() {
        let mut table = DomainTable::new();
        for n in 0..20_000u32 {
            let name = format!("site-{n}.example");
            table.upsert(name.as_bytes(), |_| (n % 7) as u16).unwrap();
        }
        assert_eq!(table.len(), 20_000);
        for n in 0..20_000u32 {
            let name = format!("site-{n}.example");
            assert_eq!(table.get(name.as_bytes()), Some((n % 7) as u16), "{name}");
        }
        assert_eq!(table.get(b"site-20000.example"), None);
        assert_eq!(table.get(b"site-1.exampl"), None);
        assert_eq!(table.get(b""), None);
    }

    #[test]
    fn storing_a_name_again_updates_its_set_rather_than_adding_it_twice() {
        let mut table = DomainTable::new();
        table
            .upsert(b"a.example", |old| old.map_or(1, |o| o + 10))
            .unwrap();
        table
            .upsert(b"a.example", |old| old.map_or(1, |o| o + 10))
            .unwrap();
        assert_eq!(table.len(), 1);
        assert_eq!(table.get(b"a.example"), Some(11));
    }

    #[test]
    fn a_name_too_long_for_its_length_byte_is_refused() {
        let mut table = DomainTable::new();
        let long = vec![b'a'; 256];
        assert_eq!(table.upsert(&long, |_| 0), Err(TableFull));
        assert_eq!(table.len(), 0);
    }
}
