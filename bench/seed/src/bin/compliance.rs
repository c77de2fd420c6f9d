//! Compliance benchmark: evaluates 10,000 varied devices against the model policy profile and
//! the profiles imported from the three real councils' policies. Prints median and p99 of 50
//! rounds per profile against the target (10,000 devices in 100 ms or less); never fails on a
//! miss.
//!
//! Run with `cargo run --release -p custodian-bench --bin custodian-bench-compliance`.

use custodian_core::PersonId;
use custodian_core::device::{
    AttemptLimit, DeviceFacts, DeviceKind, Fact, FactSource, IdleLock, OsVersion, Ownership,
    PinLength, Platform, ScreenLock, Status, WorkProfile, evaluate,
};
use custodian_core::policy::PolicyProfile;
use custodian_core::policy::import::import_policy;
use jiff::Timestamp;
use std::time::{Duration, Instant};

const DEVICES: usize = 10_000;
const ROUNDS: usize = 50;
const TARGET: Duration = Duration::from_millis(100);

fn fixture(name: &str) -> anyhow::Result<String> {
    let path = format!(
        "{}/../../crates/core/tests/fixtures/policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{path}: {e}"))
}

/// A small linear congruential generator (Knuth's MMIX constants): the same devices every run,
/// without a random-number crate in the loop.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        // The remainder is below the length, so the index is in range.
        items[(self.below(items.len() as u64)) as usize]
    }

    /// Unknown one time in `one_in`, else known from a varied source and age.
    fn fact<T>(&mut self, value: T, now: Timestamp, one_in: u64) -> Fact<T> {
        if self.below(one_in) == 0 {
            return Fact::Unknown;
        }
        let source = match self.below(4) {
            0 => FactSource::Osquery,
            1 => FactSource::MdmCsv,
            2 => FactSource::ItProvider {
                by: PersonId::from_uuid(uuid::Uuid::from_u128(2)),
            },
            _ => FactSource::SelfAttested {
                by: PersonId::from_uuid(uuid::Uuid::from_u128(1)),
            },
        };
        // Up to about 16 months old, so some self-attested facts have expired.
        let age_seconds = i64::try_from(self.below(16 * 30 * 86_400)).unwrap_or(0);
        let confirmed_at = Timestamp::from_second(now.as_second() - age_seconds).unwrap_or(now);
        Fact::known(value, source, confirmed_at)
    }
}

