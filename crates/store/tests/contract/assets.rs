//! Contract cases: the equipment register.

use super::*;
use custodian_core::asset::{
    Acknowledged, Asset, AssetNumber, AssetPage, AssetQuery, AssetSort, AssetStatus, Category,
    Encryption, Imei, NewAsset, PurchaseAuthorisation, SerialNumber, SimNumber, SortDirection,
    StatusFilter, WipeMethod, WipeRecord, acknowledge_many, acknowledgement_text, dispose, issue,
    luhn_check_digit, record_wipe, register_asset, return_to_store,
};
use custodian_core::ids::AssetId;
use custodian_core::ports::{AssetStore, AssetStoreError};

/// A laptop as the Clerk would enter it, with nothing optional left out.
pub(super) fn new_item(number: &str, category: Category) -> NewAsset {
    NewAsset {
        number: AssetNumber::parse(number).unwrap(),
        category,
        make: "Dell".into(),
        model: "Latitude 5440".into(),
        serial: Some(SerialNumber::parse("5CG1234XYZ").unwrap()),
        imei: None,
        sim: None,
        purchased_on: Some(jiff::civil::date(2025, 4, 1)),
        cost_pence: Some(129_999),
        supplier: "Acme Computers Ltd".into(),
        authorisation: PurchaseAuthorisation::MinuteReference("COU/229/25-26".into()),
        warranty_ends: Some(jiff::civil::date(2028, 4, 1)),
        encrypted: Encryption::Yes,
        location: "Council office".into(),
        notes: String::new(),
    }
}

/// A phone with its IMEI and SIM number, approved by `approver`, with awkward text.
pub(super) fn new_phone(number: &str, approver: PersonId) -> NewAsset {
    let payload = "8944100030300708521";
    NewAsset {
        make: "Apple".into(),
        model: "iPhone 13 \"Pro\" — café".into(),
        imei: Some(Imei::parse("35-209900-176148-1").unwrap()),
        sim: Some(SimNumber::parse(&format!("{payload}{}", luhn_check_digit(payload))).unwrap()),
        authorisation: PurchaseAuthorisation::ApprovedBy(approver),
        cost_pence: None,
        notes: "Kept in the safe 🔒\nPIN with the Clerk".into(),
        ..new_item(number, Category::Phone)
    }
}

pub(super) async fn register(
    store: &Store,
    council: CouncilId,
    input: NewAsset,
    at: Timestamp,
) -> Asset {
    let (asset, event) =
        register_asset(council, AssetId::generate(), input, Actor::Operator, at).unwrap();
    store
        .insert_asset(&asset, &event)
        .await
        .unwrap_or_else(|e| panic!("{:?}: could not register: {e}", store.engine()));
    asset
}

pub(super) async fn issue_to(
    store: &Store,
    asset: &Asset,
    person: &Person,
    at: Timestamp,
) -> Asset {
    let (issued, event) = issue(asset, person, Actor::Operator, at).unwrap();
    store.update_asset(&issued, &event).await.unwrap();
    issued
}

/// `person` acknowledges `assets` together, typing their name.
pub(super) async fn acknowledge_all(
    store: &Store,
    assets: &[Asset],
    person: &Person,
    at: Timestamp,
) -> Vec<Acknowledged> {
    let text = acknowledgement_text(assets, &PolicyProfile::model_defaults());
    let done = acknowledge_many(assets, person, Some(person.name.as_str()), &text, at).unwrap();
    store.record_acknowledgements(&done).await.unwrap();
    done
}

/// The sample's register: a phone issued and acknowledged, a laptop wiped and disposed of.
pub(super) async fn sample_register(store: &Store, council: CouncilId, holder: &Person) {
    let phone = register(store, council, new_phone("ASH/7", holder.id), t(22)).await;
    let phone = issue_to(store, &phone, holder, t(23)).await;
    acknowledge_all(store, &[phone], holder, t(24)).await;
    let laptop = register(store, council, new_item("ASH/8", Category::Laptop), t(22)).await;
    let (wiped, event) = record_wipe(
        &laptop,
        WipeRecord {
            method: WipeMethod::Other("Degaussed, then \"drilled\"".into()),
            by: holder.id,
            on: jiff::civil::date(2026, 5, 1),
            certificate_reference: Some("CERT-1".into()),
        },
        Actor::Operator,
        t(25),
    )
    .unwrap();
    store.update_asset(&wiped, &event).await.unwrap();
    let (disposed, event) = dispose(
        &wiped,
        "Green Recyclers Ltd",
        Some("WEEE-9"),
        Actor::Person(holder.id),
        t(26),
    )
    .unwrap();
    store.update_asset(&disposed, &event).await.unwrap();
}

