//! A day's groups packed into a byte string, about seven bytes a group for a DNS log.
//!
//! Groups are kept in order of id (key number in the high half, site number in the low), each
//! as variable-length numbers (LEB128: seven bits a byte), most of which are small:
//! - the id's distance from the one before (the next site of the same key, mostly);
//! - the hits, shifted left three bits to make room for three flags: hits in more than one
//!   hour, some bytes, a last time after the first;
//! - the hours: the hour (0-23) when every hit was in one, else a mask of the hours with hits
//!   followed by the count of each;
//! - the first time, as its distance (zigzag: 0, -1, 1, -2, ...) from the start of its hour
//!   in UTC, which is within an hour of it whatever the clocks do: two bytes, not three;
//! - if flagged, the last time's distance from the first, and the bytes.
//!
//! A single DNS query on a site takes six bytes, a quarter of a fixed layout's 24.
//!
//! The string is only ever read from start to end: to merge a table of newly counted groups
//! into it ([`PackedDay::merge`]), which copies the groups the table does not touch byte for
//! byte, and to unpack it at the end ([`PackedDay::groups`]).

/// One group's figures; times in seconds from the day's base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackedGroup {
    pub id: u64,
    pub first: u32,
    pub last: u32,
    pub hits: u64,
    pub bytes: u64,
    pub hours: Hours,
}

/// A group's hits by local hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hours {
    /// Every hit in this hour (0-23).
    One(u8),
    /// Hits in each hour.
    Many([u32; 24]),
}

impl Hours {
    /// The count in each hour, for a group of `hits` hits.
    pub(crate) fn counts(&self, hits: u64) -> [u32; 24] {
        match self {
            Hours::One(hour) => {
                let mut counts = [0; 24];
                if let Some(count) = counts.get_mut(usize::from(*hour)) {
                    *count = u32::try_from(hits).unwrap_or(u32::MAX);
                }
                counts
            }
            Hours::Many(counts) => *counts,
        }
    }

    /// The two groups' hours together.
    fn add(&self, hits: u64, other: &Hours, other_hits: u64) -> Hours {
        match (self, other) {
            (Hours::One(a), Hours::One(b)) if a == b => Hours::One(*a),
            _ => {
                let mut counts = self.counts(hits);
                for (count, more) in counts.iter_mut().zip(other.counts(other_hits)) {
                    *count = count.saturating_add(more);
                }
                Hours::Many(counts)
            }
        }
    }
}

impl PackedGroup {
    /// Both groups' figures as one (they have the same id).
    fn add(&self, other: &PackedGroup) -> PackedGroup {
        PackedGroup {
            id: self.id,
            first: self.first.min(other.first),
            last: self.last.max(other.last),
            hits: self.hits.saturating_add(other.hits),
            bytes: self.bytes.saturating_add(other.bytes),
            hours: self.hours.add(self.hits, &other.hours, other.hits),
        }
    }
}

/// One day's packed groups.
#[derive(Debug, Default)]
pub(crate) struct PackedDay {
    bytes: Vec<u8>,
    groups: u64,
}

impl PackedDay {
    /// How many groups it holds.
    pub(crate) fn len(&self) -> u64 {
        self.groups
    }

