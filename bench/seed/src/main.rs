//! `custodian-bench-seed`: fills a data folder with one council of many people and a long,
//! correctly chained audit log, and signs its Clerk in, for the foundation benchmark
//! (`bench/run.sh`).
//!
//! Not part of Custodian. To be fast it writes the bulk of the audit log beneath the store's
//! traits (multi-row INSERTs in large transactions, each entry chained with
//! `AuditEvent::chain` exactly as the store would), so it must never be pointed at a real
//! council's data: it refuses a database that already has a council, unless asked only for a
//! new session.
//!
//! Usage:
//!   custodian-bench-seed --data-dir D [--people 200] [--entries 1000000]
//!   custodian-bench-seed --data-dir D --new-session
//!
//! Prints `key=value` lines (`council=`, `clerk=`, `person=`, `entries=`), the last always
//! `session=<token>`: a session cookie value for the Clerk, valid for 30 idle minutes.

mod generate;

use anyhow::{Context, bail};
use custodian_core::audit::{Actor, AuditEntry, AuditEvent, ChainHead};
use custodian_core::council::{CouncilKind, CouncilName, Founding, found_council};
use custodian_core::ids::{AccountId, CouncilId, IncidentId, PersonId};
use custodian_core::incident::{IncidentKind, IncidentReport, IncidentStatus, open_incident};
use custodian_core::person::{Email, Person, PersonName, PersonStatus};
use custodian_core::ports::{
    Account, AccountStore, AuditLog, CouncilStore, IncidentStore, Invitation, PersonStore, Session,
    SessionStore,
};
use custodian_store::Store;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::Instant;

/// Rows per INSERT statement: 9 parameters each keeps a statement well under SQLite's limit of
/// 32,766 parameters. The parameters are anonymous (`?`, this tool only seeds SQLite): with
/// numbered ones (`$n`) sqlx looks each name up with `sqlite3_bind_parameter_name`, which scans
/// the statement's parameter list, so binding a large statement took time quadratic in its size.
const ROWS_PER_INSERT: usize = 1_000;
/// Rows per transaction: few commits (each one a sync to disk), bounded memory.
const ROWS_PER_TRANSACTION: usize = 50_000;
/// Incidents on file (a handful still open, the rest closed).
const INCIDENTS: usize = 40;
const OPEN_INCIDENTS: usize = 3;
/// A well-formed Argon2id PHC string that matches no password: the benchmark signs in with a
/// session cookie, never a password.
const UNUSABLE_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2hzZWVkc2FsdA$YmVuY2htYXJrLW5vLXBhc3N3b3JkLW1hdGNoZXMhISE";
/// A TOTP secret, so the Clerk counts as enrolled in MFA and is not sent to set it up.
const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const CLERK_EMAIL: &str = "clerk@bench.example.org";

struct Args {
    data_dir: PathBuf,
    people: usize,
    entries: u64,
    new_session_only: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut data_dir = None;
    let mut people = 200;
    let mut entries = 1_000_000;
    let mut new_session_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--people" => people = value("--people")?.parse().context("--people")?,
            "--entries" => entries = value("--entries")?.parse().context("--entries")?,
            "--new-session" => new_session_only = true,
            other => bail!(
                "unknown argument {other:?}; usage: custodian-bench-seed --data-dir D [--people N] [--entries N] [--new-session]"
            ),
        }
    }
    if people < 2 {
        bail!("--people must be at least 2 (the Clerk and one more)");
    }
    Ok(Args {
        data_dir: data_dir.context("--data-dir is required")?,
        people,
        entries,
        new_session_only,
    })
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("could not create {}", args.data_dir.display()))?;
    let store = Store::open_sqlite_in(&args.data_dir)
        .await
        .context("could not open the database")?;
    store.migrate().await.context("could not migrate")?;
    let result = if args.new_session_only {
        new_session(&store).await
    } else {
        seed(&store, &args).await
    };
    store.close().await;
    result
}

/// A random token and its stored form, as `custodian-web`'s `auth` module makes them.
fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    (token, hash)
}

