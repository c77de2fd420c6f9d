//! `custodian demo`: a made-up council, "Demo Parish Council", with people in every role, ready
//! to sign in to. Seeding goes through the same store and provisioning functions as real use, so
//! the demo's audit trail is real and verifies.
//!
//! The demo must never seed into a real installation by accident: it reads only its own
//! command-line flags, and it never seeds a database that already holds a council.

use crate::cli::DemoArgs;
use crate::config::Layer;
use crate::database::open_and_migrate;
use anyhow::Context;
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::council::{CouncilKind, CouncilName, Founding};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::person::{
    Email, NewPerson, PersonName, PersonStatus, Role, RoleSet, add_person,
};
use custodian_core::ports::*;
use custodian_store::Store;
use custodian_web::ServeOptions;
use custodian_web::provisioning::{self, ProvisionError};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

pub const DEMO_COUNCIL: &str = "Demo Parish Council";
pub const DEMO_DOMAIN: &str = "demo-parish.example";

/// One demo person and how to sign in as them.
#[derive(Debug)]
pub struct DemoLogin {
    pub name: String,
    pub roles: RoleSet,
    pub email: String,
    pub status: PersonStatus,
    /// The passphrase they signed up with; `None` for someone who has not accepted their
    /// invitation.
    pub passphrase: Option<SecretString>,
}

/// What happens to a sample person after they are invited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Accepts,
    StillInvited,
    AcceptsThenLeaves,
}

struct Sample {
    name: &'static str,
    local_part: &'static str,
    roles: &'static [Role],
    fate: Fate,
}

const CLERK: Sample = Sample {
    name: "Margaret Ellison",
    local_part: "clerk",
    roles: &[Role::Clerk],
    fate: Fate::Accepts,
};

/// Everyone after the Clerk, in the order they are invited.
const PEOPLE: &[Sample] = &[
    Sample {
        name: "Robert Ashworth",
        local_part: "robert.ashworth",
        roles: &[Role::Chair, Role::Councillor],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Priya Sharma",
        local_part: "priya.sharma",
        roles: &[Role::ViceChair, Role::Councillor],
        fate: Fate::Accepts,
    },
    Sample {
        name: "David Okafor",
        local_part: "david.okafor",
        roles: &[Role::Councillor],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Helen Whitfield",
        local_part: "helen.whitfield",
        roles: &[Role::Councillor],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Thomas Greenwood",
        local_part: "thomas.greenwood",
        roles: &[Role::Councillor],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Susan Bradley",
        local_part: "assistant.clerk",
        roles: &[Role::Staff],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Peter Hollis",
        local_part: "peter.hollis",
        roles: &[Role::OtherAuthorisedUser],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Gareth Lloyd",
        local_part: "it-support",
        roles: &[Role::ItProvider],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Janet Fairbrother",
        local_part: "internal.audit",
        roles: &[Role::Auditor],
        fate: Fate::Accepts,
    },
    Sample {
        name: "Alan Marsh",
        local_part: "alan.marsh",
        roles: &[Role::Councillor],
        fate: Fate::StillInvited,
    },
    Sample {
        name: "Jean Pollard",
        local_part: "jean.pollard",
        roles: &[Role::Councillor],
        fate: Fate::AcceptsThenLeaves,
    },
];

fn email_for(sample: &Sample) -> anyhow::Result<Email> {
    Email::parse(&format!("{}@{DEMO_DOMAIN}", sample.local_part))
        .with_context(|| format!("the demo email for {} is not valid", sample.name))
}

fn name_for(sample: &Sample) -> anyhow::Result<PersonName> {
    PersonName::parse(sample.name)
        .with_context(|| format!("the demo name {} is not valid", sample.name))
}

/// Accepts an invitation with a fresh three-word passphrase, drawing again in the unlikely case
/// that the words happen to echo the person's name or the council's.
async fn accept(store: &Store, token: &SecretString, now: Timestamp) -> anyhow::Result<String> {
    let mut attempts = 0;
    loop {
        let passphrase = custodian_core::passphrase::suggest(&mut rand::rngs::OsRng, 3);
        let outcome = provisioning::accept_invitation(
            store,
            token.expose_secret(),
            SecretString::from(passphrase.clone()),
            DEMO_COUNCIL,
            now,
        )
        .await;
        match outcome {
            Ok(_) => return Ok(passphrase),
            Err(ProvisionError::Password(_)) if attempts < 10 => attempts += 1,
            Err(error) => return Err(error).context("a demo invitation could not be accepted"),
        }
    }
}

