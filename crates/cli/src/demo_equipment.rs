//! The demo council's equipment register: laptops, phones and tablets issued to people (most
//! acknowledged, one not yet), a laptop still with the councillor who left, a tablet lost on a
//! train (so its incident is opened by the register, with the IMEI and SIM), a router and a
//! printer in the office, and an old laptop wiped and disposed of. Every change goes through the
//! same rules and store as real use, so the history pages and the audit log have something true
//! to show.

use anyhow::Context;
use custodian_core::asset::{
    AssetNumber, Category, Encryption, Imei, LossKind, LossReport, NewAsset, PurchaseAuthorisation,
    SerialNumber, SimNumber, WipeMethod, WipeRecord, acknowledge_many, acknowledgement_text,
    dispose, issue, luhn_check_digit, record_wipe, register_asset, report_loss,
};
use custodian_core::audit::Actor;
use custodian_core::ids::{AssetId, CouncilId, IncidentId, PersonId};
use custodian_core::policy::PolicyProfile;
use custodian_core::ports::{AssetStore, PersonStore};
use custodian_store::Store;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

/// The people the demo's equipment is issued to.
pub struct Holders {
    pub clerk: PersonId,
    pub chair: PersonId,
    pub assistant: PersonId,
    pub councillor_on_train: PersonId,
    pub it_provider: PersonId,
    /// Still active while seeding; marked as left afterwards, keeping the laptop.
    pub leaver: PersonId,
}

/// One item of the demo register.
struct Item {
    number: &'static str,
    category: Category,
    make: &'static str,
    model: &'static str,
    serial: &'static str,
    /// For phones and tablets: the first 14 digits of the IMEI and the first 19 of the SIM
    /// number, completed with their Luhn check digits.
    mobile: Option<(&'static str, &'static str)>,
    bought: (i16, i8, i8),
    cost_pence: u64,
    location: &'static str,
}

const ITEMS: [Item; 9] = [
    item(
        "DPC-001",
        Category::Laptop,
        "Dell",
        "Latitude 5440",
        "5CG3141XYZ",
        None,
        (2024, 4, 8),
        98_900,
        "Clerk's office",
    ),
    item(
        "DPC-002",
        Category::Phone,
        "Apple",
        "iPhone 13",
        "F2LXK0Q1N72J",
        Some(("35209900176148", "8944100030300708521")),
        (2023, 9, 18),
        59_900,
        "With the Clerk",
    ),
    item(
        "DPC-003",
        Category::Laptop,
        "Lenovo",
        "ThinkPad E14",
        "PF3ZK2M1",
        None,
        (2024, 4, 8),
        74_500,
        "Chair's home",
    ),
    item(
        "DPC-004",
        Category::Laptop,
        "HP",
        "ProBook 450 G10",
        "5CD2331QWE",
        None,
        (2023, 11, 2),
        69_900,
        "Parish office",
    ),
    item(
        "DPC-005",
        Category::Tablet,
        "Samsung",
        "Galaxy Tab A8",
        "R9AT30ABCDE",
        Some(("35390812345678", "8944100030300708530")),
        (2024, 1, 15),
        21_900,
        "Councillors' tablets",
    ),
    item(
        "DPC-006",
        Category::Laptop,
        "Dell",
        "Latitude 3420",
        "7HJ2K93",
        None,
        (2022, 5, 20),
        64_900,
        "Councillor's home",
    ),
    item(
        "DPC-007",
        Category::Router,
        "Draytek",
        "Vigor 2865",
        "2865ACX0042",
        None,
        (2022, 3, 1),
        28_900,
        "Parish office, comms cupboard",
    ),
    item(
        "DPC-008",
        Category::Printer,
        "Brother",
        "MFC-L3770CDW",
        "E78912K3N456",
        None,
        (2021, 6, 14),
        38_900,
        "Parish office",
    ),
    item(
        "DPC-009",
        Category::Laptop,
        "Toshiba",
        "Satellite Pro C50",
        "2F123456Q",
        None,
        (2016, 2, 10),
        42_000,
        "Store cupboard",
    ),
];

#[allow(clippy::too_many_arguments)]
const fn item(
    number: &'static str,
    category: Category,
    make: &'static str,
    model: &'static str,
    serial: &'static str,
    mobile: Option<(&'static str, &'static str)>,
    bought: (i16, i8, i8),
    cost_pence: u64,
    location: &'static str,
) -> Item {
    Item {
        number,
        category,
        make,
        model,
        serial,
        mobile,
        bought,
        cost_pence,
        location,
    }
}