pub(super) fn query() -> AssetQuery {
    AssetQuery::default()
}

pub(super) fn numbers(page: &AssetPage) -> Vec<&str> {
    page.assets.iter().map(|a| a.number.as_str()).collect()
}

pub(super) async fn entry_count(store: &Store) -> usize {
    all_entries(store).await.len()
}

#[tokio::test]
async fn a_registered_item_reads_back_with_every_field_through_its_whole_life() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let phone = register(store, ashby.id, new_phone("abc-0001", clerk.id), t(10)).await;
        assert_eq!(
            store.asset(ashby.id, phone.id).await.unwrap(),
            phone,
            "{engine}"
        );
        let unapproved = NewAsset {
            authorisation: PurchaseAuthorisation::None,
            serial: None,
            purchased_on: None,
            warranty_ends: None,
            encrypted: Encryption::Unknown,
            ..new_item("ABC-0002", Category::Storage)
        };
        let stick = register(store, ashby.id, unapproved, t(11)).await;
        assert_eq!(
            store.asset(ashby.id, stick.id).await.unwrap(),
            stick,
            "{engine}"
        );

        // Each step of the phone's life is stored as the rules decided it.
        let issued = issue_to(store, &phone, &clerk, t(12)).await;
        assert_eq!(
            store.asset(ashby.id, phone.id).await.unwrap(),
            issued,
            "{engine}"
        );
        let (returned, event) = return_to_store(&issued, Actor::Operator, t(13)).unwrap();
        store.update_asset(&returned, &event).await.unwrap();
        let (wiped, event) = record_wipe(
            &returned,
            WipeRecord {
                method: WipeMethod::CryptoErase,
                by: clerk.id,
                on: jiff::civil::date(2026, 5, 28),
                certificate_reference: None,
            },
            Actor::Person(clerk.id),
            t(14),
        )
        .unwrap();
        store.update_asset(&wiped, &event).await.unwrap();
        let (disposed, event) = dispose(
            &wiped,
            "Green Recyclers",
            Some("C-1"),
            Actor::Person(clerk.id),
            t(15),
        )
        .unwrap();
        store.update_asset(&disposed, &event).await.unwrap();
        let stored = store.asset(ashby.id, phone.id).await.unwrap();
        assert_eq!(stored, disposed, "{engine}");
        assert_eq!(stored.status, AssetStatus::Disposed, "{engine}");

        let actions: Vec<String> = all_entries(store)
            .await
            .into_iter()
            .filter(|e| e.subject == phone.subject())
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "asset.registered",
                "asset.issued",
                "asset.returned",
                "asset.wiped",
                "asset.disposed"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_number_already_used_in_other_capitals_is_refused_with_a_suggestion_and_nothing_is_stored()
 {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (bryn, _) = found(store, "Bryn Town Council", "clerk@bryn.example").await;
        register(
            store,
            ashby.id,
            new_item("ABC-0041", Category::Laptop),
            t(1),
        )
        .await;
        let first = register(
            store,
            ashby.id,
            new_item("ABC-0042", Category::Laptop),
            t(2),
        )
        .await;
        let entries = entry_count(store).await;

        let (again, event) = register_asset(
            ashby.id,
            AssetId::generate(),
            new_item("abc-0042", Category::Desktop),
            Actor::Operator,
            t(3),
        )
        .unwrap();
        match store.insert_asset(&again, &event).await {
            Err(AssetStoreError::DuplicateNumber { number, suggestion }) => {
                assert_eq!(number, "abc-0042", "{engine}");
                assert_eq!(suggestion, "ABC-0043", "{engine}");
            }
            other => panic!("{engine}: expected DuplicateNumber, got {other:?}"),
        }
        assert!(matches!(
            store.asset(ashby.id, again.id).await,
            Err(StoreError::NotFound("asset"))
        ));
        assert_eq!(
            store.assets(ashby.id, &query()).await.unwrap().total,
            2,
            "{engine}"
        );
        assert_eq!(
            entry_count(store).await,
            entries,
            "{engine}: no audit entry"
        );

        // Renumbering another item onto a taken number is refused the same way.
        let mut renumbered = first.clone();
        renumbered.number = AssetNumber::parse("abc-0041").unwrap();
        let event = AuditEvent::new(ashby.id, t(4), Actor::Operator, "asset.changed");
        assert!(
            matches!(
                store.update_asset(&renumbered, &event).await,
                Err(AssetStoreError::DuplicateNumber { .. })
            ),
            "{engine}"
        );

        // Another council may use the same number, and the suggestion follows the register.
        register(store, bryn.id, new_item("ABC-0042", Category::Laptop), t(5)).await;
        let suggested = custodian_core::asset::suggest_next(
            store.asset_numbers(ashby.id).await.unwrap().iter(),
        );
        assert_eq!(suggested.as_str(), "ABC-0043", "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn another_council_gets_not_found_and_never_sees_the_item_in_lists() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (bryn, bryn_clerk) = found(store, "Bryn Town Council", "clerk@bryn.example").await;
        let laptop = register(store, ashby.id, new_item("ABC-1", Category::Laptop), t(1)).await;
        let laptop = issue_to(store, &laptop, &clerk, t(2)).await;

        assert!(
            matches!(
                store.asset(bryn.id, laptop.id).await,
                Err(StoreError::NotFound("asset"))
            ),
            "{engine}"
        );
        assert!(
            matches!(
                store.acknowledgements(bryn.id, laptop.id).await,
                Err(StoreError::NotFound("asset"))
            ),
            "{engine}"
        );
        let theirs = store.assets(bryn.id, &query()).await.unwrap();
        assert_eq!((theirs.total, theirs.assets.len()), (0, 0), "{engine}");
        let by_holder = AssetQuery {
            holder: Some(clerk.id),
            ..query()
        };
        assert_eq!(store.assets(bryn.id, &by_holder).await.unwrap().total, 0);
        assert!(store.asset_numbers(bryn.id).await.unwrap().is_empty());

        // A change naming the other council, or one of its people, is refused.
        let mut moved = laptop.clone();
        moved.council_id = bryn.id;
        let event = AuditEvent::new(bryn.id, t(3), Actor::Operator, "asset.changed");
        assert!(
            matches!(
                store.update_asset(&moved, &event).await,
                Err(AssetStoreError::Store(StoreError::NotFound("asset")))
            ),
            "{engine}"
        );
        let mut handed = laptop.clone();
        handed.status = AssetStatus::Issued {
            to: bryn_clerk.id,
            since: t(3),
            acknowledged_at: None,
        };
        let event = AuditEvent::new(ashby.id, t(3), Actor::Operator, "asset.transferred");
        assert!(
            matches!(
                store.update_asset(&handed, &event).await,
                Err(AssetStoreError::Store(StoreError::NotFound("person")))
            ),
            "{engine}"
        );
        assert_eq!(store.asset(ashby.id, laptop.id).await.unwrap(), laptop);
        db.finish().await;
    }
}