    /// Its groups, in order of id.
    pub(crate) fn groups(&self) -> impl Iterator<Item = PackedGroup> + '_ {
        let mut reader = Reader::new(&self.bytes);
        std::iter::from_fn(move || {
            let (id, body) = reader.next_raw()?;
            decode_body(id, body)
        })
    }

    /// This day's groups with `more` added (in order of id, each id once): a group in both has
    /// their figures together.
    pub(crate) fn merge(
        &self,
        more: impl IntoIterator<IntoIter: ExactSizeIterator<Item = PackedGroup>>,
    ) -> PackedDay {
        let more = more.into_iter();
        // Room for the new groups at a typical size, so the string is not doubled as it grows
        // (it is trimmed to its length at the end).
        let mut writer = Writer::with_capacity(self.bytes.len() + more.len() * 16);
        let mut reader = Reader::new(&self.bytes);
        let mut next_old = reader.next_raw();
        for group in more {
            next_old = copy_below(&mut writer, &mut reader, next_old, group.id);
            match next_old.filter(|&(id, _)| id == group.id) {
                Some((id, body)) => {
                    match decode_body(id, body) {
                        Some(old) => writer.group(&old.add(&group)),
                        None => writer.group(&group),
                    }
                    next_old = reader.next_raw();
                }
                None => writer.group(&group),
            }
        }
        // No id is u64::MAX: its site number would be u32::MAX, which is never given.
        copy_below(&mut writer, &mut reader, next_old, u64::MAX);
        writer.finish()
    }
}

/// Copies the packed groups from `next` on whose ids are below `limit`; the first group not
/// copied. Only the first one's id is written anew (its distance is from a different group
/// now); the rest are copied as they are, in one piece, since each one's distance from the
/// one before is unchanged.
fn copy_below<'a>(
    writer: &mut Writer,
    reader: &mut Reader<'a>,
    next: Option<(u64, &'a [u8])>,
    limit: u64,
) -> Option<(u64, &'a [u8])> {
    let Some((id, body)) = next.filter(|&(id, _)| id < limit) else {
        return next;
    };
    writer.raw(id, body);
    let start = reader.at;
    let mut end = start;
    let mut copied = 0;
    let mut last = id;
    loop {
        let next = reader.next_raw();
        match next {
            Some((id, _)) if id < limit => {
                last = id;
                end = reader.at;
                copied += 1;
            }
            _ => {
                writer.copied(reader.bytes.get(start..end).unwrap_or(&[]), copied, last);
                return next;
            }
        }
    }
}

/// Writes groups in order of id.
struct Writer {
    bytes: Vec<u8>,
    previous: u64,
    groups: u64,
}

impl Writer {
    fn with_capacity(capacity: usize) -> Writer {
        Writer {
            bytes: Vec::with_capacity(capacity),
            previous: 0,
            groups: 0,
        }
    }

    fn id(&mut self, id: u64) {
        put(&mut self.bytes, id.wrapping_sub(self.previous));
        self.previous = id;
        self.groups += 1;
    }

    /// A group copied as it was packed: its id, then the rest unchanged.
    fn raw(&mut self, id: u64, body: &[u8]) {
        self.id(id);
        self.bytes.extend_from_slice(body);
    }

    /// `groups` packed groups copied as they are, the last with id `last`.
    fn copied(&mut self, bytes: &[u8], groups: u64, last: u64) {
        self.bytes.extend_from_slice(bytes);
        self.groups += groups;
        if groups > 0 {
            self.previous = last;
        }
    }

    fn group(&mut self, group: &PackedGroup) {
        self.id(group.id);
        let out = &mut self.bytes;
        let many = matches!(group.hours, Hours::Many(_));
        let length = group.last.saturating_sub(group.first);
        // No file has 2^61 lines, so the shift loses nothing.
        let hits = group.hits.min(MAX_HITS);
        put(
            out,
            hits << 3
                | u64::from(length > 0) << 2
                | u64::from(group.bytes > 0) << 1
                | u64::from(many),
        );
        let first_hour = match &group.hours {
            Hours::One(hour) => {
                put(out, u64::from(*hour));
                *hour
            }
            Hours::Many(counts) => {
                let mask = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, count)| **count > 0)
                    .fold(0u64, |mask, (hour, _)| mask | 1 << hour);
                put(out, mask);
                for &count in counts.iter().filter(|&&count| count > 0) {
                    put(out, u64::from(count));
                }
                mask.trailing_zeros().min(23) as u8
            }
        };
        put(out, zigzag(i64::from(group.first) - hour_start(first_hour)));
        if length > 0 {
            put(out, u64::from(length));
        }
        if group.bytes > 0 {
            put(out, group.bytes);
        }
    }

    fn finish(mut self) -> PackedDay {
        // The string is kept until the next merge: it should take no more than it needs.
        self.bytes.shrink_to_fit();
        PackedDay {
            bytes: self.bytes,
            groups: self.groups,
        }
    }
}

