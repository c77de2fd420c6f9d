//! Short-lived caches of what nearly every page reads (the signed-in session, a council's people,
//! the home page's counts), so reading pages does not repeat the same queries.
//!
//! An entry is used only while nothing has been written through the store since it was made
//! (`Store::change_count`) and for at most [`MAX_AGE`]: a change made here shows at once, and one
//! made by another Custodian process sharing a PostgreSQL database shows within two seconds.
//! Nothing here is ever written back: the database stays the only record.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_AGE: Duration = Duration::from_secs(2);
const MAX_ENTRIES: usize = 10_000;

struct Entry<V> {
    change_count: u64,
    made: Instant,
    value: V,
}

pub struct Cache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    capacity: usize,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl<K, V> Cache<K, V> {
    /// A cache holding at most `capacity` entries (it empties itself when full: entries live
    /// two seconds at most anyway).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// The value cached for `key`, if nothing has changed since (`change_count` must be read
    /// from the store before the caller reads anything else).
    pub fn get(&self, key: &K, change_count: u64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.change_count == change_count && entry.made.elapsed() < MAX_AGE)
            .then(|| entry.value.clone())
    }

    /// Keeps `value`, read after the store's change count was `change_count`.
    pub fn put(&self, key: K, change_count: u64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    change_count,
                    made: Instant::now(),
                    value,
                },
            );
        }
    }

    pub fn forget(&self, key: &K) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_dropped_as_soon_as_anything_changes() {
        let cache: Cache<&str, u32> = Cache::default();
        cache.put("a", 7, 1);
        assert_eq!(cache.get(&"a", 7), Some(1));
        assert_eq!(cache.get(&"a", 8), None);
        cache.forget(&"a");
        assert_eq!(cache.get(&"a", 7), None);
    }
}