/// Registers the demo items and takes each through its story. Returns the Clerk's laptop and
/// phone, which the demo's devices are.
pub async fn seed_equipment(
    store: &Store,
    council: CouncilId,
    holders: &Holders,
    now: Timestamp,
) -> anyhow::Result<(AssetId, AssetId)> {
    let clerk = Actor::Person(holders.clerk);
    let it_provider = Actor::Person(holders.it_provider);
    let at = |days: i64| now - SignedDuration::from_hours(24 * days);
    let mut items = Vec::new();
    for spec in &ITEMS {
        let (asset, event) = register_asset(
            council,
            AssetId::generate(),
            new_asset(spec, holders)?,
            it_provider.clone(),
            at(400),
        )
        .with_context(|| format!("demo item {} could not be registered", spec.number))?;
        store
            .insert_asset(&asset, &event)
            .await
            .with_context(|| format!("demo item {} could not be stored", spec.number))?;
        items.push(asset);
    }
    let issues = [
        (0, holders.clerk, true),
        (1, holders.clerk, true),
        (2, holders.chair, true),
        (3, holders.assistant, false),
        (4, holders.councillor_on_train, true),
        (5, holders.leaver, true),
    ];
    for (index, holder, acknowledges) in issues {
        let person = store.person(council, holder).await?;
        let (issued, event) = issue(&items[index], &person, clerk.clone(), at(300))
            .context("a demo item could not be issued")?;
        store.update_asset(&issued, &event).await?;
        items[index] = issued;
        if acknowledges {
            let text = acknowledgement_text(
                std::slice::from_ref(&items[index]),
                &PolicyProfile::model_defaults(),
            );
            let done = acknowledge_many(
                std::slice::from_ref(&items[index]),
                &person,
                None,
                &text,
                at(299),
            )
            .context("a demo item could not be acknowledged")?;
            store.record_acknowledgements(&done).await?;
            items[index] = done[0].asset.clone();
        }
    }

    // The tablet left on the train: the register opens the incident. The report is made about
    // the item as stored (times in whole milliseconds), as the loss page does.
    let tablet = store.asset(council, items[4].id).await?;
    let loss = report_loss(
        &tablet,
        LossReport {
            kind: LossKind::Lost,
            reporter: holders.councillor_on_train,
            reporter_may_report_any: false,
            summary: "Council tablet left on the 17:42 train from Ipswich after the planning \
                      committee. Reported to the station's lost property office."
                .to_owned(),
            happened_at: Some(now - SignedDuration::from_hours(50)),
        },
        IncidentId::generate(),
        &PolicyProfile::model_defaults(),
        now - SignedDuration::from_hours(48),
    )
    .context("the demo tablet's loss could not be reported")?;
    store.record_loss(&loss).await?;

    // The old laptop: wiped by the IT provider, then collected by a recycler.
    let wipe = WipeRecord {
        method: WipeMethod::Overwrite,
        by: holders.it_provider,
        on: at(30).to_zoned(jiff::tz::TimeZone::UTC).date(),
        certificate_reference: Some("WIPE-2026-0193".to_owned()),
    };
    let (wiped, event) = record_wipe(&items[8], wipe, it_provider.clone(), at(30))
        .context("the demo laptop's wipe could not be recorded")?;
    store.update_asset(&wiped, &event).await?;
    let (disposed, event) = dispose(
        &wiped,
        "Suffolk Computer Recycling Ltd",
        Some("WEEE-88412"),
        clerk,
        at(20),
    )
    .context("the demo laptop could not be disposed of")?;
    store.update_asset(&disposed, &event).await?;
    Ok((items[0].id, items[1].id))
}

fn new_asset(spec: &Item, holders: &Holders) -> anyhow::Result<NewAsset> {
    let (year, month, day) = spec.bought;
    let bought = Date::new(year, month, day).context("a demo purchase date")?;
    let (imei, sim) = match spec.mobile {
        Some((imei, sim)) => (
            Some(Imei::parse(&with_check_digit(imei)).context("a demo IMEI")?),
            Some(SimNumber::parse(&with_check_digit(sim)).context("a demo SIM number")?),
        ),
        None => (None, None),
    };
    // Older kit predates Custodian; newer purchases were approved by the Clerk or minuted.
    let authorisation = match year {
        ..=2021 => PurchaseAuthorisation::None,
        2022 | 2023 => PurchaseAuthorisation::MinuteReference(format!("FC/{year}/0{month}")),
        _ => PurchaseAuthorisation::ApprovedBy(holders.clerk),
    };
    Ok(NewAsset {
        number: AssetNumber::parse(spec.number).context("a demo asset number")?,
        category: spec.category,
        make: spec.make.to_owned(),
        model: spec.model.to_owned(),
        serial: Some(SerialNumber::parse(spec.serial).context("a demo serial number")?),
        imei,
        sim,
        purchased_on: Some(bought),
        cost_pence: Some(spec.cost_pence),
        supplier: "Anglia IT Supplies Ltd".to_owned(),
        authorisation,
        warranty_ends: bought.checked_add(jiff::Span::new().years(3)).ok(),
        encrypted: match spec.category {
            Category::Router | Category::Printer => Encryption::Unknown,
            _ if year <= 2016 => Encryption::No,
            _ => Encryption::Yes,
        },
        location: spec.location.to_owned(),
        notes: String::new(),
    })
}

fn with_check_digit(payload: &str) -> String {
    format!("{payload}{}", luhn_check_digit(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_item_is_valid_and_numbered_in_order() {
        let holders = Holders {
            clerk: PersonId::generate(),
            chair: PersonId::generate(),
            assistant: PersonId::generate(),
            councillor_on_train: PersonId::generate(),
            it_provider: PersonId::generate(),
            leaver: PersonId::generate(),
        };
        for spec in &ITEMS {
            let input = new_asset(spec, &holders).unwrap();
            register_asset(
                CouncilId::generate(),
                AssetId::generate(),
                input,
                Actor::System,
                "2026-11-23T12:00:00Z".parse().unwrap(),
            )
            .unwrap();
        }
        let numbers: Vec<_> = ITEMS.iter().map(|i| i.number).collect();
        let mut sorted = numbers.clone();
        sorted.sort();
        assert_eq!(numbers, sorted);
    }
}