/// Reads groups in order, each as its id and the bytes of the rest.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    previous: u64,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            bytes,
            at: 0,
            previous: 0,
        }
    }

    #[inline]
    fn number(&mut self) -> Option<u64> {
        let byte = *self.bytes.get(self.at)?;
        if byte < 0x80 {
            self.at += 1;
            return Some(u64::from(byte));
        }
        let (value, length) = get(self.bytes.get(self.at..)?)?;
        self.at += length;
        Some(value)
    }

    fn next_raw(&mut self) -> Option<(u64, &'a [u8])> {
        let id = self.previous.wrapping_add(self.number()?);
        self.previous = id;
        let start = self.at;
        let flags = self.number()?;
        let hours = self.number()?;
        // The hours' counts (if any), the first time, the length and bytes (if flagged).
        let mut numbers = 1 + (flags & LATER_LAST != 0) as u32 + (flags & SOME_BYTES != 0) as u32;
        if flags & MANY_HOURS != 0 {
            numbers += hours.count_ones();
        }
        self.skip(numbers)?;
        Some((id, self.bytes.get(start..self.at)?))
    }

    /// Steps over `count` numbers without reading them: each ends at a byte below 0x80.
    #[inline]
    fn skip(&mut self, mut count: u32) -> Option<()> {
        let mut at = self.at;
        while count > 0 {
            let byte = *self.bytes.get(at)?;
            at += 1;
            count -= u32::from(byte < 0x80);
        }
        self.at = at;
        Some(())
    }
}

const MANY_HOURS: u64 = 1;
const SOME_BYTES: u64 = 1 << 1;
const LATER_LAST: u64 = 1 << 2;
const MAX_HITS: u64 = (1 << 61) - 1;

/// The start of `hour` of the day in seconds from its base, were the day UTC's: within an hour
/// of the start of the London hour.
fn hour_start(hour: u8) -> i64 {
    2 * 86_400 + i64::from(hour) * 3_600
}

/// A signed number as an unsigned one, small when it is near zero.
fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// The figures of a group from the bytes after its id.
fn decode_body(id: u64, body: &[u8]) -> Option<PackedGroup> {
    let mut reader = Reader::new(body);
    let flags = reader.number()?;
    let hours_code = reader.number()?;
    let (hours, first_hour) = if flags & MANY_HOURS == 0 {
        let hour = u8::try_from(hours_code).ok()?;
        (Hours::One(hour), hour)
    } else {
        let mut counts = [0; 24];
        for (hour, count) in counts.iter_mut().enumerate() {
            if hours_code & 1 << hour != 0 {
                *count = u32::try_from(reader.number()?).ok()?;
            }
        }
        (
            Hours::Many(counts),
            hours_code.trailing_zeros().min(23) as u8,
        )
    };
    let first = u32::try_from(hour_start(first_hour) + unzigzag(reader.number()?)).ok()?;
    let length = if flags & LATER_LAST != 0 {
        u32::try_from(reader.number()?).ok()?
    } else {
        0
    };
    let bytes = if flags & SOME_BYTES != 0 {
        reader.number()?
    } else {
        0
    };
    Some(PackedGroup {
        id,
        first,
        last: first.saturating_add(length),
        hits: flags >> 3,
        bytes,
        hours,
    })
}