#[tokio::test]
async fn the_register_is_searched_filtered_sorted_both_ways_and_paged_with_a_total() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let item = |number: &str, category, make: &str, model: &str, bought: Option<i16>| {
            let mut input = new_item(number, category);
            input.make = make.into();
            input.model = model.into();
            input.serial = None;
            input.purchased_on = bought.map(|y| jiff::civil::date(y, 1, 1));
            input.warranty_ends = None;
            input
        };
        for input in [
            item("PC_1", Category::Desktop, "HP", "ProDesk", Some(2021)),
            item("PC11", Category::Desktop, "HP", "EliteDesk", Some(2023)),
            item("LAP-2", Category::Laptop, "Dell", "Mega 50% edition", None),
            item("LAP-3", Category::Laptop, "Dell", "Mega 500", Some(2022)),
            item("USB-4", Category::Storage, "SanDisk", "Ultra", Some(2024)),
        ] {
            register(store, ashby.id, input, t(1)).await;
        }
        let mut printer = item("PRN-5", Category::Printer, "Brother", "HL", Some(2020));
        printer.location = "Pavilion store room".into();
        printer.serial = Some(SerialNumber::parse("BRO-99X").unwrap());
        let printer = register(store, ashby.id, printer, t(1)).await;
        issue_to(store, &printer, &clerk, t(2)).await;

        let list = |q: AssetQuery| async move { store.assets(ashby.id, &q).await.unwrap() };
        let search = |text: &str| AssetQuery {
            text: Some(text.to_owned()),
            ..query()
        };
        // Capitals ignored; % and _ are matched as themselves; serial and location searched.
        assert_eq!(
            numbers(&list(search("dell")).await),
            ["LAP-2", "LAP-3"],
            "{engine}"
        );
        assert_eq!(numbers(&list(search("50%")).await), ["LAP-2"], "{engine}");
        assert_eq!(numbers(&list(search("pc_1")).await), ["PC_1"], "{engine}");
        assert_eq!(
            numbers(&list(search("bro-99")).await),
            ["PRN-5"],
            "{engine}"
        );
        assert_eq!(
            numbers(&list(search("PAVILION")).await),
            ["PRN-5"],
            "{engine}"
        );
        assert_eq!(list(search("  ")).await.total, 6, "{engine}");

        let laptops = list(AssetQuery {
            category: Some(Category::Laptop),
            ..query()
        })
        .await;
        assert_eq!(numbers(&laptops), ["LAP-2", "LAP-3"], "{engine}");
        let issued = list(AssetQuery {
            status: Some(StatusFilter::Issued),
            ..query()
        })
        .await;
        assert_eq!(numbers(&issued), ["PRN-5"], "{engine}");
        let held = list(AssetQuery {
            holder: Some(clerk.id),
            ..query()
        })
        .await;
        assert_eq!(numbers(&held), ["PRN-5"], "{engine}");
        let none = list(AssetQuery {
            status: Some(StatusFilter::Lost),
            ..query()
        })
        .await;
        assert_eq!((none.total, none.assets.len()), (0, 0), "{engine}");

        let sorted = |sort, direction| AssetQuery {
            sort,
            direction,
            ..query()
        };
        assert_eq!(
            numbers(&list(sorted(AssetSort::Number, SortDirection::Ascending)).await),
            ["LAP-2", "LAP-3", "PC11", "PC_1", "PRN-5", "USB-4"],
            "{engine}: byte order, the same on both engines"
        );
        assert_eq!(
            numbers(&list(sorted(AssetSort::Number, SortDirection::Descending)).await),
            ["USB-4", "PRN-5", "PC_1", "PC11", "LAP-3", "LAP-2"],
            "{engine}"
        );
        assert_eq!(
            numbers(&list(sorted(AssetSort::PurchasedOn, SortDirection::Ascending)).await),
            ["PRN-5", "PC_1", "LAP-3", "PC11", "USB-4", "LAP-2"],
            "{engine}: no date last"
        );
        assert_eq!(
            numbers(&list(sorted(AssetSort::PurchasedOn, SortDirection::Descending)).await),
            ["USB-4", "PC11", "LAP-3", "PC_1", "PRN-5", "LAP-2"],
            "{engine}: no date still last"
        );
        assert_eq!(
            numbers(&list(sorted(AssetSort::Category, SortDirection::Descending)).await),
            ["USB-4", "PRN-5", "LAP-2", "LAP-3", "PC11", "PC_1"],
            "{engine}: storage, printer, laptop, desktop; ties by number"
        );
        assert_eq!(
            numbers(&list(sorted(AssetSort::Status, SortDirection::Descending)).await)[0],
            "PRN-5",
            "{engine}"
        );

        let page = list(AssetQuery {
            page_size: 4,
            page: 2,
            ..query()
        })
        .await;
        assert_eq!(numbers(&page), ["PRN-5", "USB-4"], "{engine}");
        assert_eq!(
            (page.total, page.page, page.page_size, page.pages()),
            (6, 2, 4, 2)
        );
        let beyond = list(AssetQuery {
            page_size: 4,
            page: 9,
            ..query()
        })
        .await;
        assert_eq!((beyond.total, beyond.assets.len()), (6, 0), "{engine}");
        db.finish().await;
    }
}
