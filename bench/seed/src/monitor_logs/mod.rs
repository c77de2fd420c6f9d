//! Synthetic internet-use logs for the monitoring benchmark (bench/monitor.sh): a week of a
//! council's proxy or DNS traffic, in Squid native, combined or dnsmasq format, the same bytes
//! for the same settings on any machine. Counts what it writes (lines, hits, bytes and distinct
//! (person, day, site) groups) so the benchmark can check both GoAccess and Custodian against
//! the truth.

pub mod lines;
pub mod rng;
pub mod sites;
pub mod traffic;

use anyhow::{Context, bail};
use lines::{Moment, ProxyRequest, QueryType};
use rng::SplitMix64;
use serde::Serialize;
use sites::{HostChoice, Sites};
use std::collections::HashSet;
use std::io::Write;
use std::str::FromStr;
use traffic::{Clients, FAVOURITES};

/// The log formats the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Squid,
    Combined,
    Dnsmasq,
}

impl FromStr for Format {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> anyhow::Result<Format> {
        match text {
            "squid" => Ok(Format::Squid),
            "combined" => Ok(Format::Combined),
            "dnsmasq" => Ok(Format::Dnsmasq),
            other => bail!("unknown format {other:?}: use squid, combined or dnsmasq"),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    pub format: Format,
    /// Lines in the file, including dnsmasq's lines that are not queries.
    pub lines: u64,
    pub clients: usize,
    pub days: u16,
    /// The first local day (Europe/London).
    pub start: jiff::civil::Date,
    pub seed: u64,
}

/// What was written: printed as JSON for the benchmark to cross-check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub format: Option<Format>,
    pub lines: u64,
    /// Requests (proxy logs: every line) or queries (dnsmasq: `query[...]` lines only).
    pub hits: u64,
    pub bytes: u64,
    /// Distinct (key, local day, host name) groups, the key being the proxy user name where
    /// one is logged and the client address otherwise.
    pub groups: u64,
}

/// Share of requests (per thousand) that go to one of the client's own favourite sites rather
/// than a site drawn from everyone's popularity.
const FAVOURITE_SHARE: u64 = 300;

/// Writes the log to `out`. Streams: memory stays small whatever the number of lines.
pub fn generate(settings: &Settings, out: &mut impl Write) -> anyhow::Result<Summary> {
    if settings.days == 0 || settings.days > 366 {
        bail!(
            "--days must be between 1 and 366 (it was {})",
            settings.days
        );
    }
    let sites = Sites::new(&mut SplitMix64::stream(settings.seed, 1));
    let clients = Clients::new(
        settings.clients,
        &sites,
        &mut SplitMix64::stream(settings.seed, 2),
    )?;
    let minutes = traffic::minutes(settings.start, settings.days)?;
    let shares = traffic::lines_per_minute(&minutes, &clients, settings.lines);
    if shares.iter().sum::<u64>() != settings.lines {
        bail!("the period has no busy hour to put the lines in");
    }

    let mut rng = SplitMix64::stream(settings.seed, 3);
    let mut summary = Summary {
        format: Some(settings.format),
        ..Summary::default()
    };
    let mut groups: HashSet<u64> = HashSet::new();
    let mut offsets: Vec<u32> = Vec::new();
    let mut host = String::new();
    for (minute, &count) in minutes.iter().zip(&shares) {
        offsets.clear();
        // Below 60,000, so it fits.
        offsets.extend((0..count).map(|_| rng.below(60_000) as u32));
        offsets.sort_unstable();
        let hour = usize::try_from(minute.hour).unwrap_or(0);
        let mut slot = 0;
        while let Some(&millis) = offsets.get(slot) {
            let at = Moment { minute, millis };
            let (client_index, client) = clients
                .pick(minute.weekend, hour, &mut rng)
                .context("no client is active in a busy minute")?;
            let choice = if rng.chance(FAVOURITE_SHARE) {
                let favourite = client.favourites[rng.index(FAVOURITES)];
                sites.variant_of(favourite, &mut rng)
            } else {
                sites.pick(&mut rng)
            };
            sites.host_name(choice, &mut host);
            let user = client.user.as_ref();
            let (key, written) = match settings.format {
                Format::Squid | Format::Combined => {
                    let request = ProxyRequest::draw(&mut rng, user.is_some());
                    let user = user.filter(|_| !request.anonymous);
                    let user_name = user.map(|(_, name)| name.as_str());
                    let bytes = if settings.format == Format::Squid {
                        lines::write_squid(
                            out,
                            at,
                            &client.address,
                            user_name,
                            &host,
                            choice.id(),
                            &request,
                        )?
                    } else {
                        let refer = rng.chance(400);
                        lines::write_combined(
                            out,
                            at,
                            &client.address,
                            user_name,
                            client.agent,
                            &host,
                            refer,
                            &request,
                        )?
                    };
                    summary.bytes += bytes;
                    (
                        subject_key(user.map(|(person, _)| *person), client_index),
                        1,
                    )
                }
                Format::Dnsmasq => {
                    let kind = QueryType::draw(&mut rng);
                    lines::write_dnsmasq_query(out, at, kind, &host, &client.address)?;
                    let room = count - slot as u64 - 1;
                    let followers = lines::write_dnsmasq_followers(
                        out,
                        &mut rng,
                        at,
                        kind,
                        &host,
                        choice.id(),
                        room,
                    )?;
                    (subject_key(None, client_index), 1 + followers)
                }
            };
            summary.hits += 1;
            summary.lines += written;
            groups.insert(group_id(key, minute.day_index, choice));
            slot += usize::try_from(written).unwrap_or(1);
        }
    }
    summary.groups = groups.len() as u64;
    out.flush()?;
    Ok(summary)
}

/// A number for the key a hit is grouped under: the person behind a proxy user name, or the
/// client address when none is logged (the two ranges cannot meet: there are at most 60,000
/// clients and fewer people).
fn subject_key(person: Option<usize>, client_index: usize) -> u64 {
    match person {
        Some(person) => person as u64,
        None => 60_000 + client_index as u64,
    }
}

fn group_id(key: u64, day_index: u16, choice: HostChoice) -> u64 {
    (key << 41) | (u64::from(day_index) << 32) | choice.id()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(format: Format, lines: u64) -> Settings {
        Settings {
            format,
            lines,
            clients: 40,
            days: 2,
            start: jiff::civil::date(2026, 11, 2),
            seed: 7,
        }
    }

    fn run(settings: &Settings) -> (Summary, String) {
        let mut out = Vec::new();
        let summary = generate(settings, &mut out).unwrap();
        (summary, String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_same_settings_give_the_same_bytes_and_another_seed_does_not() {
        let (first, text) = run(&settings(Format::Squid, 2_000));
        let (second, again) = run(&settings(Format::Squid, 2_000));
        assert_eq!(first, second);
        assert_eq!(text, again);
        let mut other = settings(Format::Squid, 2_000);
        other.seed = 8;
        assert_ne!(run(&other).1, text);
    }

    #[test]
    fn a_squid_log_has_exactly_the_lines_asked_for_in_time_order_and_counts_its_bytes() {
        let (summary, text) = run(&settings(Format::Squid, 5_000));
        assert_eq!(summary.lines, 5_000);
        assert_eq!(summary.hits, 5_000);
        assert_eq!(text.lines().count(), 5_000);
        let mut total = 0u64;
        let mut last_time = 0f64;
        for line in text.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 10, "{line}");
            let time: f64 = fields[0].parse().unwrap();
            assert!(time >= last_time, "{line}");
            last_time = time;
            total += fields[4].parse::<u64>().unwrap();
        }
        assert_eq!(summary.bytes, total);
        assert!(
            summary.groups > 100 && summary.groups < 5_000,
            "{}",
            summary.groups
        );
    }

    #[test]
    fn a_combined_log_counts_a_dash_as_no_bytes() {
        let (summary, text) = run(&settings(Format::Combined, 5_000));
        assert_eq!(text.lines().count(), 5_000);
        let mut total = 0u64;
        for line in text.lines() {
            let after_request = line.split('"').nth(2).unwrap();
            let size = after_request.split_whitespace().nth(1).unwrap();
            total += size.parse::<u64>().unwrap_or(0);
        }
        assert_eq!(summary.bytes, total);
        assert!(text.contains("\"CONNECT "));
        assert!(text.contains("\"GET http://"));
    }

    #[test]
    fn a_dnsmasq_log_counts_only_query_lines_as_hits() {
        let (summary, text) = run(&settings(Format::Dnsmasq, 5_000));
        assert_eq!(summary.lines, 5_000);
        assert_eq!(text.lines().count(), 5_000);
        let queries = text.lines().filter(|l| l.contains("]: query[")).count() as u64;
        assert_eq!(summary.hits, queries);
        assert!(queries < 4_000, "followers take some lines: {queries}");
        assert_eq!(summary.bytes, 0);
        assert!(text.starts_with("Nov  2 "), "{}", &text[..40]);
    }

    #[test]
    fn zero_days_and_unknown_formats_are_refused() {
        let mut bad = settings(Format::Squid, 10);
        bad.days = 0;
        assert!(generate(&bad, &mut Vec::new()).is_err());
        assert!("csv".parse::<Format>().is_err());
        assert_eq!("dnsmasq".parse::<Format>().unwrap(), Format::Dnsmasq);
    }
}
