//! Contract cases: the register search's stored text (migration 0009) follows every way an item
//! is written (registered, edited, imported from CSV, brought in by an installation import or
//! already there when the migration ran), and finds capitals in any alphabet on both engines.

use super::assets::{new_item, numbers, query, register};
use super::*;
use custodian_core::asset::csv::{ImportContext, import_register_csv};
use custodian_core::asset::{AssetPage, AssetQuery, Category};
use custodian_core::ids::AssetId;
use custodian_core::ports::AssetStore;

async fn search(store: &Store, council: CouncilId, text: &str) -> AssetPage {
    let query = AssetQuery {
        text: Some(text.to_owned()),
        ..query()
    };
    store.assets(council, &query).await.unwrap()
}

#[tokio::test]
async fn an_edited_item_is_found_by_its_new_make_and_location_and_not_by_the_old() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let before = register(store, ashby.id, new_item("LAP-1", Category::Laptop), t(1)).await;
        assert_eq!(search(store, ashby.id, "lenovo").await.total, 0, "{engine}");

        let after = custodian_core::asset::Asset {
            make: "Lenovo".into(),
            location: "Village hall".into(),
            ..before.clone()
        };
        let event = AuditEvent::new(ashby.id, t(2), Actor::Operator, "asset.updated")
            .subject(before.subject());
        store
            .update_asset_if_unchanged(&before, &after, &event)
            .await
            .unwrap();

        for text in ["lenovo", "VILLAGE HALL"] {
            assert_eq!(
                numbers(&search(store, ashby.id, text).await),
                ["LAP-1"],
                "{engine}: {text:?} finds the edited item"
            );
        }
        for text in ["dell", "council office"] {
            assert_eq!(
                search(store, ashby.id, text).await.total,
                0,
                "{engine}: {text:?} no longer finds it"
            );
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn items_imported_from_a_csv_file_are_found_by_every_searched_field() {
    const CSV: &str = "number,category,make,model,serial,location\n\
        ASH-0001,phone,Apple,iPhone 13,F2LXK1,Clerk's home\n\
        ASH-0002,storage,SanDisk,Ultra,,Village hall\n";
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let people = store.people(ashby.id).await.unwrap();
        let context = ImportContext {
            council_id: ashby.id,
            people: &people,
            existing_numbers: &[],
            actor: Actor::Operator,
            now: t(30),
        };
        let import = import_register_csv(CSV.as_bytes(), &context, AssetId::generate)
            .unwrap_or_else(|report| panic!("the sample file should read: {report}"));
        store
            .import_assets(ashby.id, &import.assets, &import.events)
            .await
            .unwrap();

        for (text, found) in [
            ("ash-0002", "ASH-0002"),
            ("APPLE", "ASH-0001"),
            ("phone 13", "ASH-0001"),
            ("f2lxk", "ASH-0001"),
            ("clerk's", "ASH-0001"),
            ("sandisk", "ASH-0002"),
            ("hall", "ASH-0002"),
        ] {
            assert_eq!(
                numbers(&search(store, ashby.id, text).await),
                [found],
                "{engine}: {text:?}"
            );
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn capitals_outside_a_to_z_are_ignored_on_both_engines() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let mut input = new_item("TAB-1", Category::Tablet);
        input.make = "ÖKOTECH".into();
        input.location = "ÉCOLE SAINT-MARTIN".into();
        register(store, ashby.id, input, t(1)).await;
        let mut input = new_item("TAB-2", Category::Tablet);
        input.location = "école maternelle".into();
        register(store, ashby.id, input, t(1)).await;

        for (text, found) in [
            ("école", &["TAB-1", "TAB-2"][..]),
            ("ÉCOLE", &["TAB-1", "TAB-2"]),
            ("École Saint", &["TAB-1"]),
            ("ökotech", &["TAB-1"]),
        ] {
            assert_eq!(
                numbers(&search(store, ashby.id, text).await),
                found,
                "{engine}: {text:?}"
            );
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn a_search_never_runs_from_one_field_into_the_next() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        // Make "Dell", model "Latitude 5440".
        register(store, ashby.id, new_item("LAP-1", Category::Laptop), t(1)).await;
        assert_eq!(
            numbers(&search(store, ashby.id, "latitude").await),
            ["LAP-1"]
        );
        for text in ["dell latitude", "dell\nlatitude", "delllatitude"] {
            assert_eq!(
                search(store, ashby.id, text).await.total,
                0,
                "{engine}: {text:?} spans the make and the model"
            );
        }
        db.finish().await;
    }
}

/// Items stored before migration 0009 get their search text when it runs: simulated by taking
/// the column and its index away again and forgetting that 0009 ran.
#[tokio::test]
async fn the_migration_fills_the_search_text_of_items_already_in_the_register() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        let mut input = new_item("LAP-1", Category::Laptop);
        input.location = "ÉCOLE".into();
        register(store, ashby.id, input, t(1)).await;
        sqlx::raw_sql(
            "DROP INDEX assets_list;
             ALTER TABLE assets DROP COLUMN search_text;
             DELETE FROM schema_migrations WHERE version = 9;",
        )
        .execute(store.write_pool())
        .await
        .unwrap();

        assert_eq!(
            store.migrate().await.unwrap(),
            ["0009_asset_search"],
            "{engine}"
        );
        for text in ["lap-1", "dell", "latitude", "5cg1234", "école"] {
            assert_eq!(
                numbers(&search(store, ashby.id, text).await),
                ["LAP-1"],
                "{engine}: {text:?}"
            );
        }
        db.finish().await;
    }
}

/// The search text is derived, so an installation import recomputes it rather than trusting
/// the file: an export edited by hand still leaves every item findable.
#[tokio::test]
async fn an_installation_import_recomputes_the_search_text() {
    for db in engines().await {
        let (store, engine) = (&db.store, db.engine);
        let (ashby, _) = found(store, "Ashby Parish Council", "clerk@ashby.example").await;
        register(store, ashby.id, new_item("LAP-1", Category::Laptop), t(1)).await;
        let exported = String::from_utf8(export(store).await).unwrap();
        let mut edited = 0;
        let lines: Vec<String> = exported
            .lines()
            .map(|line| {
                let mut value: Value = serde_json::from_str(line).unwrap();
                if value["table"] == "assets" {
                    value["row"]["search_text"] = json!("nothing to see");
                    edited += 1;
                }
                value.to_string()
            })
            .collect();
        assert_eq!(edited, 1, "{engine}");

        let target = match store.engine() {
            Engine::Sqlite => Backend::Sqlite,
            Engine::Postgres => Backend::Postgres(postgres_url().unwrap()),
        }
        .fresh()
        .await;
        import(&target.store, lines.join("\n").as_bytes())
            .await
            .unwrap();
        assert_eq!(
            numbers(&search(&target.store, ashby.id, "latitude").await),
            ["LAP-1"],
            "{engine}"
        );
        assert_eq!(
            search(&target.store, ashby.id, "nothing").await.total,
            0,
            "{engine}"
        );
        target.finish().await;
        db.finish().await;
    }
}