/// Appends `value` in LEB128: seven bits a byte, lowest first, the top bit set on all but the
/// last.
fn put(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The LEB128 number at the start of `bytes`, and how many bytes it took.
fn get(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (index, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: u64, first: u32, hits: u64, hours: Hours) -> PackedGroup {
        PackedGroup {
            id,
            first,
            last: first + 10,
            hits,
            bytes: hits.saturating_mul(1000),
            hours,
        }
    }

    #[test]
    fn numbers_of_every_size_read_back() {
        for value in [0, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut bytes = Vec::new();
            put(&mut bytes, value);
            assert_eq!(get(&bytes), Some((value, bytes.len())), "{value}");
        }
        assert_eq!(get(&[0x80, 0x80]), None, "a number cut short");
        for value in [0, 1, -1, 3_599, -3_600, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(value)), value);
        }
        assert_eq!(zigzag(-1), 1);
    }

    #[test]
    fn merging_adds_figures_of_the_same_group_and_keeps_the_rest_in_order() {
        let mut many = [0; 24];
        many[3] = 2;
        many[20] = u32::MAX;
        let day = PackedDay::default().merge([
            group(5, 100, 1, Hours::One(0)),
            group(1 << 33 | 7, 200, 2, Hours::One(9)),
            group(u64::MAX - 1, 300, MAX_HITS - 1, Hours::Many(many)),
        ]);
        assert_eq!(day.len(), 3);
        let merged = day.merge([
            group(2, 50, 1, Hours::One(1)),
            group(1 << 33 | 7, 150, 3, Hours::One(9)),
            group(u64::MAX - 1, 400, 5, Hours::One(3)),
        ]);
        assert_eq!(merged.len(), 4);
        let groups: Vec<PackedGroup> = merged.groups().collect();
        let ids: Vec<u64> = groups.iter().map(|g| g.id).collect();
        assert_eq!(ids, [2, 5, 1 << 33 | 7, u64::MAX - 1]);
        assert_eq!(
            groups[2],
            PackedGroup {
                id: 1 << 33 | 7,
                first: 150,
                last: 210,
                hits: 5,
                bytes: 5000,
                hours: Hours::One(9),
            }
        );
        let last = &groups[3];
        // Hits are kept up to 2^61 - 1 (no log has that many lines).
        assert_eq!((last.first, last.last, last.hits), (300, 410, MAX_HITS));
        assert_eq!(last.bytes, u64::MAX);
        let mut expected = many;
        expected[3] = 7;
        assert_eq!(last.hours, Hours::Many(expected));
        assert_eq!(groups[0], group(2, 50, 1, Hours::One(1)));
    }

    #[test]
    fn a_group_in_two_hours_after_merging_keeps_both_counts() {
        let day = PackedDay::default().merge([group(1, 0, 4, Hours::One(8))]);
        let day = day.merge([group(1, 0, 1, Hours::One(9))]);
        let only = day.groups().next().unwrap();
        assert_eq!(only.hours.counts(only.hits)[8..10], [4, 1]);
        assert_eq!(only.hits, 5);
    }

    #[test]
    fn any_figures_read_back_as_packed_whatever_the_hour_and_time() {
        // Times anywhere a day's base allows (not only near their hour: the clocks change,
        // and a hit may come late), any hours, hits and bytes.
        let mut seed: u64 = 11;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed >> 11
        };
        let mut groups = Vec::new();
        let mut id = 0;
        for _ in 0..2_000 {
            id += 1 + next() % (1 << (next() % 40));
            let first = (next() % (5 * 86_400)) as u32;
            let hits = 1 + next() % 1_000;
            let hours = if next() % 2 == 0 {
                Hours::One((next() % 24) as u8)
            } else {
                let mut counts = [0; 24];
                for _ in 0..1 + next() % 5 {
                    counts[(next() % 24) as usize] = (next() % 100_000) as u32;
                }
                Hours::Many(counts)
            };
            groups.push(PackedGroup {
                id,
                first,
                last: first + (next() % 3 * next() % 90_000) as u32,
                hits,
                bytes: next() % 3 * next(),
                hours,
            });
        }
        let day = PackedDay::default().merge(groups.clone());
        assert_eq!(day.len(), 2_000);
        assert_eq!(day.groups().collect::<Vec<_>>(), groups);
    }
}
