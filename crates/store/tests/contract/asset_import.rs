//! Contract cases: importing many items at once (a CSV import) and reading the whole register.

use super::assets::{entry_count, new_item, register};
use super::*;
use custodian_core::asset::csv::{ImportContext, RegisterImport, import_register_csv};
use custodian_core::asset::{AssetNumber, AssetStatus, Category, issue, register_asset};
use custodian_core::ids::AssetId;
use custodian_core::ports::{AssetStore, AssetStoreError};

/// Reads `csv` as the CLI and the web page do, for `council` at t(30).
async fn read_csv(store: &Store, council: CouncilId, csv: &str) -> RegisterImport {
    let people = store.people(council).await.unwrap();
    let numbers = store.asset_numbers(council).await.unwrap();
    let context = ImportContext {
        council_id: council,
        people: &people,
        existing_numbers: &numbers,
        actor: Actor::Operator,
        now: t(30),
    };
    import_register_csv(csv.as_bytes(), &context, AssetId::generate)
        .unwrap_or_else(|report| panic!("the sample file should read: {report}"))
}

const SAMPLE: &str = "number,category,make,model,imei,status,holder_email,authorised_by\n\
    ASH-0002,laptop,Dell,Latitude,,,jane@ashby.example,clerk@ashby.example\n\
    ASH-0001,phone,Apple,iPhone,35-209900-176148-1,lost,,\n\
    ash-0010,storage,SanDisk,Ultra,,in store,,\n";

