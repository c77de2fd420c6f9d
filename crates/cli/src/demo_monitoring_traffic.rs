//! A week of made-up proxy traffic for the demo council, so its internet-use reports show
//! something: a small Squid `access.log` of the last seven days (office hours for the Clerk and
//! the assistant, evenings for councillors, one visit to a betting site, one address the
//! council has not matched to anyone), the proxy user names matched to the demo people, and the
//! log stored through the same pipeline as `custodian monitor ingest` and the HTTP upload.
//!
//! The log is generated from a fixed seed: the same `now` gives the same file. If the council's
//! settings name no category list and the project's own test list is on disk (a source
//! checkout), the demo names it in the settings and flags its betting and malware categories,
//! as a Clerk would on the settings page, so the category report has a flagged visit to show.

use anyhow::Context;
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::{CouncilId, MonitorBatchId, MonitorIdentityId, PersonId};
use custodian_core::monitor::pipeline::{BatchOrigin, Categories, store_summary};
use custodian_core::person::{Person, Role};
use custodian_core::policy::version::london_today;
use custodian_core::ports::{
    IdentityKind, IdentityTarget, LocalDay, MonitorIdentity, MonitorSettings, MonitorStore,
    PersonStore,
};
use custodian_monitor::{Format, SummaryOptions, summarize_slice};
use custodian_store::Store;
use jiff::Timestamp;
use serde_json::json;
use sha2::{Digest, Sha256};

/// How many days of traffic: the week before today.
const DAYS: i32 = 7;

/// A demo person's proxy user name, office address and habits.
struct Browser {
    /// The local part of their demo email address.
    local_part: &'static str,
    user: &'static str,
    client: &'static str,
    /// London hours they browse in (start inclusive, end exclusive).
    hours: (i8, i8),
    /// Requests on a weekday; a quarter of that at weekends.
    per_day: u32,
    weekends: bool,
}

const BROWSERS: &[Browser] = &[
    Browser {
        local_part: "clerk",
        user: "mellison",
        client: "192.168.1.21",
        hours: (9, 17),
        per_day: 22,
        weekends: false,
    },
    Browser {
        local_part: "assistant.clerk",
        user: "sbradley",
        client: "192.168.1.22",
        hours: (10, 15),
        per_day: 14,
        weekends: false,
    },
    Browser {
        local_part: "robert.ashworth",
        user: "rashworth",
        client: "192.168.1.31",
        hours: (18, 22),
        per_day: 6,
        weekends: true,
    },
    Browser {
        local_part: "david.okafor",
        user: "dokafor",
        client: "192.168.1.32",
        hours: (19, 23),
        per_day: 5,
        weekends: true,
    },
    Browser {
        local_part: "helen.whitfield",
        user: "hwhitfield",
        client: "192.168.1.33",
        hours: (8, 12),
        per_day: 4,
        weekends: true,
    },
];

/// Sites and their weight (how often one is picked): the council's work, email, news and
/// shopping, the kind of mix a parish office shows. Names under .example come from the
/// project's test category list.
const SITES: &[(&str, u32)] = &[
    ("outlook.office365.com", 30),
    ("login.microsoftonline.com", 12),
    ("www.gov.uk", 14),
    ("www.nalc.gov.uk", 6),
    ("www.legislation.gov.uk", 4),
    ("www.hmrc.gov.uk", 3),
    ("anytown-council.example", 10),
    ("county-association.example", 4),
    ("www.bbc.co.uk", 10),
    ("www.metoffice.gov.uk", 4),
    ("daily-bugle.example", 5),
    ("county-gazette.example", 4),
    ("friendbook.example", 5),
    ("docs.google.com", 6),
    ("www.amazon.co.uk", 3),
];

/// The one flagged visit: a councillor's evening on a betting site.
const FLAGGED_SITE: &str = "bet-every-day.example";
/// A laptop on the office network that is not matched to anyone.
const UNMATCHED_CLIENT: &str = "192.168.1.57";

/// Seeds the week of traffic for `council` (whose monitoring is already switched on).
pub async fn seed_traffic(store: &Store, council: CouncilId, now: Timestamp) -> anyhow::Result<()> {
    let people = store.people(council).await?;
    let settings = store
        .monitor_settings(council)
        .await?
        .context("the demo council's monitoring settings")?;
    let settings = name_test_categories(store, council, settings, &people, now).await?;
    let today = LocalDay::from_date(london_today(now));
    let first_day = LocalDay(today.0 - DAYS);
    for browser in BROWSERS {
        let person = people
            .iter()
            .find(|p| p.email.as_str().split('@').next() == Some(browser.local_part))
            .with_context(|| format!("no demo person {}", browser.local_part))?;
        match_user_name(store, council, browser.user, person.id, first_day, now).await?;
    }
    let log = demo_log(today);
    let mut options = SummaryOptions::new(london_today(now));
    options.keep_raw_lines = true;
    let summary = summarize_slice(Format::Squid, options, log.as_bytes())
        .context("the demo proxy log could not be read")?;
    let categories = Categories::load(&settings).map_err(anyhow::Error::msg)?;
    let (profile, _) = custodian_core::policy::profile::profile_in_force(store, council).await?;
    let origin = BatchOrigin {
        id: MonitorBatchId::generate(),
        council,
        sha256: Sha256::digest(log.as_bytes()).into(),
        format: "squid",
        source_name: "access.log",
        actor: Actor::Operator,
        upload_key: None,
        now,
    };
    store_summary(
        store,
        &categories,
        profile.internet_log_retention_months,
        summary,
        origin,
    )
    .await
    .context("the demo proxy log could not be stored")?;
    Ok(())
}

