//! The sites a council's people visit and how popular they are: a few dozen well-known names
//! at the top, then 20,000 generated `site<N>` names, drawn by a Zipf-like law (s = 1), some
//! with several host names (a CDN, an API, a sign-in page).

use super::rng::SplitMix64;

/// Sites that look like a real council office's traffic, most popular first; they take the top
/// ranks of the popularity curve, ahead of the generated `site<N>` names.
const WELL_KNOWN: &[&str] = &[
    "www.google.co.uk",
    "login.microsoftonline.com",
    "outlook.office365.com",
    "www.bbc.co.uk",
    "www.gov.uk",
    "teams.microsoft.com",
    "www.youtube.com",
    "www.facebook.com",
    "accounts.google.com",
    "mail.google.com",
    "www.office.com",
    "graph.microsoft.com",
    "www.amazon.co.uk",
    "en.wikipedia.org",
    "www.theguardian.com",
    "www.nalc.gov.uk",
    "www.slcc.co.uk",
    "www.bing.com",
    "docs.google.com",
    "www.linkedin.com",
    "www.instagram.com",
    "x.com",
    "www.ebay.co.uk",
    "www.rightmove.co.uk",
    "www.metoffice.gov.uk",
    "www.royalmail.com",
    "web.whatsapp.com",
    "www.paypal.com",
    "www.lloydsbank.com",
    "www.natwest.com",
    "www.barclays.co.uk",
    "www.dailymail.co.uk",
    "www.tesco.com",
    "www.argos.co.uk",
    "zoom.us",
    "www.dropbox.com",
    "ctldl.windowsupdate.com",
    "ocsp.digicert.com",
    "www.apple.com",
    "open.spotify.com",
    "www.netflix.com",
    "www.msn.com",
];

/// Endings of generated site names, with their share per thousand.
const ENDINGS: &[(&str, u64)] = &[
    ("co.uk", 450),
    ("com", 300),
    ("org.uk", 80),
    ("org", 50),
    ("net", 50),
    ("uk", 40),
    ("ac.uk", 20),
    ("gov.uk", 10),
];

/// Host names in front of a generated site's name, for sites that have more than one.
const SUBDOMAINS: &[&str] = &["cdn", "static", "img", "api", "login", "mail"];

/// How many generated sites there are, besides the well-known ones.
const GENERATED_SITES: usize = 20_000;

/// One site: the host name most requests go to, and how many other host names it has.
#[derive(Debug, Clone)]
struct Site {
    /// The name without any `www.` (`site123.co.uk`), or a well-known site's whole host name.
    base: String,
    www: bool,
    subdomains: u8,
}

/// Every site and its popularity.
#[derive(Debug, Clone)]
pub struct Sites {
    sites: Vec<Site>,
    /// Cumulative Zipf weights: rank r (from 1) weighs 2^40 / r.
    cumulative: Vec<u64>,
}

/// One host name of one site: the site's index and which of its names (0 = the main one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostChoice {
    pub site: usize,
    pub variant: u8,
}

impl HostChoice {
    /// A number naming this host name alone, for counting distinct (key, day, site) groups.
    pub fn id(self) -> u64 {
        (self.site as u64) * 8 + u64::from(self.variant)
    }
}

impl Sites {
    pub fn new(rng: &mut SplitMix64) -> Sites {
        let mut sites: Vec<Site> = WELL_KNOWN
            .iter()
            .map(|host| Site {
                base: (*host).to_owned(),
                www: false,
                subdomains: 0,
            })
            .collect();
        let ending_weights: Vec<u64> = ENDINGS
            .iter()
            .scan(0, |sum, (_, share)| {
                *sum += share;
                Some(*sum)
            })
            .collect();
        for number in 1..=GENERATED_SITES {
            let ending = rng
                .weighted(&ending_weights)
                .and_then(|i| ENDINGS.get(i))
                .map_or("co.uk", |(ending, _)| ending);
            let www = rng.chance(800);
            // About one site in seven serves from several host names (a CDN, an API, a
            // sign-in page), as larger sites do.
            let subdomains = if rng.chance(150) {
                1 + rng.below(SUBDOMAINS.len() as u64) as u8
            } else {
                0
            };
            sites.push(Site {
                base: format!("site{number}.{ending}"),
                www,
                subdomains,
            });
        }
        let scale = 1u64 << 40;
        let cumulative = (1..=sites.len() as u64)
            .scan(0u64, |sum, rank| {
                *sum += scale / rank;
                Some(*sum)
            })
            .collect();
        Sites { sites, cumulative }
    }

    /// A site drawn by popularity, and one of its host names.
    pub fn pick(&self, rng: &mut SplitMix64) -> HostChoice {
        let site = rng.weighted(&self.cumulative).unwrap_or(0);
        self.variant_of(site, rng)
    }

    /// One of the host names of `site`: the main one half the time when it has others.
    pub fn variant_of(&self, site: usize, rng: &mut SplitMix64) -> HostChoice {
        let subdomains = self.sites.get(site).map_or(0, |s| s.subdomains);
        let variant = if subdomains > 0 && rng.chance(500) {
            1 + rng.below(u64::from(subdomains)) as u8
        } else {
            0
        };
        HostChoice { site, variant }
    }

    /// Writes the host name of `choice` into `host` (emptied first).
    pub fn host_name(&self, choice: HostChoice, host: &mut String) {
        host.clear();
        let Some(site) = self.sites.get(choice.site) else {
            host.push_str("unknown.invalid");
            return;
        };
        if choice.variant > 0 {
            let prefix = SUBDOMAINS
                .get(usize::from(choice.variant - 1))
                .copied()
                .unwrap_or("cdn");
            host.push_str(prefix);
            host.push('.');
        } else if site.www {
            host.push_str("www.");
        }
        host.push_str(&site.base);
    }

    pub fn len(&self) -> usize {
        self.sites.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popular_sites_are_picked_far_more_often_than_rare_ones() {
        let mut rng = SplitMix64::new(9);
        let sites = Sites::new(&mut rng);
        assert_eq!(sites.len(), WELL_KNOWN.len() + GENERATED_SITES);
        let mut top = 0;
        let mut host = String::new();
        for _ in 0..100_000 {
            let choice = sites.pick(&mut rng);
            if choice.site == 0 {
                top += 1;
            }
            sites.host_name(choice, &mut host);
            assert!(!host.is_empty() && !host.contains(' '));
        }
        // Rank 1 of about 20,042 under Zipf s = 1 takes about 1 / H(20042), roughly 9.4 %.
        assert!((8_000..11_000).contains(&top), "{top}");
        sites.host_name(
            HostChoice {
                site: 3,
                variant: 0,
            },
            &mut host,
        );
        assert_eq!(host, "www.bbc.co.uk");
    }
}
