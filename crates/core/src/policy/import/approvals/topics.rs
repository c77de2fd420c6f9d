//! The topic of each kind of request that needs approval, as words a sentence about it uses.
//!
//! Matched on lowercased sentences; says nothing about who approves.

use crate::policy::import::text::{has_any, has_word};
use crate::policy::profile::ApprovalKind;

/// Whether a sentence (lowercased) is about the kind of request. Topics use words the model
/// and its usual rewordings share; a sentence may be about more than one.
pub(super) fn about(kind: ApprovalKind, lower: &str) -> bool {
    let word = |w: &str| has_word(lower, w);
    let any_word = |ws: &[&str]| ws.iter().any(|w| word(w));
    match kind {
        ApprovalKind::BuyEquipmentOrSoftware => {
            any_word(&[
                "buy",
                "buying",
                "bought",
                "purchase",
                "purchasing",
                "purchased",
                "procure",
                "procuring",
            ]) && has_any(
                lower,
                &[
                    "equipment",
                    "software",
                    "computer",
                    "hardware",
                    "device",
                    "laptop",
                    "phone",
                    "tablet",
                ],
            )
        }
        ApprovalKind::InstallSoftware => {
            // Installing counts only with software named: "webcams (which may be pre-installed
            // on many laptops)" and "default passwords changed upon installation" are about
            // something else.
            let installs = any_word(&[
                "install",
                "installs",
                "installed",
                "installing",
                "installation",
                "download",
                "downloaded",
                "downloading",
            ]);
            installs
                && any_word(&[
                    "software",
                    "program",
                    "programs",
                    "programme",
                    "programmes",
                    "app",
                    "apps",
                    "application",
                    "applications",
                    "add-on",
                    "add-ons",
                    "plug-in",
                    "plug-ins",
                    "extension",
                    "extensions",
                ])
        }
        ApprovalKind::PersonalRemovableMedia => {
            has_any(
                lower,
                &[
                    "usb",
                    "memory stick",
                    "memory card",
                    "removable media",
                    "removable storage",
                    "external drive",
                    "external hard drive",
                    "flash drive",
                    "pen drive",
                    "data storage device",
                    "personal disk",
                ],
            ) || any_word(&["cd", "cds", "dvd", "dvds"])
        }
        ApprovalKind::RecordingOnPremises => {
            has_any(
                lower,
                &["photo", "video", "recording", "camera", "filming", "film "],
            ) && has_any(
                lower,
                &["premises", "office", "workplace", "council building"],
            )
        }
        ApprovalKind::OwnDevice => has_any(
            lower,
            &[
                "own device",
                "own smartphone",
                "own phone",
                "own laptop",
                "own tablet",
                "own computer",
                "own equipment",
                "own it equipment",
                "personal device",
                "personally owned",
                "personally-owned",
                "bring your own",
                "byod",
            ],
        ),
        ApprovalKind::BlogOrSite => {
            any_word(&["blog", "blogs", "blogging", "blogger"])
                || (has_any(lower, &["site", "social media account"])
                    && has_any(
                        lower,
                        &["go live", "going live", "goes live", "going 'live'"],
                    ))
        }
        ApprovalKind::DomainOrTrademark => has_any(
            lower,
            &["domain name", "trademark", "trade mark", "trade-mark"],
        ),
        ApprovalKind::ExternalLink => {
            any_word(&["link", "links", "hyperlink", "hyperlinks"])
                && has_any(
                    lower,
                    &["website", "web site", "web page", "site", "webpage"],
                )
        }
        ApprovalKind::SocialMediaContacts => {
            word("contacts")
                && has_any(
                    lower,
                    &[
                        "linkedin",
                        "social network",
                        "social media",
                        "networking site",
                    ],
                )
        }
        ApprovalKind::PaidConnectivity => {
            has_any(
                lower,
                &[
                    "wi-fi",
                    "wifi",
                    "mobile data",
                    "dongle",
                    "roaming",
                    "internet access",
                    "hotspot",
                ],
            ) && has_any(
                lower,
                &["paid", "cost", "expensive", "charge", "fee", "pay for"],
            )
        }
    }
}
