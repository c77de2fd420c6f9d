//! The demo council's password vault: the administrative and shared credentials the seeds name (4.1.2, 4.1.5:
//! website admin, social media, domain registrar, email administration) and a few everyday
//! ones, in every state the vault page shows: fine, password change overdue, renewal coming
//! up, supplier default not confirmed changed, a two-step code stored. The Clerk revealed one
//! last month, and the IT provider is waiting for time-limited access to another.

use anyhow::Context;
use custodian_core::audit::Actor;
use custodian_core::ids::{AccessGrantId, CouncilId, PersonId, VaultItemId};
use custodian_core::person::{Person, PersonStatus, Role};
use custodian_core::ports::{CouncilStore, PersonStore, VaultChange, VaultStore};
use custodian_core::vault::{
    AccessGrant, Confirmed, ItemDetails, RevealBasis, SecretField, VaultItem, item_event,
};
use custodian_store::Store;
use custodian_vault::Key;
use custodian_web::vault_box::seal_new_item;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

struct Sample {
    name: &'static str,
    kind: &'static str,
    address: &'static str,
    username: &'static str,
    sealed: bool,
    roles: &'static [Role],
    rotation_days: &'static str,
    renewal_in_days: Option<i64>,
    /// Days since the password was last changed.
    rotated_days_ago: i64,
    default_confirmed: bool,
    secrets: &'static [(SecretField, &'static str)],
}

const SAMPLES: &[Sample] = &[
    Sample {
        name: "Council website administration",
        kind: "website_admin",
        address: "https://www.demo-parish.example/wp-admin",
        username: "clerk@demo-parish.example",
        sealed: true,
        roles: &[Role::Clerk],
        rotation_days: "365",
        renewal_in_days: None,
        rotated_days_ago: 120,
        default_confirmed: true,
        secrets: &[
            (SecretField::Password, "harvest-lantern-orchard-pebble"),
            (SecretField::TotpSeed, "JBSWY3DPEHPK3PXP"),
            (
                SecretField::RecoveryCodes,
                "4821-7730\n9904-1276\n3358-0062\n7719-4410",
            ),
        ],
    },
    Sample {
        name: "Council Facebook page",
        kind: "social_media",
        address: "https://www.facebook.com/",
        username: "demo.parish.council",
        sealed: false,
        roles: &[Role::Clerk, Role::Staff],
        rotation_days: "",
        renewal_in_days: None,
        rotated_days_ago: 40,
        default_confirmed: true,
        secrets: &[(SecretField::Password, "meadow-kettle-bramble")],
    },
    Sample {
        name: "Domain name (demo-parish.example)",
        kind: "domain_registrar",
        address: "https://registrar.example/account",
        username: "DPC-44120",
        sealed: true,
        roles: &[Role::Clerk],
        rotation_days: "",
        renewal_in_days: Some(20),
        rotated_days_ago: 300,
        default_confirmed: true,
        secrets: &[
            (SecretField::Password, "copper-thistle-lagoon-ember"),
            (
                SecretField::Notes,
                "Renews each January. The account is in the council's name, paid by card.",
            ),
        ],
    },
    Sample {
        name: "Council email administration",
        kind: "email_admin",
        address: "https://admin.mail.example",
        username: "admin@demo-parish.example",
        sealed: true,
        roles: &[Role::Clerk],
        rotation_days: "180",
        renewal_in_days: None,
        rotated_days_ago: 200,
        default_confirmed: true,
        secrets: &[(SecretField::Password, "saddle-quarry-nutmeg-willow")],
    },
    Sample {
        name: "Village hall office Wi-Fi",
        kind: "wifi",
        address: "DPC-Office",
        username: "",
        sealed: false,
        roles: &[Role::Clerk, Role::Staff, Role::Councillor],
        rotation_days: "",
        renewal_in_days: None,
        rotated_days_ago: 400,
        default_confirmed: false,
        secrets: &[(SecretField::Password, "orbit-parsnip-velvet")],
    },
    Sample {
        name: "Office printer administration",
        kind: "device_admin",
        address: "http://192.168.1.20",
        username: "admin",
        sealed: false,
        roles: &[Role::Clerk, Role::ItProvider],
        rotation_days: "",
        renewal_in_days: None,
        rotated_days_ago: 500,
        default_confirmed: false,
        secrets: &[(SecretField::Password, "cobalt-fennel-ripple")],
    },
];

fn first_with(people: &[Person], role: Role) -> anyhow::Result<&Person> {
    people
        .iter()
        .find(|p| p.status == PersonStatus::Active && p.roles.contains(role))
        .with_context(|| format!("the demo council has no active {}", role.label()))
}

