//! Policy benchmark: times importing (with lint) the three real council policies and a 40 KB
//! policy, and rendering the model policy as a Word document. Prints figures against the
//! targets (import and lint of 40 KB in 20 ms or less; DOCX in 100 ms or less); never fails
//! on a miss.
//!
//! Run with `cargo run --release -p custodian-bench --bin custodian-bench-policy`.

use custodian_core::policy::import::import_policy;
use custodian_core::policy::{AdoptionBlock, PolicyProfile, render_policy, to_plain_text};
use std::time::{Duration, Instant};

const ROUNDS: usize = 200;

fn fixture(name: &str) -> anyhow::Result<String> {
    let path = format!(
        "{}/../../crates/core/tests/fixtures/policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{path}: {e}"))
}

/// A policy of at least 40 KB: a real one with extra numbered clauses of the council's own, as
/// councils that add local rules have.
fn forty_kilobytes(base: &str) -> String {
    let mut text = base.to_owned();
    let mut n = 1;
    while text.len() < 40 * 1024 {
        text.push_str(&format!(
            "\n10.2.{n} Councillors must not use council equipment to store recordings of \
             meetings of other bodies unless the Clerk has agreed, and any such recording must \
             be deleted within thirty days once it is no longer needed for council business.\n"
        ));
        n += 1;
    }
    text
}

fn time<T>(mut work: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[ROUNDS / 2], times[ROUNDS * 99 / 100])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> anyhow::Result<()> {
    let mut inputs = Vec::new();
    for name in ["balsham.txt", "aspatria.txt", "groby.txt"] {
        inputs.push((name.to_owned(), fixture(name)?));
    }
    let big = forty_kilobytes(&inputs[0].1);
    inputs.push((format!("40 KB policy ({} bytes)", big.len()), big));
    let model = render_policy(
        &PolicyProfile::model_defaults(),
        "Benchmark Parish Council",
        &AdoptionBlock::default(),
    );
    let model_text = to_plain_text(&model);
    inputs.push((
        format!("Custodian's model ({} bytes)", model_text.len()),
        model_text,
    ));

    println!("Policy benchmark, {ROUNDS} rounds each (median, p99)");
    println!("{:<40} {:>12} {:>12}", "import and lint", "median", "p99");
    let mut forty_p99 = Duration::ZERO;
    for (name, text) in &inputs {
        import_policy(text).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let (median, p99) = time(|| import_policy(text));
        if name.starts_with("40 KB") {
            forty_p99 = p99;
        }
        println!("{name:<40} {:>12} {:>12}", ms(median), ms(p99));
    }
    let (docx_median, docx_p99) = time(|| custodian_docx::write_docx(&model));
    let size = custodian_docx::write_docx(&model)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .len();
    println!(
        "{:<40} {:>12} {:>12}",
        format!("render DOCX ({} KB)", size / 1024),
        ms(docx_median),
        ms(docx_p99)
    );
    let (render_median, render_p99) = time(|| {
        render_policy(
            &PolicyProfile::model_defaults(),
            "Benchmark Parish Council",
            &AdoptionBlock::default(),
        )
    });
    println!(
        "{:<40} {:>12} {:>12}",
        "render document (structure)",
        ms(render_median),
        ms(render_p99)
    );
    println!();
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!(
        "target: import and lint of 40 KB <= 20 ms: p99 {} {}",
        ms(forty_p99),
        verdict(forty_p99 <= Duration::from_millis(20))
    );
    println!(
        "target: render DOCX <= 100 ms: p99 {} {}",
        ms(docx_p99),
        verdict(docx_p99 <= Duration::from_millis(100))
    );
    Ok(())
}
