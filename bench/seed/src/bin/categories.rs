//! Category-list speed, printed (no targets): loading a UT1 list of DOMAINS domains (default
//! 2,000,000) and 500,000 host look-ups against it, a third matching by sub-domain.
//! Run: `cargo run --release -p custodian-bench --bin custodian-bench-categories`.

use custodian_monitor::category::CategoryLists;
use std::fmt::Write as _;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let domains: u32 = std::env::var("DOMAINS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let dir = tempfile::tempdir()?;
    let mut adult = String::new();
    for n in 0..domains {
        writeln!(adult, "site-{n}.adult-example.test")?;
    }
    std::fs::create_dir_all(dir.path().join("adult"))?;
    std::fs::create_dir_all(dir.path().join("news"))?;
    std::fs::write(dir.path().join("adult/domains"), adult)?;
    std::fs::write(dir.path().join("news/domains"), "news.example\n")?;

    let started = Instant::now();
    let (lists, report) = CategoryLists::load(dir.path())?;
    println!(
        "load of {} domains: {:.0} ms ({} malformed)",
        domains + 1,
        started.elapsed().as_secs_f64() * 1e3,
        report.malformed_total
    );
    let hosts: Vec<String> = (0..500_000u32)
        .map(|n| match n % 3 {
            0 => format!("www.site-{}.adult-example.test", n * 7 % domains.max(1)),
            1 => format!("cdn{n}.images.news.example"),
            _ => format!("static.unlisted-{n}.example"),
        })
        .collect();
    let started = Instant::now();
    let matched = hosts
        .iter()
        .filter(|h| !lists.categories_of(h, None).is_empty())
        .count();
    println!(
        "500,000 look-ups ({matched} matched): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