/// Signs the Clerk in: a session that has passed MFA, recorded in the audit log as a sign-in.
async fn sign_in(store: &Store, clerk: &Person, account: AccountId) -> anyhow::Result<String> {
    let now = Timestamp::now();
    let (token, token_hash) = new_token();
    let (csrf, _) = new_token();
    let session = Session {
        token_hash,
        account_id: account,
        council_id: clerk.council_id,
        person_id: clerk.id,
        csrf_token: csrf,
        mfa_passed: true,
        created_at: now,
        last_seen_at: now,
    };
    let event = AuditEvent::new(
        clerk.council_id,
        now,
        Actor::Person(clerk.id),
        "signin.succeeded",
    )
    .subject(format!("person:{}", clerk.id))
    .details(serde_json::json!({ "second_factor": "totp" }));
    store
        .insert_session(&session, &event)
        .await
        .context("could not sign the Clerk in")?;
    Ok(token)
}

/// A fresh session for the seeded Clerk (the one made earlier idles out after 30 minutes).
async fn new_session(store: &Store) -> anyhow::Result<()> {
    let email = Email::parse(CLERK_EMAIL)?;
    let account = store
        .account_by_email(&email)
        .await?
        .context("this data folder was not seeded by custodian-bench-seed")?;
    let clerk = store
        .people_for_account(account.id)
        .await?
        .into_iter()
        .next()
        .context("the seeded Clerk is missing")?;
    let token = sign_in(store, &clerk, account.id).await?;
    println!("session={token}");
    Ok(())
}

async fn seed(store: &Store, args: &Args) -> anyhow::Result<()> {
    if !store.councils().await?.is_empty() {
        bail!(
            "{} already holds a council; seed an empty folder (or use --new-session)",
            args.data_dir.display()
        );
    }
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(2026);
    let now = Timestamp::now();
    // Two years of activity, ending an hour ago; the council was set up a day before it began.
    let log_end = now - SignedDuration::from_hours(1);
    let log_start = log_end - SignedDuration::from_hours(2 * 365 * 24);
    let founded = log_start - SignedDuration::from_hours(24);

    let council_id = CouncilId::from_uuid(generate::uuid(&mut rng));
    let clerk_id = PersonId::from_uuid(generate::uuid(&mut rng));
    let (council, clerk, events) = found_council(
        Founding {
            council_id,
            name: CouncilName::parse("Benchmark Town Council")?,
            kind: CouncilKind::Town,
            clerk_id,
            clerk_name: PersonName::parse("Clara Clerk")?,
            clerk_email: Email::parse(CLERK_EMAIL)?,
        },
        Actor::Operator,
        founded,
    );
    store.create_council(&council, &clerk, &events).await?;

    // The Clerk accepts their invitation, with an authenticator app already set up.
    let account_id = AccountId::from_uuid(generate::uuid(&mut rng));
    let (_, invitation_hash) = new_token();
    let invitation = Invitation {
        token_hash: invitation_hash.clone(),
        council_id,
        person_id: clerk_id,
        purpose: custodian_core::ports::LinkPurpose::Invitation,
        created_at: founded,
        expires_at: founded + SignedDuration::from_hours(7 * 24),
        used_at: None,
    };
    let by_operator = |action: &str| {
        AuditEvent::new(council_id, founded, Actor::Operator, action)
            .subject(format!("person:{clerk_id}"))
    };
    store
        .insert_invitation(&invitation, &by_operator("invitation.created"))
        .await?;
    let account = Account {
        id: account_id,
        email: clerk.email.clone(),
        password_hash: UNUSABLE_PASSWORD_HASH.to_owned(),
        failed_attempts: 0,
        locked_until: None,
        totp_secret: Some(TOTP_SECRET.to_owned()),
        recovery_code_hashes: Vec::new(),
        created_at: founded,
    };
    let accepted = AuditEvent::new(
        council_id,
        founded,
        Actor::Person(clerk_id),
        "invitation.accepted",
    )
    .subject(format!("person:{clerk_id}"));
    store
        .accept_invitation(&invitation_hash, &account, true, clerk_id, &accepted)
        .await?;
    let clerk = Person {
        account_id: Some(account_id),
        status: PersonStatus::Active,
        ..clerk
    };

    // Everyone else, added by the Clerk through the store's own path.
    let people = generate::roster(&mut rng, council_id, args.people - 1, founded)?;
    for person in &people {
        let event = AuditEvent::new(council_id, founded, Actor::Person(clerk_id), "person.added")
            .subject(format!("person:{}", person.id))
            .details(serde_json::json!({ "roles": person.roles.to_storage() }));
        store.insert_person(person, &event).await?;
    }

    // Incidents on file, reported by people near the front of the roster.
    let mut incidents = Vec::with_capacity(INCIDENTS);
    for i in 0..INCIDENTS {
        let id = IncidentId::from_uuid(generate::uuid(&mut rng));
        let reporter = people.get(i % 27).map_or(clerk_id, |p| p.id);
        let (mut incident, event) = open_incident(
            council_id,
            id,
            IncidentReport {
                kind: IncidentKind::ALL[i % IncidentKind::ALL.len()],
                summary: format!("Benchmark incident {i}: laptop left on a train"),
                happened_at: None,
            },
            Actor::Person(reporter),
            founded,
        )?;
        if i >= OPEN_INCIDENTS {
            incident.status = IncidentStatus::Closed;
        }
        store.insert_incident(&incident, &event).await?;
        incidents.push(id);
    }
    let setup_done = started.elapsed();

    // The long log, chained after what the store has written so far.
    let mut head: ChainHead = store
        .heads()
        .await?
        .into_iter()
        .find(|h| h.council_id == council_id)
        .context("the council has no audit entries after set-up")?;
    // Leave room for the Clerk's final sign-in, so the log holds exactly `--entries`.
    let bulk = args.entries.saturating_sub(head.seq as u64 + 1);
    let mut cast: Vec<(PersonId, custodian_core::person::RoleSet)> = people
        .iter()
        .filter(|p| p.status == PersonStatus::Active)
        .map(|p| (p.id, p.roles))
        .collect();
    cast.insert(0, (clerk_id, clerk.roles));
    let mut maker = generate::EventMaker::new(
        StdRng::seed_from_u64(7),
        council_id,
        clerk_id,
        cast,
        incidents,
    );
    let span_ms = log_end.as_millisecond() - log_start.as_millisecond();
    let mut written: u64 = 0;
    let mut batch: Vec<AuditEntry> = Vec::with_capacity(ROWS_PER_TRANSACTION);
    while written < bulk {
        batch.clear();
        let take = (bulk - written).min(ROWS_PER_TRANSACTION as u64);
        for i in written..written + take {
            let offset = span_ms * i as i64 / bulk.max(1) as i64;
            let at = log_start + SignedDuration::from_millis(offset);
            let entry = maker.event(at).chain(Some(&head));
            head = entry.head();
            batch.push(entry);
        }
        insert_entries(store, &batch).await?;
        written += take;
    }
    let bulk_done = started.elapsed();

    let token = sign_in(store, &clerk, account_id).await?;
    let busy = people.first().map_or(clerk_id, |p| p.id);
    eprintln!(
        "seeded {} people and {} audit entries in {:.1} s (set-up {:.1} s, bulk {:.1} s)",
        args.people,
        head.seq + 1,
        started.elapsed().as_secs_f64(),
        setup_done.as_secs_f64(),
        (bulk_done - setup_done).as_secs_f64(),
    );
    println!("council={council_id}");
    println!("clerk={clerk_id}");
    println!("person={busy}");
    println!("entries={}", head.seq + 1);
    println!("session={token}");
    Ok(())
}