/// The project's test category list, when it is on disk (a source checkout).
fn test_categories_folder() -> Option<std::path::PathBuf> {
    let folder =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../monitor/test-categories");
    folder.canonicalize().ok().filter(|f| f.is_dir())
}

/// Names the test category list in the settings (flagging betting and malware, allowing the
/// council's own sites) when the settings name none and the list is there.
async fn name_test_categories(
    store: &Store,
    council: CouncilId,
    settings: MonitorSettings,
    people: &[Person],
    now: Timestamp,
) -> anyhow::Result<MonitorSettings> {
    let folder = match (&settings.categories_path, test_categories_folder()) {
        (None, Some(folder)) => folder.display().to_string(),
        _ => return Ok(settings),
    };
    let clerk = people
        .iter()
        .find(|p| p.roles.contains(Role::Clerk))
        .context("the demo Clerk")?;
    let new = MonitorSettings {
        categories_path: Some(folder.clone()),
        flagged_categories: vec!["gambling".to_owned(), "malware".to_owned()],
        allowed_categories: vec!["council_allowed".to_owned()],
        updated_at: now,
        ..settings
    };
    let event = AuditEvent::new(
        council,
        now,
        Actor::Person(clerk.id),
        "monitor.settings.changed",
    )
    .subject("monitor:settings")
    .details(json!({ "changed": {
        "categories_path": folder,
        "flagged_categories": new.flagged_categories,
        "allowed_categories": new.allowed_categories,
    }}));
    store
        .save_monitor_settings(&new, &event)
        .await
        .context("the demo category lists could not be named in the settings")?;
    Ok(new)
}

/// Matches a proxy user name to a demo person from `from` on, as the Clerk does on the names
/// page (with the same audit entry).
async fn match_user_name(
    store: &Store,
    council: CouncilId,
    user: &str,
    person: PersonId,
    from: LocalDay,
    now: Timestamp,
) -> anyhow::Result<()> {
    let identity = MonitorIdentity::new(
        MonitorIdentityId::generate(),
        council,
        IdentityKind::User,
        user,
        IdentityTarget::Person(person),
        from,
        None,
        now,
        Actor::Operator,
    )
    .with_context(|| format!("the demo user name {user}"))?;
    store
        .add_identity(&identity, |r| {
            AuditEvent::new(council, now, Actor::Operator, "monitor.identity.added")
                .subject(format!("person:{person}"))
                .details(json!({
                    "identity": identity.id.to_string(),
                    "kind": identity.kind.as_str(),
                    "value": identity.value(),
                    "from": identity.valid_from.date().to_string(),
                    "to": null,
                    "days": r.days,
                    "records": r.records,
                    "raw_chunks": r.raw_chunks,
                }))
        })
        .await
        .with_context(|| format!("the demo user name {user} could not be matched"))?;
    Ok(())
}