/// Creates "Demo Parish Council" with people of every role, one still invited and one who has
/// left, a few incidents and an adopted IT policy that some have signed, all through the real store so every step is audited. MFA is made
/// optional so the demo people can sign in without an authenticator app.
pub async fn seed(store: &Store, now: Timestamp) -> anyhow::Result<Vec<DemoLogin>> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (council, clerk, clerk_token) = provisioning::found(
        store,
        Founding {
            council_id: CouncilId::generate(),
            name: CouncilName::parse(DEMO_COUNCIL).context("the demo council's name")?,
            kind: CouncilKind::Parish,
            clerk_id: PersonId::generate(),
            clerk_name: name_for(&CLERK)?,
            clerk_email: email_for(&CLERK)?,
        },
        Actor::Operator,
        now,
    )
    .await
    .context("the demo council could not be created")?;

    let mut settings = council.settings.clone();
    settings.mfa_required_roles = RoleSet::empty();
    let event = AuditEvent::new(council.id, now, Actor::Operator, "council.settings_changed")
        .subject(format!("council:{}", council.id))
        .details(json!({
            "mfa_required_roles": [],
            "reason": "demo: sign in without an authenticator app",
        }));
    store
        .update_council(council.id, &council.name, &settings, &event)
        .await
        .context("the demo council's settings could not be changed")?;

    let clerk_passphrase = accept(store, &clerk_token, now).await?;
    let mut logins = vec![DemoLogin {
        name: clerk.name.to_string(),
        roles: clerk.roles,
        email: clerk.email.to_string(),
        status: PersonStatus::Active,
        passphrase: Some(SecretString::from(clerk_passphrase)),
    }];
    let by_clerk = Actor::Person(clerk.id);
    let mut ids = Vec::new();
    // Marked as left after the equipment is seeded, so a leaver still holds a laptop.
    let mut leavers = Vec::new();

    for sample in PEOPLE {
        let leaves = sample.fate == Fate::AcceptsThenLeaves;
        let start_date = if leaves {
            today.checked_sub(jiff::Span::new().years(3)).ok()
        } else {
            Some(today)
        };
        let (person, event) = add_person(
            council.id,
            PersonId::generate(),
            NewPerson {
                name: name_for(sample)?,
                email: email_for(sample)?,
                roles: RoleSet::of(sample.roles),
                start_date,
            },
            by_clerk.clone(),
            now,
        )
        .with_context(|| format!("{} could not be added", sample.name))?;
        store
            .insert_person(&person, &event)
            .await
            .with_context(|| format!("{} could not be added", sample.name))?;
        let token = provisioning::invite(store, council.id, person.id, by_clerk.clone(), now)
            .await
            .with_context(|| format!("{} could not be invited", sample.name))?;
        let passphrase = match sample.fate {
            Fate::StillInvited => None,
            Fate::Accepts | Fate::AcceptsThenLeaves => Some(accept(store, &token, now).await?),
        };
        let mut status = if passphrase.is_some() {
            PersonStatus::Active
        } else {
            PersonStatus::Invited
        };
        if leaves {
            leavers.push((person.id, sample.name));
            status = PersonStatus::Left;
        }
        ids.push((sample.local_part, person.id));
        logins.push(DemoLogin {
            name: person.name.to_string(),
            roles: person.roles,
            email: person.email.to_string(),
            status,
            passphrase: passphrase.map(SecretString::from),
        });
    }

    let id_of = |local_part: &str| {
        ids.iter()
            .find(|(l, _)| *l == local_part)
            .map(|(_, id)| *id)
            .with_context(|| format!("no demo person {local_part}"))
    };
    crate::demo_routines::seed_incidents(
        store,
        council.id,
        clerk.id,
        id_of("assistant.clerk")?,
        now,
    )
    .await?;
    let leaver = leavers
        .first()
        .map(|(id, _)| *id)
        .context("no demo leaver")?;
    let holders = crate::demo_equipment::Holders {
        clerk: clerk.id,
        chair: id_of("robert.ashworth")?,
        assistant: id_of("assistant.clerk")?,
        councillor_on_train: id_of("david.okafor")?,
        it_provider: id_of("it-support")?,
        leaver,
    };
    let (clerk_laptop, clerk_phone) =
        crate::demo_equipment::seed_equipment(store, council.id, &holders, now).await?;
    let users = crate::demo_devices::DeviceUsers {
        clerk: clerk.id,
        it_provider: id_of("it-support")?,
        stale_phone: id_of("david.okafor")?,
        unencrypted_laptop: id_of("thomas.greenwood")?,
        requester: id_of("helen.whitfield")?,
    };
    crate::demo_devices::seed_devices(store, council.id, &users, clerk_laptop, clerk_phone, now)
        .await?;
    for (id, name) in leavers {
        let mut left = store
            .person(council.id, id)
            .await
            .with_context(|| format!("{name} could not be read back"))?;
        left.status = PersonStatus::Left;
        left.leave_date = Some(today);
        let event = AuditEvent::new(council.id, now, by_clerk.clone(), "person.left")
            .subject(format!("person:{id}"))
            .details(json!({ "leave_date": today.to_string() }));
        // Marked as left as the People page does it: with the leaving checklist made from the
        // records (the item still issued to them is on it).
        let (checklist, made) = custodian_core::leaver::build_checklist(
            &left,
            &store.all_assets(council.id).await?,
            &store.devices(council.id).await?,
            &[],
            &[],
            clerk.id,
            now,
        );
        store
            .mark_left(&left, &event, &checklist, &made)
            .await
            .with_context(|| format!("{name} could not be marked as left"))?;
    }
    // Some have signed the policy; the councillors and volunteers have not yet.
    let signers = [
        clerk.id,
        id_of("robert.ashworth")?,
        id_of("assistant.clerk")?,
    ];
    crate::demo_policy::seed_policy(store, council.id, DEMO_COUNCIL, clerk.id, &signers, now)
        .await?;
    let routine_people = crate::demo_routines::RoutinePeople {
        clerk: clerk.id,
        assistant: id_of("assistant.clerk")?,
        councillor_buying: id_of("helen.whitfield")?,
        councillor_travelling: id_of("david.okafor")?,
        councillor_recording: id_of("thomas.greenwood")?,
        joiners: vec![id_of("peter.hollis")?, id_of("alan.marsh")?],
    };
    crate::demo_routines::seed_routines(store, council.id, &routine_people, now).await?;
    crate::demo_monitoring::seed_monitoring(store, council.id, clerk.id, now).await?;
    Ok(logins)
}

