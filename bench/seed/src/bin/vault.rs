//! Vault benchmark, first half (bench/vault.sh runs the second, the reveal under load): fills
//! a council seeded by `custodian-bench-seed` with vault items (a password and notes each,
//! sealed as the web pages seal them), then times `custodian vault rotate-key`'s work, the
//! re-wrapping of every item key in one transaction, against the target (1,000 items ≤ 2 s).
//! Prints figures and `item=<id>` (an item the Clerk may reveal); never fails on a miss.
//!
//! Usage: custodian-bench-vault --data-dir D [--items N] [--runs R]

use anyhow::{Context, bail};
use custodian::config::{Layer, merge};
use custodian::vault::rewrap_all;
use custodian::vault_key::{Unlocked, unlock};
use custodian_core::audit::Actor;
use custodian_core::ids::VaultItemId;
use custodian_core::person::Role;
use custodian_core::ports::{CouncilStore, VaultChange, VaultSettings, VaultStore};
use custodian_core::vault::{ItemDetails, SecretField, VaultItem, item_event};
use custodian_store::Store;
use custodian_vault::{Key, key_check};
use custodian_web::vault_box::seal_new_item;
use jiff::Timestamp;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const ROTATION_TARGET: Duration = Duration::from_secs(2);

struct Args {
    data_dir: PathBuf,
    items: usize,
    runs: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut data_dir = None;
    let mut items = 1_000;
    let mut runs: usize = 6;
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        let mut value = || given.next().context("a value is missing after an option");
        match arg.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--items" => items = value()?.parse()?,
            "--runs" => runs = value()?.parse()?,
            other => bail!(
                "unknown argument {other:?}; usage: custodian-bench-vault --data-dir D [--items N] [--runs R]"
            ),
        }
    }
    Ok(Args {
        data_dir: data_dir.context("--data-dir is required")?,
        items,
        // Even, so the vault ends under the key in the key file (each run swaps keys).
        runs: runs.max(2).div_ceil(2) * 2,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let settings = merge(
        Layer {
            data_dir: Some(args.data_dir.clone()),
            ..Layer::default()
        },
        Layer::default(),
        Layer::default(),
        None,
    )?;
    let store = Store::open_sqlite_in(&args.data_dir)
        .await
        .context("could not open the database")?;
    store.migrate().await.context("could not migrate")?;
    let result = run(&store, &settings, &args).await;
    store.close().await;
    result
}

async fn run(
    store: &Store,
    settings: &custodian::config::Settings,
    args: &Args,
) -> anyhow::Result<()> {
    let key = match unlock(store, settings).await? {
        Unlocked::Key(key) => key,
        Unlocked::Locked(why) => bail!("{why}"),
    };
    let council = store
        .councils()
        .await?
        .into_iter()
        .next()
        .context("seed the folder with custodian-bench-seed first")?;
    let started = Instant::now();
    let mut first = None;
    for n in 0..args.items {
        let item = add_item(store, &key, council.id, n).await?;
        first.get_or_insert(item.id);
    }
    println!(
        "stored {} items (password and notes each) in {} ms",
        args.items,
        started.elapsed().as_millis()
    );

    let other = Key::generate()?;
    let settings_for = |k: &Key| -> anyhow::Result<VaultSettings> {
        Ok(VaultSettings {
            key_check: key_check(k)?.to_text(),
            passphrase_salt: None,
        })
    };
    let mut times = Vec::new();
    for run in 0..args.runs {
        let (from, to) = if run % 2 == 0 {
            (key.as_ref(), &other)
        } else {
            (&other, key.as_ref())
        };
        let started = Instant::now();
        let count = rewrap_all(store, from, to, &settings_for(to)?).await?;
        times.push(started.elapsed());
        if count < args.items {
            bail!("only {count} item keys were re-wrapped");
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    let worst = times[times.len() - 1];
    println!(
        "key rotation of {} items: median {:.0} ms, worst {:.0} ms over {} runs (target {} ms): {}",
        args.items,
        median.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0,
        args.runs,
        ROTATION_TARGET.as_millis(),
        if median <= ROTATION_TARGET {
            "met"
        } else {
            "MISSED"
        }
    );
    if let Some(id) = first {
        println!("item={id}");
    }
    Ok(())
}

async fn add_item(
    store: &Store,
    key: &Key,
    council: custodian_core::CouncilId,
    n: usize,
) -> anyhow::Result<VaultItem> {
    let details = ItemDetails {
        name: format!("Bench item {n:04}"),
        kind: "website_admin".into(),
        address: format!("https://site-{n}.example/admin"),
        username: format!("admin{n}"),
        tier: if n.is_multiple_of(5) {
            "sealed"
        } else {
            "ordinary"
        }
        .into(),
        roles: vec![Role::Clerk],
        ..ItemDetails::default()
    }
    .check()
    .map_err(|problems| anyhow::anyhow!("bench item not valid: {problems:?}"))?;
    let now = Timestamp::now();
    let mut item = VaultItem::new(VaultItemId::generate(), council, details, now);
    let password = format!("lantern-quince-orbit-{n}");
    let notes = format!("Notes for item {n}");
    item.replace_secret(SecretField::Password, now);
    item.replace_secret(SecretField::Notes, now);
    let (wrapped, sealed) = seal_new_item(
        key,
        &item,
        &[
            (SecretField::Password, password.as_str()),
            (SecretField::Notes, notes.as_str()),
        ],
    )?;
    let event = item_event(
        &item,
        now,
        Actor::Operator,
        "vault.item_added",
        serde_json::json!({ "kind": item.kind.as_str() }),
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
        .await?;
    Ok(item)
}
