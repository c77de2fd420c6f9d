//! The demo council's devices: the Clerk's council laptop (read by osquery) and phone (answered
//! by the Clerk), a councillor's own phone whose answers are over a year old, a councillor's own
//! laptop without disk encryption, and a request to use an own tablet waiting for the Clerk. So
//! the compliance table shows every state: meets the policy, action needed, confirm again, and
//! waiting for a decision.

use anyhow::Context;
use custodian_core::audit::Actor;
use custodian_core::device::{
    AttemptLimit, Device, DeviceKind, DeviceName, FactSource, IdleLock, NewDevice, OsVersion,
    PinLength, Platform, ReportedFacts, ScreenLock, approve, record_facts, register_council_device,
    request_own_device,
};
use custodian_core::ids::{AssetId, CouncilId, DeviceId, PersonId};
use custodian_core::ports::{DeviceStore, PersonStore};
use custodian_store::Store;
use jiff::{SignedDuration, Timestamp};

/// The people whose devices the demo records.
pub struct DeviceUsers {
    pub clerk: PersonId,
    pub it_provider: PersonId,
    /// Uses an own phone, answered 13 months ago.
    pub stale_phone: PersonId,
    /// Uses an own laptop without disk encryption.
    pub unencrypted_laptop: PersonId,
    /// Has asked to use an own tablet.
    pub requester: PersonId,
}

/// Records the demo devices. `clerk_laptop` and `clerk_phone` are the register items they are.
pub async fn seed_devices(
    store: &Store,
    council: CouncilId,
    users: &DeviceUsers,
    clerk_laptop: AssetId,
    clerk_phone: AssetId,
    now: Timestamp,
) -> anyhow::Result<()> {
    let days_ago = |days: i64| now - SignedDuration::from_hours(24 * days);
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let clerk = store.person(council, users.clerk).await?;
    let it_provider = Actor::Person(users.it_provider);

    // The Clerk's council laptop, with facts from the IT provider's osquery upload.
    let (laptop, event) = register_council_device(
        council,
        DeviceId::generate(),
        new_device(
            "Clerk's laptop (DPC-001)",
            DeviceKind::Laptop,
            Platform::Windows,
        )?,
        Some(&clerk),
        Some(clerk_laptop),
        it_provider.clone(),
        days_ago(60),
    )
    .context("the demo laptop could not be registered")?;
    store.insert_device(&laptop, &event).await?;
    let osquery = ReportedFacts {
        os_version: Some(OsVersion::parse("Windows 11 Pro 23H2")?),
        disk_encryption: Some(true),
        anti_malware: Some(true),
        last_os_update: today.checked_sub(jiff::Span::new().days(12)).ok(),
        ..ReportedFacts::default()
    };
    let laptop = record(
        store,
        &laptop,
        &osquery,
        FactSource::Osquery,
        it_provider.clone(),
        days_ago(12),
    )
    .await?;
    // What osquery cannot see on Windows, the IT provider checked by hand.
    let checked = ReportedFacts {
        screen_lock: Some(ScreenLock::Password),
        idle_lock: IdleLock::after_minutes(5),
        lockout: AttemptLimit::after(10),
        os_supported: Some(true),
        ..ReportedFacts::default()
    };
    let by_it = FactSource::ItProvider {
        by: users.it_provider,
    };
    record(
        store,
        &laptop,
        &checked,
        by_it,
        it_provider.clone(),
        days_ago(12),
    )
    .await?;

    // The Clerk's council phone, answered by the Clerk.
    let (phone, event) = register_council_device(
        council,
        DeviceId::generate(),
        new_device("Clerk's iPhone (DPC-002)", DeviceKind::Phone, Platform::Ios)?,
        Some(&clerk),
        Some(clerk_phone),
        it_provider.clone(),
        days_ago(60),
    )
    .context("the demo phone could not be registered")?;
    store.insert_device(&phone, &event).await?;
    record(
        store,
        &phone,
        &ReportedFacts {
            last_os_update: today.checked_sub(jiff::Span::new().days(20)).ok(),
            os_supported: Some(true),
            ..phone_answers("17.6", 6)
        },
        FactSource::SelfAttested { by: users.clerk },
        Actor::Person(users.clerk),
        days_ago(40),
    )
    .await?;

    // A councillor's own phone, approved last year; the answers now need confirming again.
    let own_phone = own_device(
        store,
        council,
        users.stale_phone,
        "Android phone",
        DeviceKind::Phone,
        Platform::Android,
        days_ago(400),
    )
    .await?;
    let (own_phone, event) = approve(&own_phone, users.clerk, days_ago(399))
        .context("the demo phone could not be approved")?;
    store.update_device(&own_phone, &event).await?;
    record(
        store,
        &own_phone,
        &phone_answers("14", 6),
        FactSource::SelfAttested {
            by: users.stale_phone,
        },
        Actor::Person(users.stale_phone),
        days_ago(395),
    )
    .await?;

    // A councillor's own laptop: approved, but its disk is not encrypted.
    let own_laptop = own_device(
        store,
        council,
        users.unencrypted_laptop,
        "Home laptop",
        DeviceKind::Laptop,
        Platform::Windows,
        days_ago(90),
    )
    .await?;
    let (own_laptop, event) = approve(&own_laptop, users.clerk, days_ago(89))
        .context("the demo laptop could not be approved")?;
    store.update_device(&own_laptop, &event).await?;
    let answers = ReportedFacts {
        os_version: Some(OsVersion::parse("Windows 10 Home 22H2")?),
        disk_encryption: Some(false),
        screen_lock: Some(ScreenLock::Password),
        idle_lock: IdleLock::after_minutes(10),
        anti_malware: Some(true),
        ..ReportedFacts::default()
    };
    record(
        store,
        &own_laptop,
        &answers,
        FactSource::SelfAttested {
            by: users.unencrypted_laptop,
        },
        Actor::Person(users.unencrypted_laptop),
        days_ago(88),
    )
    .await?;

    // A request the Clerk has not decided yet.
    own_device(
        store,
        council,
        users.requester,
        "iPad",
        DeviceKind::Tablet,
        Platform::Ios,
        days_ago(2),
    )
    .await?;
    Ok(())
}

