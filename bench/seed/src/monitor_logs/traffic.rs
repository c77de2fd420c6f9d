//! The shape of a council's week on the internet: who the clients are (an address, sometimes a
//! proxy user name, a browser, favourite sites, a daily pattern and how busy they are), and how
//! many log lines fall in each minute of the week (office hours heavier, some evenings, quiet
//! weekends), in Europe/London local time.

use super::rng::SplitMix64;
use super::sites::Sites;
use anyhow::{Context, bail};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// When a client is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// Office hours on weekdays: a council office PC.
    Office,
    /// Evenings and weekends: a councillor's own device at home.
    Evening,
    /// Both: a laptop taken home.
    Both,
}

/// Relative activity in each local hour, 0-23.
const OFFICE_HOURS: [u64; 24] = [
    0, 0, 0, 0, 0, 0, 0, 1, 4, 10, 10, 10, 7, 9, 10, 10, 9, 4, 1, 0, 0, 0, 0, 0,
];
const EVENING_HOURS: [u64; 24] = [
    1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 2, 5, 8, 10, 9, 5, 2,
];

/// Browsers, as logged in the User-Agent of combined logs.
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17531; Pro)",
    "Microsoft-CryptoAPI/10.0",
];

const GIVEN_NAMES: &[&str] = &[
    "alice", "brian", "carol", "david", "eleanor", "frank", "grace", "harold", "isobel", "james",
    "kate", "leonard", "margaret", "nigel", "olivia", "peter", "rachel", "simon", "teresa",
    "victor", "wendy", "yusuf", "zara", "amrit", "bronwen", "ciaran", "deborah", "emeka",
];
const FAMILY_NAMES: &[&str] = &[
    "archer", "baker", "carter", "dawson", "ellis", "fletcher", "gardner", "hughes", "iqbal",
    "jenkins", "khan", "lawson", "mitchell", "norris", "owen", "patel", "quinn", "roberts",
];

/// How many favourite sites each client returns to.
pub const FAVOURITES: usize = 8;

/// One client machine.
#[derive(Debug, Clone)]
pub struct Client {
    pub address: String,
    /// The proxy user name and its number (a person may use two clients), for a share of
    /// clients; `None` where the proxy does not ask who is browsing.
    pub user: Option<(usize, String)>,
    pub agent: &'static str,
    pub favourites: [usize; FAVOURITES],
    pattern: Pattern,
    /// How busy this client is compared with others: 1 to 16, most clients at the low end.
    activity: u64,
}

/// Every client, and for each hour of a weekday and of a weekend day, the cumulative weights
/// used to pick which client makes a request then.
#[derive(Debug, Clone)]
pub struct Clients {
    pub clients: Vec<Client>,
    /// `[weekend as usize][local hour]` → cumulative weight over `clients`.
    by_hour: [[Vec<u64>; 24]; 2],
}

impl Clients {
    pub fn new(count: usize, sites: &Sites, rng: &mut SplitMix64) -> anyhow::Result<Clients> {
        if count == 0 || count > 60_000 {
            bail!("--clients must be between 1 and 60000 (it was {count})");
        }
        // Three people in five sign in to the proxy; a quarter of those use two clients.
        let named = count * 3 / 5;
        let people = (named * 4 / 5).max(1);
        let mut clients = Vec::with_capacity(count);
        for index in 0..count {
            // .1 is left for the router.
            let address = format!("192.168.{}.{}", 1 + index / 250, 2 + index % 250);
            let user = (index < named).then(|| {
                let person = index % people;
                let given = GIVEN_NAMES[person % GIVEN_NAMES.len()];
                let family = FAMILY_NAMES[(person / GIVEN_NAMES.len()) % FAMILY_NAMES.len()];
                let round = person / (GIVEN_NAMES.len() * FAMILY_NAMES.len());
                let name = if round == 0 {
                    format!("{given}.{family}")
                } else {
                    format!("{given}.{family}{round}")
                };
                (person, name)
            });
            let pattern = match rng.below(100) {
                0..60 => Pattern::Office,
                60..75 => Pattern::Evening,
                _ => Pattern::Both,
            };
            let activity = 1u64 << rng.next_u64().trailing_ones().min(4);
            let mut favourites = [0; FAVOURITES];
            for favourite in &mut favourites {
                *favourite = sites.pick(rng).site;
            }
            clients.push(Client {
                address,
                user,
                agent: AGENTS[rng.index(AGENTS.len())],
                favourites,
                pattern,
                activity,
            });
        }
        let by_hour = [false, true].map(|weekend| {
            std::array::from_fn(|hour| {
                clients
                    .iter()
                    .scan(0u64, |sum, client| {
                        *sum += client.weight(weekend, hour);
                        Some(*sum)
                    })
                    .collect()
            })
        });
        Ok(Clients { clients, by_hour })
    }

