//! `custodian-bench-startup`: measures how long `custodian serve` takes from being started to
//! answering its first request, and hands out free ports, for `bench/run.sh`.
//!
//!   custodian-bench-startup --custodian BIN --data-dir D [--runs 5]
//!     starts `BIN serve` on a free port `--runs` times, polls `GET /healthz` every 0.2 ms until
//!     it answers 200, stops it; prints `run=<ms>` per start, then `median_ms=` and `max_ms=`.
//!   custodian-bench-startup --free-port
//!     prints a port on 127.0.0.1 that nothing is listening on.
//!
//! It speaks just enough HTTP/1.1 by hand so the poll costs microseconds, not a process start.

use anyhow::{Context, bail};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Give up on a start that has not answered in this long.
const START_TIMEOUT: Duration = Duration::from_secs(20);

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("could not find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// One `GET /healthz`; `Ok(true)` on a 200, `Ok(false)` while nothing listens yet.
fn healthz(port: u16) -> anyhow::Result<bool> {
    let mut stream = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(stream) => stream,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Ok(false),
        Err(e) => return Err(e).context("connecting"),
    };
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 12];
    match stream.read_exact(&mut head) {
        Ok(()) => Ok(head.starts_with(b"HTTP/1.1 200")),
        Err(_) => Ok(false),
    }
}

fn stop(mut child: Child) {
    // SIGKILL is fine here: the server has written nothing but its migrations check.
    let _ = child.kill();
    let _ = child.wait();
}

/// Milliseconds from spawning the server to its first 200 from `/healthz`.
fn one_start(custodian: &str, data_dir: &str) -> anyhow::Result<f64> {
    let port = free_port()?;
    let bind = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let child = Command::new(custodian)
        .args(["serve", "--data-dir", data_dir, "--bind", &bind])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {custodian}"))?;
    loop {
        match healthz(port) {
            Ok(true) => {
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                stop(child);
                return Ok(ms);
            }
            Ok(false) if started.elapsed() < START_TIMEOUT => {
                std::thread::sleep(Duration::from_micros(200));
            }
            Ok(false) => {
                stop(child);
                bail!("the server did not answer within {START_TIMEOUT:?}");
            }
            Err(e) => {
                stop(child);
                return Err(e);
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--free-port") {
        println!("{}", free_port()?);
        return Ok(());
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let custodian = value("--custodian").context("--custodian BIN is required")?;
    let data_dir = value("--data-dir").context("--data-dir D is required")?;
    let runs: usize = value("--runs")
        .map_or(Ok(5), |r| r.parse())
        .context("--runs")?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let ms = one_start(&custodian, &data_dir)?;
        println!("run={ms:.1}");
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!("median_ms={:.1}", times[times.len() / 2]);
    println!("max_ms={:.1}", times[times.len() - 1]);
    Ok(())
}