/// Stores the demo vault items in the demo council (the only council of a new demo).
pub async fn seed_vault(store: &Store, key: &Key, now: Timestamp) -> anyhow::Result<()> {
    let council = store
        .councils()
        .await?
        .into_iter()
        .next()
        .context("the demo council is missing")?;
    let people = store.people(council.id).await?;
    let clerk = first_with(&people, Role::Clerk)?.id;
    let it_provider = first_with(&people, Role::ItProvider)?.id;
    let days_ago = |days: i64| now - SignedDuration::from_hours(24 * days);
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut website = None;
    for sample in SAMPLES {
        let item = add_item(store, key, council.id, clerk, sample, days_ago, today).await?;
        if sample.kind == "website_admin" {
            website = Some(item);
        }
    }
    let website = website.context("the demo website item is missing")?;
    // The Clerk looked up the website password last month to update the meeting calendar.
    let revealed = item_event(
        &website,
        days_ago(30),
        Actor::Person(clerk),
        "vault.revealed",
        json!({
            "field": SecretField::Password.as_str(),
            "reason": "Updating the meetings calendar on the website",
            "basis": RevealBasis::Role(Role::Clerk).to_audit(),
        }),
    );
    store
        .change_vault(
            council.id,
            &VaultChange {
                events: &[revealed],
                ..VaultChange::default()
            },
        )
        .await
        .context("the demo reveal could not be recorded")?;
    // The IT provider has asked for the website password to renew its certificate.
    let grant = AccessGrant::request(
        AccessGrantId::generate(),
        council.id,
        it_provider,
        vec![website.id],
        "Renewing the website's security certificate, which expires this week",
        4,
        days_ago(1),
    )?;
    let asked = custodian_core::audit::AuditEvent::new(
        council.id,
        days_ago(1),
        Actor::Person(it_provider),
        "vault.access_requested",
    )
    .subject(format!("vault_grant:{}", grant.id))
    .details(json!({ "items": [website.id.to_string()], "hours": grant.hours }));
    store
        .insert_grant(&grant, &[], &asked)
        .await
        .context("the demo access request could not be stored")?;
    Ok(())
}

async fn add_item(
    store: &Store,
    key: &Key,
    council: CouncilId,
    clerk: PersonId,
    sample: &Sample,
    days_ago: impl Fn(i64) -> Timestamp,
    today: jiff::civil::Date,
) -> anyhow::Result<VaultItem> {
    let renewal = sample
        .renewal_in_days
        .map(|days| today + jiff::Span::new().days(days))
        .map(|date| date.to_string())
        .unwrap_or_default();
    let details = ItemDetails {
        name: sample.name.into(),
        kind: sample.kind.into(),
        address: sample.address.into(),
        username: sample.username.into(),
        tier: if sample.sealed { "sealed" } else { "ordinary" }.into(),
        roles: sample.roles.to_vec(),
        people: vec![],
        rotation_days: sample.rotation_days.into(),
        renewal_due: renewal,
    }
    .check()
    .map_err(|problems| {
        anyhow::anyhow!(
            "demo item {} is not valid: {}",
            sample.name,
            problems
                .iter()
                .map(|(field, e)| format!("{field}: {e}"))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let created = days_ago(sample.rotated_days_ago.max(30) + 10);
    let mut item = VaultItem::new(VaultItemId::generate(), council, details, created);
    // Sealed as the item pages seal them (`vault_box`): one version per field first.
    let mut values = Vec::new();
    for (field, value) in sample.secrets {
        item.replace_secret(*field, days_ago(sample.rotated_days_ago));
        values.push((*field, custodian_core::vault::check_secret(*field, value)?));
    }
    let values: Vec<(SecretField, &str)> = values.iter().map(|(f, v)| (*f, v.as_str())).collect();
    let (wrapped, sealed) = seal_new_item(key, &item, &values)?;
    if sample.default_confirmed {
        item.default_changed = Some(Confirmed {
            by: clerk,
            at: created,
        });
    }
    let event = item_event(
        &item,
        created,
        Actor::Person(clerk),
        "vault.item_added",
        json!({ "kind": item.kind.as_str(), "tier": item.tier.as_str() }),
    );
    store
        .insert_vault_item(
            &wrapped,
            &VaultChange {
                item: Some(&item),
                sealed: &sealed,
                events: &[event],
                ..VaultChange::default()
            },
        )
        .await
        .with_context(|| format!("the demo item {} could not be stored", sample.name))?;
    Ok(item)
}
