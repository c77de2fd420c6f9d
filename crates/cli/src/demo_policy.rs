//! The demo council's IT policy: the model policy adopted eleven months ago (so the review
//! reminder is showing), signed by some people and not yet by others, so every part of the
//! policy pages has something to show.

use anyhow::Context;
use custodian_core::ids::{CouncilId, PersonId, PolicyVersionId};
use custodian_core::person::RoleSet;
use custodian_core::policy::version::{
    DraftContent, MinuteReference, VersionOrigin, adopt, london_today, new_draft, sign,
};
use custodian_core::policy::{AdoptionBlock, PolicyProfile, declaration_text, render_policy};
use custodian_core::ports::{PersonStore, PolicyStore};
use custodian_store::Store;
use jiff::Timestamp;

/// Adopts the demo policy and signs it for `signers`.
pub async fn seed_policy(
    store: &Store,
    council: CouncilId,
    council_name: &str,
    clerk: PersonId,
    signers: &[PersonId],
    now: Timestamp,
) -> anyhow::Result<()> {
    let mut profile = PolicyProfile::model_defaults();
    // As the demo's settings: nobody has to set up an authenticator app to try it.
    profile.mfa_required_roles = RoleSet::empty();
    let (draft, event) = new_draft(
        council,
        PolicyVersionId::generate(),
        DraftContent {
            profile,
            origin: VersionOrigin::Model,
            note: "The council's first policy in Custodian, from the model.".to_owned(),
        },
        clerk,
        now,
    )
    .context("the demo policy could not be drafted")?;
    let version = store
        .create_draft(&draft, &event)
        .await
        .context("the demo policy could not be stored")?;

    let adopted_on = london_today(now)
        .checked_sub(jiff::Span::new().months(11))
        .context("the demo adoption date")?;
    let minute = MinuteReference::parse("FC/2025/118").context("the demo minute reference")?;
    let document = render_policy(
        &version.profile,
        council_name,
        &AdoptionBlock {
            adopted_on: Some(adopted_on),
            minute_reference: Some(minute.to_string()),
            review_due: None,
            review_interval_months: version.profile.review_interval_months,
        },
    );
    let adopted = adopt(
        &version,
        adopted_on,
        minute,
        now,
        &document.content_hash(),
        &declaration_text(&document),
        clerk,
    )
    .context("the demo policy could not be adopted")?;
    store
        .adopt(council, version.id, &adopted.adoption, &adopted.event)
        .await
        .context("the demo policy's adoption could not be stored")?;

    for person_id in signers {
        let person = store
            .person(council, *person_id)
            .await
            .context("a demo signer could not be read")?;
        let (declaration, event) = sign(
            Some(&adopted.version),
            version.id,
            &person,
            person.name.as_str(),
            now,
        )
        .with_context(|| format!("{} could not sign the demo policy", person.name))?;
        store
            .sign_declaration(&declaration, &event)
            .await
            .with_context(|| format!("{}'s signature could not be stored", person.name))?;
    }
    Ok(())
}