fn new_device(name: &str, kind: DeviceKind, platform: Platform) -> anyhow::Result<NewDevice> {
    Ok(NewDevice {
        name: DeviceName::parse(name).context("a demo device name")?,
        kind,
        platform,
        serial: None,
    })
}

/// A phone set up as the model policy asks: a PIN, lock-out after 10 tries, a short idle lock,
/// wipe after 10 failed attempts and remote wipe.
fn phone_answers(version: &str, pin_digits: u8) -> ReportedFacts {
    ReportedFacts {
        os_version: OsVersion::parse(version).ok(),
        disk_encryption: Some(true),
        screen_lock: Some(ScreenLock::BiometricWithPin),
        pin_length: PinLength::new(pin_digits).ok(),
        lockout: AttemptLimit::after(10),
        idle_lock: IdleLock::after_minutes(2),
        auto_wipe: AttemptLimit::after(10),
        remote_wipe: Some(true),
        ..ReportedFacts::default()
    }
}

#[allow(clippy::too_many_arguments)]
async fn own_device(
    store: &Store,
    council: CouncilId,
    person: PersonId,
    name: &str,
    kind: DeviceKind,
    platform: Platform,
    at: Timestamp,
) -> anyhow::Result<Device> {
    let person = store.person(council, person).await?;
    let (device, event) = request_own_device(
        council,
        DeviceId::generate(),
        &person,
        new_device(
            &format!(
                "{}'s {name}",
                person.name.as_str().split(' ').next().unwrap_or("")
            ),
            kind,
            platform,
        )?,
        at,
    )
    .context("a demo own-device request could not be made")?;
    store.insert_device(&device, &event).await?;
    Ok(device)
}

async fn record(
    store: &Store,
    device: &Device,
    facts: &ReportedFacts,
    source: FactSource,
    by: Actor,
    at: Timestamp,
) -> anyhow::Result<Device> {
    let (device, event) = record_facts(device, facts, source, by, at)
        .context("demo device facts could not be recorded")?;
    store.update_device(&device, &event).await?;
    Ok(device)
}