fn devices(now: Timestamp) -> anyhow::Result<Vec<DeviceFacts>> {
    let mut rng = Lcg(0x00C0_FFEE);
    let versions = ["14", "17.5", "10.0.19045", "14.5", "6.8", "126"]
        .map(OsVersion::parse)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut out = Vec::with_capacity(DEVICES);
    for _ in 0..DEVICES {
        let (kind, platform) = rng.pick(&[
            (DeviceKind::Phone, Platform::Android),
            (DeviceKind::Phone, Platform::Ios),
            (DeviceKind::Tablet, Platform::Ios),
            (DeviceKind::Tablet, Platform::Android),
            (DeviceKind::Laptop, Platform::Windows),
            (DeviceKind::Laptop, Platform::MacOs),
            (DeviceKind::Desktop, Platform::Windows),
            (DeviceKind::Laptop, Platform::ChromeOs),
            (DeviceKind::Laptop, Platform::Linux),
            (DeviceKind::Other, Platform::Other),
        ]);
        let ownership = rng.pick(&[Ownership::Council, Ownership::Personal]);
        let mut d = DeviceFacts::unknown(kind, platform, ownership);
        let version = rng.pick(&[0, 1, 2, 3, 4, 5]);
        d.os_version = rng.fact(versions[version].clone(), now, 5);
        let encrypted = rng.below(6) != 0;
        d.disk_encryption = rng.fact(encrypted, now, 5);
        let lock = rng.pick(&[
            ScreenLock::None,
            ScreenLock::Swipe,
            ScreenLock::Pattern,
            ScreenLock::Pin,
            ScreenLock::Password,
            ScreenLock::BiometricWithPin,
            ScreenLock::BiometricWithPassword,
        ]);
        d.screen_lock = rng.fact(lock, now, 4);
        let digits = rng.pick(&[4u8, 4, 6, 6, 6, 8]);
        d.pin_length = rng.fact(PinLength::new(digits)?, now, 4);
        let attempts = rng.pick(&[0u8, 3, 5, 10]);
        let lockout = AttemptLimit::after(attempts).unwrap_or(AttemptLimit::Never);
        d.lockout = rng.fact(lockout, now, 3);
        let wipe = rng.pick(&[0u8, 0, 10]);
        d.auto_wipe = rng.fact(
            AttemptLimit::after(wipe).unwrap_or(AttemptLimit::Never),
            now,
            3,
        );
        let seconds = rng.pick(&[0u32, 30, 60, 120, 300, 600, 1800]);
        d.idle_lock = rng.fact(
            IdleLock::after_seconds(seconds).unwrap_or(IdleLock::Never),
            now,
            4,
        );
        let remote_wipe = rng.below(3) != 0;
        d.remote_wipe = rng.fact(remote_wipe, now, 4);
        let work = rng.pick(&[
            WorkProfile::InUse,
            WorkProfile::AvailableButUnused,
            WorkProfile::NotAvailable,
        ]);
        d.work_profile = rng.fact(work, now, 3);
        let days_ago = i64::try_from(rng.below(150)).unwrap_or(0);
        let updated = today.checked_sub(jiff::Span::new().days(days_ago))?;
        d.last_os_update = rng.fact(updated, now, 5);
        let supported = rng.below(8) != 0;
        d.os_supported = rng.fact(supported, now, 5);
        let anti_malware = rng.below(5) != 0;
        d.anti_malware = rng.fact(anti_malware, now, 4);
        out.push(d);
    }
    Ok(out)
}

/// Median and p99 of evaluating every device, with the overall counts of one round.
fn time_profile(
    profile: &PolicyProfile,
    devices: &[DeviceFacts],
    now: Timestamp,
) -> (Duration, Duration, [usize; 3]) {
    let mut counts = [0usize; 3];
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            let mut round = [0usize; 3];
            for device in devices {
                let evaluation = std::hint::black_box(evaluate(profile, device, now));
                round[match evaluation.overall() {
                    Status::Compliant => 0,
                    Status::ActionNeeded => 1,
                    Status::Unknown => 2,
                }] += 1;
            }
            let elapsed = start.elapsed();
            counts = round;
            elapsed
        })
        .collect();
    times.sort();
    (times[ROUNDS / 2], times[ROUNDS * 99 / 100], counts)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> anyhow::Result<()> {
    let now: Timestamp = "2025-06-01T12:00:00Z".parse()?;
    let model = PolicyProfile::model_defaults();
    let mut profiles = vec![("model".to_owned(), model.clone())];
    for name in ["balsham", "aspatria", "groby"] {
        let text = fixture(&format!("{name}.txt"))?;
        let imported = import_policy(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        profiles.push((name.to_owned(), imported.apply_to(&model)));
    }
    let devices = devices(now)?;

    println!("Compliance benchmark: {DEVICES} devices, {ROUNDS} rounds per profile (median, p99)");
    println!(
        "{:<12} {:>12} {:>12}   {:>9} {:>13} {:>9}",
        "profile", "median", "p99", "compliant", "action needed", "unknown"
    );
    let mut worst = Duration::ZERO;
    for (name, profile) in &profiles {
        let (median, p99, [ok, action, unknown]) = time_profile(profile, &devices, now);
        worst = worst.max(p99);
        println!(
            "{name:<12} {:>12} {:>12}   {ok:>9} {action:>13} {unknown:>9}",
            ms(median),
            ms(p99)
        );
    }
    println!();
    println!(
        "target: evaluate {DEVICES} devices <= 100 ms: worst p99 {} {}",
        ms(worst),
        if worst <= TARGET { "PASS" } else { "MISS" }
    );
    Ok(())
}