    /// The weight of all clients together in this hour.
    pub fn total(&self, weekend: bool, hour: usize) -> u64 {
        self.cumulative(weekend, hour).last().copied().unwrap_or(0)
    }

    /// A client drawn by how active each is in this hour, with its index.
    pub fn pick(
        &self,
        weekend: bool,
        hour: usize,
        rng: &mut SplitMix64,
    ) -> Option<(usize, &Client)> {
        let index = rng.weighted(self.cumulative(weekend, hour))?;
        Some((index, self.clients.get(index)?))
    }

    fn cumulative(&self, weekend: bool, hour: usize) -> &[u64] {
        self.by_hour[usize::from(weekend)]
            .get(hour)
            .map_or(&[], Vec::as_slice)
    }
}

impl Client {
    fn weight(&self, weekend: bool, hour: usize) -> u64 {
        let office = OFFICE_HOURS.get(hour).copied().unwrap_or(0);
        let evening = EVENING_HOURS.get(hour).copied().unwrap_or(0);
        // Weights are in tenths so a weekend's office hours can be a tenth of a weekday's.
        let (office, evening) = if weekend {
            (office, evening * 15)
        } else {
            (office * 10, evening * 10)
        };
        let base = match self.pattern {
            Pattern::Office => office,
            Pattern::Evening => evening,
            Pattern::Both => office / 2 + evening / 2,
        };
        base * self.activity
    }
}

/// One minute of the period, with everything a log line needs about its time.
#[derive(Debug, Clone, Copy)]
pub struct Minute {
    /// Unix seconds at the start of the minute.
    pub epoch: i64,
    /// Local (Europe/London) date and time at the start of the minute.
    pub year: i16,
    pub month: i8,
    pub day: i8,
    pub hour: i8,
    pub minute: i8,
    /// The local offset from UTC in seconds (0 or 3600).
    pub offset_seconds: i32,
    pub weekend: bool,
    /// Days since the first day of the period, in local days.
    pub day_index: u16,
}

/// Every minute from local midnight on `start` to local midnight `days` days later, in time
/// order. Walked in UTC, so on the days the clocks change the local hour is skipped or seen
/// twice and the times in the file still only go forward.
pub fn minutes(start: Date, days: u16) -> anyhow::Result<Vec<Minute>> {
    let london =
        TimeZone::get("Europe/London").context("Europe/London is not in the time zone database")?;
    let first = start
        .to_zoned(london.clone())
        .context("the start date has no local midnight")?
        .timestamp();
    let end_date = start
        .checked_add(i64::from(days).days())
        .context("the period ends after the year 9999")?;
    let last = end_date
        .to_zoned(london.clone())
        .context("the end date has no local midnight")?
        .timestamp();
    let mut minutes = Vec::new();
    let mut epoch = first.as_second();
    while epoch < last.as_second() {
        let zoned = Timestamp::from_second(epoch)
            .context("a time outside jiff's range")?
            .to_zoned(london.clone());
        let date = zoned.date();
        let day_index = start
            .until(date)
            .map(|span| span.get_days())
            .context("a day outside the period")?;
        minutes.push(Minute {
            epoch,
            year: zoned.year(),
            month: zoned.month(),
            day: zoned.day(),
            hour: zoned.hour(),
            minute: zoned.minute(),
            offset_seconds: zoned.offset().seconds(),
            weekend: matches!(
                zoned.weekday(),
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            ),
            day_index: u16::try_from(day_index).context("a day index out of range")?,
        });
        epoch += 60;
    }
    Ok(minutes)
}

