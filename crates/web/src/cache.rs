//! Short-lived caches of what nearly every page reads (the signed-in session, a council's people,
//! the home page's counts), so reading pages does not repeat the same queries.
//!
//! An entry is used only while nothing has been written through the store since it was made
//! (`Store::change_count`) and for at most [`MAX_AGE`]: a change made here shows at once, and one
//! made by another Custodian process sharing a PostgreSQL database shows within two seconds.
//! Nothing here is ever written back: the database stays the only record.
//!
//! Costly values (the home page's dashboard) are also built one at a time per key
//! ([`BuildGates`]) and, when only their age is against them, served while one rebuild runs
//! ([`Lookup::Aged`]): otherwise every connection that misses at the same moment builds the
//! same value at once, and on two cores all of them wait for all of the others.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
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

/// What the cache holds for a key.
pub enum Lookup<V> {
    /// Nothing has changed here since it was made, and it is younger than [`MAX_AGE`].
    Fresh(V),
    /// Nothing has changed here since it was made, but it is older than [`MAX_AGE`]: another
    /// process sharing the database may have changed something since.
    Aged(V),
    /// Nothing, or something made before a change here.
    Missing,
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// The value cached for `key`, if nothing has changed since (`change_count` must be read
    /// from the store before the caller reads anything else).
    pub fn get(&self, key: &K, change_count: u64) -> Option<V> {
        match self.lookup(key, change_count) {
            Lookup::Fresh(value) => Some(value),
            Lookup::Aged(_) | Lookup::Missing => None,
        }
    }

    /// The value cached for `key` and how far it can be trusted.
    pub fn lookup(&self, key: &K, change_count: u64) -> Lookup<V> {
        let Ok(entries) = self.entries.lock() else {
            return Lookup::Missing;
        };
        match entries.get(key) {
            Some(entry) if entry.change_count == change_count => {
                if entry.made.elapsed() < MAX_AGE {
                    Lookup::Fresh(entry.value.clone())
                } else {
                    Lookup::Aged(entry.value.clone())
                }
            }
            _ => Lookup::Missing,
        }
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

/// One build at a time for each key: whoever holds a key's gate builds its value, and others
/// who need it wait for that build instead of repeating it.
pub struct BuildGates<K> {
    gates: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

impl<K> Default for BuildGates<K> {
    fn default() -> Self {
        Self {
            gates: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone> BuildGates<K> {
    fn gate(&self, key: &K) -> Arc<tokio::sync::Mutex<()>> {
        match self.gates.lock() {
            Ok(mut gates) => gates.entry(key.clone()).or_default().clone(),
            // A poisoned map only loses the sharing of builds, never a build.
            Err(_) => Arc::default(),
        }
    }

    /// Waits for `key`'s turn to build.
    pub async fn turn(&self, key: &K) -> tokio::sync::OwnedMutexGuard<()> {
        self.gate(key).lock_owned().await
    }

    /// `key`'s turn, if nobody is building it now.
    pub fn turn_if_free(&self, key: &K) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        self.gate(key).try_lock_owned().ok()
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

    #[test]
    fn an_unchanged_entry_past_its_age_is_offered_as_aged() {
        let cache: Cache<&str, u32> = Cache::default();
        cache.put("a", 7, 1);
        if let Ok(mut entries) = cache.entries.lock()
            && let Some(entry) = entries.get_mut("a")
        {
            entry.made = entry.made.checked_sub(MAX_AGE).unwrap_or(entry.made);
        }
        assert!(matches!(cache.lookup(&"a", 7), Lookup::Aged(1)));
        assert_eq!(cache.get(&"a", 7), None);
        assert!(matches!(cache.lookup(&"a", 8), Lookup::Missing));
    }

    #[tokio::test]
    async fn only_one_build_of_a_key_runs_at_a_time() {
        let gates: BuildGates<&str> = BuildGates::default();
        let held = gates.turn(&"a").await;
        assert!(gates.turn_if_free(&"a").is_none());
        assert!(gates.turn_if_free(&"b").is_some());
        drop(held);
        assert!(gates.turn_if_free(&"a").is_some());
    }
}