/// The table of demo people as printed: name, roles, email and passphrase (or why there is
/// none).
pub fn login_table(logins: &[DemoLogin]) -> String {
    let rows: Vec<[String; 4]> = logins
        .iter()
        .map(|l| {
            let secret = match (&l.passphrase, l.status) {
                (_, PersonStatus::Left) => "(has left: cannot sign in)".to_owned(),
                (Some(p), _) => p.expose_secret().to_owned(),
                (None, _) => "(invited: has not chosen a password yet)".to_owned(),
            };
            [l.name.clone(), l.roles.labels(), l.email.clone(), secret]
        })
        .collect();
    let header = [
        "Name".to_owned(),
        "Role(s)".to_owned(),
        "Email".to_owned(),
        "Passphrase".to_owned(),
    ];
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let line = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs the demo: seeds a new data folder (a temporary one unless `--data-dir` is given), then
/// serves it on this computer only until Ctrl-C.
pub async fn run(
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    args: DemoArgs,
) -> anyhow::Result<ExitCode> {
    // Take the port first: if it is busy, say so before spending time creating people.
    let listener = match crate::serve::bind(&format!("127.0.0.1:{}", args.port)).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::debug!(error = format!("{error:#}"), "demo could not listen");
            return Err(crate::BadInput(format!(
                "The demo could not use port {} on this computer: another program (perhaps \
                 another demo) is probably using it. Stop it, or choose another port with --port, \
                 for example --port {}",
                args.port,
                args.port.saturating_add(1)
            ))
            .into());
        }
    };
    // Kept alive until the demo stops; dropping it deletes the folder.
    let mut temporary = None;
    let data_dir = match data_dir {
        Some(dir) => dir,
        None => {
            let dir = tempfile::Builder::new()
                .prefix("custodian-demo-")
                .tempdir()
                .context("Custodian could not create a temporary folder for the demo")?;
            let path = dir.path().to_path_buf();
            temporary = Some(dir);
            path
        }
    };
    let settings = crate::config::merge(
        Layer {
            data_dir: Some(data_dir.clone()),
            database_url,
            ..Layer::default()
        },
        Layer::default(),
        Layer::default(),
        None,
    )
    .map_err(crate::BadInput::from)?;
    let (store, _applied) = open_and_migrate(&settings).await?;
    // The demo's vault key lives in the demo's own data folder (a real installation keeps it
    // apart from the database's backups; see docs/vault.md).
    let vault_key = match crate::vault_key::unlock(&store, &settings).await {
        Ok(crate::vault_key::Unlocked::Key(key)) => Some(key),
        Ok(crate::vault_key::Unlocked::Locked(why)) => {
            eprintln!("Note: {why}.");
            None
        }
        Err(error) => {
            store.close().await;
            return Err(error);
        }
    };

    let existing = store
        .councils()
        .await
        .context("Custodian could not read the list of councils")?;
    let logins = if existing.is_empty() {
        eprintln!("Creating {DEMO_COUNCIL} and its people…");
        let now = Timestamp::now();
        let seeded = match seed(&store, now).await {
            Ok(logins) => match &vault_key {
                Some(key) => crate::demo_vault::seed_vault(&store, key, now)
                    .await
                    .map(|()| logins),
                None => Ok(logins),
            },
            Err(error) => Err(error),
        };
        match seeded {
            Ok(logins) => Some(logins),
            Err(error) => {
                store.close().await;
                return Err(error.context("The demo could not be set up"));
            }
        }
    } else {
        None
    };

    let local = listener
        .local_addr()
        .context("Custodian could not tell which port the demo is using")?;
    let address = format!("http://{local}");
    // Invitation links and passkeys use the name `localhost`: browsers refuse passkeys on a bare
    // IP address, and `localhost` reaches the same listener.
    let public_url = format!("http://localhost:{}", local.port());

    let shutdown = crate::serve::shutdown_signal();
    // The first line is the address, so people (and tests) can find it straight away.
    println!("Custodian demo is running at {address}/");
    println!();
    match &logins {
        Some(logins) => {
            println!(
                "{DEMO_COUNCIL} is a made-up council filled with made-up people. Sign in as any of them:"
            );
            println!();
            print!("{}", login_table(logins));
            println!();
            println!(
                "In the demo, signing in needs only the passphrase: the second step with an \
                 authenticator app (MFA) is optional. A real council requires it of its Clerk \
                 and IT provider. To try a passkey, open {public_url}/ instead (browsers allow \
                 passkeys only on a named address)."
            );
        }
        None => {
            let names: Vec<String> = existing.iter().map(|c| c.name.to_string()).collect();
            println!(
                "This data folder already holds {}, so no demo people were added. Sign in with \
                 the passphrases printed when it was first created.",
                names.join(", ")
            );
        }
    }
    match &temporary {
        Some(_) => println!(
            "The demo's data is kept in a temporary folder, {}, deleted when you stop the demo.",
            data_dir.display()
        ),
        None => println!("The demo's data is kept in {}.", data_dir.display()),
    }
    println!("Press Ctrl-C to stop.");
    {
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }

    let options = ServeOptions {
        public_url,
        setup_code: None,
        vault_key,
    };
    let served = custodian_web::serve(store.clone(), listener, options, shutdown).await;
    store.close().await;
    drop(temporary);
    served.context("The demo's web server stopped unexpectedly")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_people_cover_every_role_and_have_valid_details() {
        let roles = PEOPLE
            .iter()
            .chain(std::iter::once(&CLERK))
            .fold(RoleSet::empty(), |set, s| {
                set.with(s.roles[0]).with(*s.roles.last().unwrap())
            });
        for role in Role::ALL {
            assert!(roles.contains(role), "no demo {role:?}");
        }
        for sample in PEOPLE.iter().chain(std::iter::once(&CLERK)) {
            email_for(sample).unwrap();
            name_for(sample).unwrap();
        }
    }

    #[test]
    fn the_table_lines_up_and_explains_missing_passphrases() {
        let logins = vec![
            DemoLogin {
                name: "Ann".into(),
                roles: RoleSet::of(&[Role::Clerk]),
                email: "a@x.example".into(),
                status: PersonStatus::Active,
                passphrase: Some(SecretString::from("otter-lantern-quarry")),
            },
            DemoLogin {
                name: "Bartholomew".into(),
                roles: RoleSet::of(&[Role::Councillor]),
                email: "b@x.example".into(),
                status: PersonStatus::Invited,
                passphrase: None,
            },
        ];
        let table = login_table(&logins);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("Name         Role(s)"));
        assert!(lines[1].ends_with("otter-lantern-quarry"));
        assert!(lines[2].contains("(invited"));
        assert!(!format!("{:?}", logins[0]).contains("otter"));
    }
}