#[tokio::test]
async fn an_import_stores_every_item_with_its_audit_entries_and_the_chain_verifies() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let jane = add(store, ashby.id, "Jane Smith", "jane@ashby.example").await;
        let before = entry_count(store).await;
        let import = read_csv(store, ashby.id, SAMPLE).await;
        let stored = store
            .import_assets(ashby.id, &import.assets, &import.events)
            .await
            .unwrap_or_else(|e| panic!("{engine}: {e}"));
        assert_eq!(stored, 3, "{engine}");

        let register = store.all_assets(ashby.id).await.unwrap();
        let numbers: Vec<&str> = register.iter().map(|a| a.number.as_str()).collect();
        assert_eq!(numbers, ["ASH-0001", "ASH-0002", "ash-0010"], "{engine}");
        for asset in &import.assets {
            assert_eq!(
                &store.asset(ashby.id, asset.id).await.unwrap(),
                asset,
                "{engine}: an imported item reads back exactly"
            );
        }
        let laptop = &register[1];
        assert_eq!(laptop.holder(), Some(jane.id), "{engine}");
        assert!(
            matches!(
                laptop.status,
                AssetStatus::Issued {
                    acknowledged_at: None,
                    ..
                }
            ),
            "{engine}: waiting for Jane's own acknowledgement"
        );
        assert_eq!(
            laptop.authorisation,
            custodian_core::asset::PurchaseAuthorisation::ApprovedBy(clerk.id),
            "{engine}"
        );
        assert_eq!(register[0].status, AssetStatus::Lost, "{engine}");

        let entries = all_entries(store).await;
        assert_eq!(entries.len(), before + import.events.len(), "{engine}");
        let actions: Vec<&str> = entries[before..]
            .iter()
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "asset.registered",
                "asset.issued",
                "asset.registered",
                "asset.registered",
                "assets.imported"
            ],
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        // Nothing opened an incident: the loss happened before the register was kept here.
        assert!(
            store.incidents(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_import_with_a_number_already_in_the_register_stores_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        add(store, ashby.id, "Jane Smith", "jane@ashby.example").await;
        let import = read_csv(store, ashby.id, SAMPLE).await;
        // Meanwhile someone registers one of the file's numbers in other capitals.
        register(
            store,
            ashby.id,
            new_item("ASH-0010", Category::Laptop),
            t(31),
        )
        .await;
        let before = entry_count(store).await;
        let refused = store
            .import_assets(ashby.id, &import.assets, &import.events)
            .await;
        match refused {
            Err(AssetStoreError::DuplicateNumber { number, suggestion }) => {
                assert_eq!(number, "ash-0010", "{engine}");
                assert_eq!(suggestion, "ASH-0011", "{engine}");
            }
            other => panic!("{engine}: expected a duplicate number, got {other:?}"),
        }
        assert_eq!(
            store.all_assets(ashby.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        assert_eq!(entry_count(store).await, before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_number_used_twice_in_one_import_stores_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let items: Vec<_> = ["LAP-1", "lap-1"]
            .into_iter()
            .map(|n| {
                register_asset(
                    ashby.id,
                    AssetId::generate(),
                    new_item(n, Category::Laptop),
                    Actor::Operator,
                    t(30),
                )
                .unwrap()
            })
            .collect();
        let assets: Vec<_> = items.iter().map(|(a, _)| a.clone()).collect();
        let events: Vec<_> = items.iter().map(|(_, e)| e.clone()).collect();
        let refused = store.import_assets(ashby.id, &assets, &events).await;
        assert!(
            matches!(refused, Err(AssetStoreError::DuplicateNumber { .. })),
            "{engine}: {refused:?}"
        );
        assert!(
            store.all_assets(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn an_import_naming_another_councils_person_is_refused_and_stores_nothing() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (barton, _) = found(store, "Barton Town Council", "clerk@barton.example").await;
        let outsider = add(store, barton.id, "Bob Barton", "bob@barton.example").await;
        let (laptop, registered) = register_asset(
            ashby.id,
            AssetId::generate(),
            new_item("ASH-1", Category::Laptop),
            Actor::Operator,
            t(30),
        )
        .unwrap();
        // The rules refuse this too; the store must not rely on that.
        let mut issued = laptop.clone();
        issued.status = AssetStatus::Issued {
            to: outsider.id,
            since: t(30),
            acknowledged_at: None,
        };
        let before = entry_count(store).await;
        let refused = store
            .import_assets(ashby.id, &[issued], std::slice::from_ref(&registered))
            .await;
        assert!(
            matches!(
                refused,
                Err(AssetStoreError::Store(StoreError::NotFound("person")))
            ),
            "{engine}: {refused:?}"
        );
        // Nor may one council's items be imported into another's register.
        let refused = store
            .import_assets(barton.id, &[laptop], &[registered])
            .await;
        assert!(
            matches!(
                refused,
                Err(AssetStoreError::Store(StoreError::Conflict(_)))
            ),
            "{engine}: {refused:?}"
        );
        assert!(
            store.all_assets(ashby.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            store.all_assets(barton.id).await.unwrap().is_empty(),
            "{engine}"
        );
        assert_eq!(entry_count(store).await, before, "{engine}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_large_import_is_written_in_batches_and_stays_in_number_order() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, clerk) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let (barton, _) = found(store, "Barton Town Council", "clerk@barton.example").await;
        register(store, barton.id, new_item("B-1", Category::Laptop), t(29)).await;
        let mut assets = Vec::new();
        let mut events = Vec::new();
        for n in (1..=1_200).rev() {
            let (asset, event) = register_asset(
                ashby.id,
                AssetId::generate(),
                new_item(&format!("ASH-{n:04}"), Category::Laptop),
                Actor::Operator,
                t(30),
            )
            .unwrap();
            if n % 100 == 0 {
                let (issued, issued_event) = issue(&asset, &clerk, Actor::Operator, t(30)).unwrap();
                assets.push(issued);
                events.extend([event, issued_event]);
            } else {
                assets.push(asset);
                events.push(event);
            }
        }
        store
            .import_assets(ashby.id, &assets, &events)
            .await
            .unwrap();
        let register = store.all_assets(ashby.id).await.unwrap();
        assert_eq!(register.len(), 1_200, "{engine}");
        assert_eq!(register[0].number, AssetNumber::parse("ASH-0001").unwrap());
        assert_eq!(register[1_199].number.as_str(), "ASH-1200", "{engine}");
        assert_eq!(
            register
                .iter()
                .filter(|a| a.holder() == Some(clerk.id))
                .count(),
            12,
            "{engine}"
        );
        assert!(verify(store).await.is_intact(), "{engine}");
        // The other council's register is its own.
        assert_eq!(
            store.all_assets(barton.id).await.unwrap().len(),
            1,
            "{engine}"
        );
        db.finish().await;
    }
}