/// Writes already-chained entries in one transaction, many rows per statement.
async fn insert_entries(store: &Store, entries: &[AuditEntry]) -> anyhow::Result<()> {
    let mut tx = store.write_pool().begin().await?;
    for rows in entries.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (council_id, seq, at, actor, action, subject, details, prev_hash, hash) VALUES ",
        );
        for r in 0..rows.len() {
            if r > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?,?,?,?)");
        }
        let mut query = sqlx::query(&sql);
        for e in rows {
            query = query
                .bind(e.council_id.to_string())
                .bind(e.seq)
                .bind(e.at_ms)
                .bind(e.actor.as_str())
                .bind(e.action.as_str())
                .bind(e.subject.as_str())
                .bind(e.details.as_str())
                .bind(e.prev_hash.as_str())
                .bind(e.hash.as_str());
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_their_sha256() {
        let (token, hash) = new_token();
        assert_eq!(token.len(), 64);
        assert_eq!(hash, hex::encode(Sha256::digest(token.as_bytes())));
        assert_ne!(token, hash);
    }

    #[test]
    fn the_placeholder_password_hash_is_an_argon2id_phc_string() {
        assert!(UNUSABLE_PASSWORD_HASH.starts_with("$argon2id$v=19$"));
        assert_eq!(UNUSABLE_PASSWORD_HASH.split('$').count(), 6);
    }
}