/// How many of `lines` fall in each minute: proportional to the clients' weight in that
/// minute's local hour, exactly `lines` in all.
pub fn lines_per_minute(minutes: &[Minute], clients: &Clients, lines: u64) -> Vec<u64> {
    let weights: Vec<u64> = minutes
        .iter()
        .map(|m| clients.total(m.weekend, usize::try_from(m.hour).unwrap_or(0)))
        .collect();
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if total == 0 {
        return vec![0; minutes.len()];
    }
    let mut before: u128 = 0;
    let mut allotted_before: u64 = 0;
    weights
        .iter()
        .map(|&weight| {
            before += u128::from(weight);
            // At most `lines`, which is a u64.
            let allotted = (u128::from(lines) * before / total) as u64;
            let here = allotted - allotted_before;
            allotted_before = allotted;
            here
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_winter_week_has_every_minute_once_in_local_time() {
        let week = minutes(jiff::civil::date(2026, 11, 2), 7).unwrap();
        assert_eq!(week.len(), 7 * 24 * 60);
        let first = week.first().unwrap();
        assert_eq!(
            (first.year, first.month, first.day, first.hour),
            (2026, 11, 2, 0)
        );
        assert_eq!(first.offset_seconds, 0);
        assert!(!first.weekend, "2 November 2026 is a Monday");
        assert_eq!(week.last().unwrap().day_index, 6);
        assert!(week.last().unwrap().weekend);
    }

    #[test]
    fn the_day_the_clocks_go_forward_is_an_hour_short_and_still_in_order() {
        let day = minutes(jiff::civil::date(2026, 3, 29), 1).unwrap();
        assert_eq!(day.len(), 23 * 60);
        assert!(day.windows(2).all(|pair| pair[0].epoch < pair[1].epoch));
        assert_eq!(day.last().unwrap().offset_seconds, 3600);
        assert!(
            day.iter().all(|m| m.hour != 1),
            "01:00-01:59 does not exist that day"
        );
    }

    #[test]
    fn lines_are_shared_out_exactly_and_mostly_in_office_hours() {
        let mut rng = SplitMix64::new(1);
        let sites = Sites::new(&mut rng);
        let clients = Clients::new(400, &sites, &mut rng).unwrap();
        let week = minutes(jiff::civil::date(2026, 11, 2), 7).unwrap();
        let shares = lines_per_minute(&week, &clients, 1_000_003);
        assert_eq!(shares.iter().sum::<u64>(), 1_000_003);
        let office: u64 = week
            .iter()
            .zip(&shares)
            .filter(|(m, _)| !m.weekend && (9..17).contains(&m.hour))
            .map(|(_, n)| n)
            .sum();
        assert!(office > 600_000, "{office}");
        let night: u64 = week
            .iter()
            .zip(&shares)
            .filter(|(m, _)| (2..6).contains(&m.hour))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(night, 0);
    }

    #[test]
    fn clients_have_private_addresses_and_some_share_a_user_name() {
        let mut rng = SplitMix64::new(5);
        let sites = Sites::new(&mut rng);
        let clients = Clients::new(400, &sites, &mut rng).unwrap();
        assert_eq!(clients.clients.len(), 400);
        for client in &clients.clients {
            let octets: Vec<u16> = client
                .address
                .split('.')
                .map(|o| o.parse().unwrap())
                .collect();
            assert_eq!(octets[..2], [192, 168]);
            assert!((2..=254).contains(&octets[3]), "{}", client.address);
        }
        let mut addresses: Vec<&str> = clients.clients.iter().map(|c| c.address.as_str()).collect();
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), 400, "every client has its own address");
        let named = clients.clients.iter().filter(|c| c.user.is_some()).count();
        assert_eq!(named, 240);
        let mut people: Vec<usize> = clients
            .clients
            .iter()
            .filter_map(|c| c.user.as_ref().map(|(p, _)| *p))
            .collect();
        people.sort_unstable();
        people.dedup();
        assert_eq!(people.len(), 192);
        assert!(Clients::new(0, &sites, &mut rng).is_err());
    }
}
