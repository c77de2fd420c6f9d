//! `custodian init`: founds a council from the command line and prints its Clerk's invitation
//! link. Every detail is checked by the same rules as the web pages before anything is stored.

use crate::BadInput;
use crate::cli::InitArgs;
use crate::config::Settings;
use crate::database::open_and_migrate;
use crate::serve::default_public_url;
use anyhow::Context;
use custodian_core::audit::Actor;
use custodian_core::council::{CouncilKind, CouncilName, Founding};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::person::{Email, INVITATION_VALID_FOR, PersonName};
use custodian_core::ports::*;
use custodian_web::provisioning;
use jiff::Timestamp;
use secrecy::ExposeSecret;
use std::process::ExitCode;

/// Checks every detail, reporting all the problems at once, before anything is stored.
pub fn parse_founding(args: &InitArgs) -> Result<Founding, BadInput> {
    let mut problems = Vec::new();
    let mut check = |flag: &str, message: Option<String>| {
        if let Some(message) = message {
            problems.push(format!("  --{flag}: {message}"));
        }
    };
    let name = CouncilName::parse(&args.council_name);
    check("council-name", name.as_ref().err().map(ToString::to_string));
    let kind = CouncilKind::parse(&args.kind);
    check("kind", kind.as_ref().err().map(ToString::to_string));
    let clerk_name = PersonName::parse(&args.clerk_name);
    check(
        "clerk-name",
        clerk_name.as_ref().err().map(ToString::to_string),
    );
    let clerk_email = Email::parse(&args.clerk_email);
    check(
        "clerk-email",
        clerk_email.as_ref().err().map(ToString::to_string),
    );
    match (name, kind, clerk_name, clerk_email) {
        (Ok(name), Ok(kind), Ok(clerk_name), Ok(clerk_email)) => Ok(Founding {
            council_id: CouncilId::generate(),
            name,
            kind,
            clerk_id: PersonId::generate(),
            clerk_name,
            clerk_email,
        }),
        _ => Err(BadInput(format!(
            "Nothing was set up. Please correct this and try again:\n{}",
            problems.join("\n")
        ))),
    }
}

pub async fn run(settings: Settings, args: InitArgs) -> anyhow::Result<ExitCode> {
    let founding = parse_founding(&args)?;
    let public_url = match &settings.public_url {
        Some(url) => url.clone(),
        None => match settings.bind.parse() {
            Ok(address) => default_public_url(address),
            Err(_) => format!("http://{}", settings.bind),
        },
    };
    let (store, _applied) = open_and_migrate(&settings).await?;
    let existing = store
        .councils()
        .await
        .context("Custodian could not read the list of councils")?;
    let wanted = founding.name.as_str().to_lowercase();
    if let Some(same) = existing
        .iter()
        .find(|c| c.name.as_str().to_lowercase() == wanted)
    {
        store.close().await;
        return Err(BadInput(format!(
            "A council called \"{}\" already exists here (id {}). Nothing was changed",
            same.name, same.id
        ))
        .into());
    }
    let now = Timestamp::now();
    let founded = provisioning::found(&store, founding, Actor::Operator, now).await;
    store.close().await;
    let (council, clerk, token) = founded.context("The council could not be set up")?;
    let expires = (now + INVITATION_VALID_FOR)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%-d %B %Y at %H:%M UTC");

    println!(
        "Set up {} ({}).",
        council.name,
        council.kind.label().to_lowercase()
    );
    println!("Council id: {}", council.id);
    println!();
    println!(
        "{} <{}> has been invited as Clerk. Send them this link to choose their password.",
        clerk.name, clerk.email
    );
    println!("It works once and expires on {expires} (7 days from now):");
    println!();
    println!("  {public_url}/invitation/{}", token.expose_secret());
    println!();
    println!("Start Custodian with `custodian serve` so the link can be opened.");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(email: &str, kind: &str) -> InitArgs {
        InitArgs {
            council_name: "Ashby Parish Council".into(),
            kind: kind.into(),
            clerk_name: "Jane Smith".into(),
            clerk_email: email.into(),
            public_url: None,
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_in_plain_words() {
        let err = parse_founding(&args("not-an-email", "city")).unwrap_err();
        assert!(
            err.0
                .contains("--clerk-email: Enter an email address in the correct format")
        );
        assert!(err.0.contains("--kind: \"city\" is not a kind of council"));
        assert!(err.0.starts_with("Nothing was set up"));
    }

    #[test]
    fn good_details_become_a_founding() {
        let founding = parse_founding(&args("Clerk@Ashby-PC.gov.uk", "Parish")).unwrap();
        assert_eq!(founding.clerk_email.as_str(), "clerk@ashby-pc.gov.uk");
        assert_eq!(founding.kind, CouncilKind::Parish);
    }
}