/// A small deterministic pseudo-random sequence (xorshift), so the demo log is the same for
/// the same days without a dependency on a random number crate.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The Squid native log of the `DAYS` days before `today`, in time order.
pub fn demo_log(today: LocalDay) -> String {
    let mut dice = Dice(0x5eed_c0de_2026_0001);
    let weights: u32 = SITES.iter().map(|(_, w)| w).sum();
    let mut lines: Vec<(i64, String)> = Vec::new();
    for back in (1..=DAYS).rev() {
        let day = LocalDay(today.0 - back);
        let weekend = matches!(
            day.date().weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        for browser in BROWSERS {
            if weekend && !browser.weekends {
                continue;
            }
            let count = if weekend {
                browser.per_day / 4 + 1
            } else {
                browser.per_day
            };
            for _ in 0..count {
                let mut pick = u32::try_from(dice.below(u64::from(weights))).unwrap_or(0);
                let site = SITES
                    .iter()
                    .find(|(_, w)| {
                        let found = pick < *w;
                        pick = pick.saturating_sub(*w);
                        found
                    })
                    .map_or("www.gov.uk", |(s, _)| s);
                let at = time_in(day, browser.hours, &mut dice);
                let bytes = 2_000 + dice.below(180_000);
                lines.push((
                    at,
                    line(at, browser.client, browser.user, site, bytes, &mut dice),
                ));
            }
        }
        // The laptop nobody has matched: its updates every morning, and some news.
        let at = time_in(day, (8, 9), &mut dice);
        lines.push((
            at,
            line(
                at,
                UNMATCHED_CLIENT,
                "-",
                "update.microsoft.com",
                3_400_000,
                &mut dice,
            ),
        ));
        let at = time_in(day, (12, 14), &mut dice);
        lines.push((
            at,
            line(
                at,
                UNMATCHED_CLIENT,
                "-",
                "www.bbc.co.uk",
                85_000,
                &mut dice,
            ),
        ));
    }
    // Three requests to a betting site one evening, four days ago.
    let evening = LocalDay(today.0 - 4);
    for _ in 0..3 {
        let at = time_in(evening, (21, 22), &mut dice);
        let bytes = 40_000 + dice.below(20_000);
        lines.push((
            at,
            line(
                at,
                "192.168.1.32",
                "dokafor",
                FLAGGED_SITE,
                bytes,
                &mut dice,
            ),
        ));
    }
    lines.sort();
    lines.into_iter().map(|(_, text)| text).collect()
}

/// A second within `hours` (London) on `day`, as Unix seconds.
fn time_in(day: LocalDay, hours: (i8, i8), dice: &mut Dice) -> i64 {
    let span = u64::try_from(i64::from(hours.1 - hours.0).max(1) * 3_600).unwrap_or(3_600);
    let offset = i64::try_from(dice.below(span)).unwrap_or(0);
    let start = day
        .date()
        .at(hours.0, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC))
        .map(|z| z.timestamp().as_second())
        .unwrap_or_else(|_| i64::from(day.0) * 86_400 + i64::from(hours.0) * 3_600);
    start + offset
}

/// One line of Squid's native log: HTTPS as a CONNECT tunnel, the rest as plain GETs.
fn line(at: i64, client: &str, user: &str, site: &str, bytes: u64, dice: &mut Dice) -> String {
    let elapsed = 40 + dice.below(900);
    let millis = dice.below(1000);
    if dice.below(4) == 0 {
        format!(
            "{at}.{millis:03} {elapsed} {client} TCP_MISS/200 {bytes} GET http://{site}/ {user} \
             HIER_DIRECT/203.0.113.{} text/html\n",
            dice.below(250) + 1
        )
    } else {
        format!(
            "{at}.{millis:03} {elapsed} {client} TCP_TUNNEL/200 {bytes} CONNECT {site}:443 {user} \
             HIER_DIRECT/203.0.113.{} -\n",
            dice.below(250) + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_log_is_a_few_hundred_readable_lines_the_same_each_time() {
        let today = LocalDay::from_date(jiff::civil::date(2026, 12, 7));
        let log = demo_log(today);
        assert_eq!(log, demo_log(today), "deterministic");
        let summary = summarize_slice(
            Format::Squid,
            SummaryOptions::new(today.date()),
            log.as_bytes(),
        )
        .unwrap();
        assert_eq!(summary.totals.malformed, 0);
        assert!(
            (200..=600).contains(&summary.totals.lines),
            "{} lines",
            summary.totals.lines
        );
        let days: std::collections::BTreeSet<LocalDay> =
            summary.groups.iter().map(|g| g.day).collect();
        assert_eq!(days.len(), 7, "{days:?}");
        assert!(days.iter().all(|d| *d < today && d.0 >= today.0 - 7));
        assert!(summary.groups.iter().any(|g| g.site == FLAGGED_SITE));
        assert!(summary.groups.iter().any(|g| matches!(
            &g.key,
            custodian_monitor::SubjectKey::Client(c) if c == UNMATCHED_CLIENT
        )));
    }

    #[tokio::test]
    async fn the_seeded_demo_has_something_in_every_report() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        store.migrate().await.unwrap();
        let now = Timestamp::now();
        crate::demo::seed(&store, now).await.unwrap();
        let council = custodian_core::ports::CouncilStore::councils(&store)
            .await
            .unwrap()[0]
            .id;
        let today = LocalDay::from_date(london_today(now));
        let (from, to) = (LocalDay(today.0 - DAYS), today);
        let top = store.top_sites(council, from, to, 5).await.unwrap();
        assert_eq!(top[0].site, "outlook.office365.com", "{top:?}");
        assert!(top[0].people >= 2, "{top:?}");
        let unmatched = store.unattributed(council, from, to).await.unwrap();
        assert_eq!(
            unmatched.len(),
            1,
            "only the unmatched laptop: {unmatched:?}"
        );
        let hours = store.hits_by_hour(council, from, to, None).await.unwrap();
        assert!(hours[10] > 0 && hours[3] == 0, "{hours:?}");
        // From a source checkout the test category list is named and betting flagged.
        if test_categories_folder().is_some() {
            let flagged = store.flagged_records(council, from, to).await.unwrap();
            assert_eq!(flagged.len(), 1, "{flagged:?}");
            assert_eq!(flagged[0].site, FLAGGED_SITE);
            assert!(flagged[0].person.is_some());
        }
    }
}
