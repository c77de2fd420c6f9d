//! Numbering names (keys, sites) as they are met: the first distinct name is 0, the next 1, and
//! so on, so the summary counts under small numbers and makes each name's `String` once, at
//! the end.
//!
//! The names are kept end to end in one buffer and the table holds only numbers (open
//! addressing, linear probing), with each name's hash beside it: a look-up touches a few
//! neighbouring words and, on a hash match, one slice of the buffer, rather than a separately
//! allocated string per name. Every line of a log looks up two names, so this matters.

use std::hash::BuildHasher;

#[derive(Debug)]
pub(crate) struct Interner {
    /// Number + 1 of the name in each slot; 0 is empty. The length is a power of two.
    slots: Vec<u32>,
    /// Each name's hash (low 32 bits), by number.
    hashes: Vec<u32>,
    /// Each name's end in `text`, by number (its start is the previous one's end).
    ends: Vec<u32>,
    text: Vec<u8>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            slots: vec![0; 64],
            hashes: Vec::new(),
            ends: Vec::new(),
            text: Vec::new(),
        }
    }
}

impl Interner {
    /// The number of `name`, numbering it if it is new; None once four billion names or
    /// bytes have been met.
    pub(crate) fn intern(&mut self, name: &str) -> Option<u32> {
        let hash = rustc_hash::FxBuildHasher.hash_one(name.as_bytes());
        let short = hash as u32;
        let mask = self.slots.len() - 1;
        let mut slot = (hash >> 32) as usize & mask;
        loop {
            match self.slots.get(slot).copied()? {
                0 => break,
                taken => {
                    let id = taken - 1;
                    if self.hashes.get(id as usize) == Some(&short)
                        && self
                            .name(id)
                            .is_some_and(|known| same(known, name.as_bytes()))
                    {
                        return Some(id);
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
        let id = u32::try_from(self.hashes.len())
            .ok()
            .filter(|&id| id < u32::MAX)?;
        let end = u32::try_from(self.text.len() + name.len()).ok()?;
        self.text.extend_from_slice(name.as_bytes());
        self.ends.push(end);
        self.hashes.push(short);
        *self.slots.get_mut(slot)? = id + 1;
        // Kept at most half full, so probes stay short.
        if self.hashes.len() * 2 > self.slots.len() {
            self.grow();
        }
        Some(id)
    }

    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    fn name(&self, id: u32) -> Option<&[u8]> {
        let index = id as usize;
        let end = *self.ends.get(index)? as usize;
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)? as usize,
        };
        self.text.get(start..end)
    }

    fn grow(&mut self) {
        let mut slots = vec![0; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for id in 0..self.hashes.len() {
            let Some(name) = self.name(id as u32) else {
                continue;
            };
            let hash = rustc_hash::FxBuildHasher.hash_one(name);
            let mut slot = (hash >> 32) as usize & mask;
            while slots.get(slot).is_some_and(|&taken| taken != 0) {
                slot = (slot + 1) & mask;
            }
            if let Some(free) = slots.get_mut(slot) {
                *free = id as u32 + 1;
            }
        }
        self.slots = slots;
    }

    /// Every name, by number.
    pub(crate) fn into_names(self) -> Vec<String> {
        (0..self.hashes.len())
            .map(|id| {
                self.name(id as u32)
                    .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// Byte equality, eight bytes at a time: names are short (a host name is typically 10 to 30
/// bytes), where calling the C library's `memcmp` costs more than the comparison.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a_words = a.chunks_exact(8);
    let mut b_words = b.chunks_exact(8);
    for (x, y) in a_words.by_ref().zip(b_words.by_ref()) {
        if x != y {
            return false;
        }
    }
    a_words.remainder() == b_words.remainder()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_numbered_in_the_order_met_and_found_again() {
        let mut names = Interner::default();
        assert_eq!(names.intern("www.bbc.co.uk"), Some(0));
        assert_eq!(names.intern("www.gov.uk"), Some(1));
        assert_eq!(names.intern("www.bbc.co.uk"), Some(0));
        assert_eq!(names.intern(""), Some(2));
        for n in 0..10_000 {
            assert_eq!(names.intern(&format!("site{n}.example")), Some(n + 3));
        }
        for n in (0..10_000).rev() {
            assert_eq!(names.intern(&format!("site{n}.example")), Some(n + 3));
        }
        assert_eq!(names.len(), 10_003);
        let all = names.into_names();
        assert_eq!(all[0], "www.bbc.co.uk");
        assert_eq!(all[2], "");
        assert_eq!(all[10_002], "site9999.example");
    }
}
