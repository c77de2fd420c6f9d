//! Builds the page chrome (header, navigation, form token) for a visitor, showing only the
//! sections their role may open.

use crate::chrome::{Chrome, NavItem};
use crate::session::{Current, SignedIn, Visitor};
use custodian_core::permission::{Action, may};

/// One section of the site in the navigation.
struct Section {
    href: &'static str,
    label: &'static str,
    /// The action that opens it (`None`: everyone signed in).
    needs: Option<Action>,
    /// Left out for those who may do this instead: they reach the same records from a wider
    /// section (the Clerk's health-and-safety overview holds what "Your workstation" shows).
    unless: Option<Action>,
}

const fn section(href: &'static str, label: &'static str, needs: Option<Action>) -> Section {
    Section {
        href,
        label,
        needs,
        unless: None,
    }
}

/// The sections of the site, in navigation order, with the action that opens each.
const SECTIONS: &[Section] = &[
    section("/", "Home", None),
    section("/people", "People", Some(Action::ViewPeople)),
    section("/incidents", "Incidents", Some(Action::ViewIncidents)),
    // Everyone has "My requests" there; deciders and viewers see every request.
    section("/approvals", "Approvals", None),
    section(
        "/health-and-safety",
        "Health and safety",
        Some(Action::ViewHealthAndSafety),
    ),
    Section {
        href: "/health-and-safety/mine",
        label: "Your workstation",
        needs: Some(Action::ReportHazard),
        unless: Some(Action::ViewHealthAndSafety),
    },
    section("/policy", "IT policy", Some(Action::ViewPolicy)),
    section("/assets", "Equipment", Some(Action::ViewRegister)),
    section("/devices", "Devices", Some(Action::ViewCompliance)),
    section("/vault", "Passwords", Some(Action::UseVault)),
    section(
        "/my-equipment",
        "Your equipment",
        Some(Action::HoldEquipment),
    ),
    section("/monitoring", "Internet use", Some(Action::ViewInternetUse)),
    section("/audit", "Audit log", Some(Action::ViewAuditLog)),
    section(
        "/settings",
        "Council settings",
        Some(Action::ViewCouncilSettings),
    ),
    section("/account", "Your account", None),
];

pub fn chrome(signed_in: &SignedIn, active: &str) -> Chrome {
    chrome_for(&signed_in.current, signed_in.csrf_token.clone(), active)
}

fn chrome_for(current: &Current, csrf_token: String, active: &str) -> Chrome {
    let nav = SECTIONS
        .iter()
        .filter(|section| {
            let roles = current.person.roles;
            section.needs.is_none_or(|a| may(roles, a))
                && !section.unless.is_some_and(|a| may(roles, a))
        })
        .map(|section| NavItem {
            href: section.href,
            label: section.label,
            active: section.href == active,
        })
        .collect();
    Chrome {
        council_name: Some(current.council.name.to_string()),
        person_name: Some(current.person.name.to_string()),
        nav,
        csrf_token,
    }
}

/// The chrome for a page anyone may see: full navigation when the visitor is signed in.
pub fn visitor_chrome(visitor: &Visitor) -> Chrome {
    match &visitor.current {
        Some(current) if current.session.mfa_passed => {
            chrome_for(current, visitor.csrf_token.clone(), "")
        }
        _ => Chrome::anonymous(visitor.csrf_token.clone()),
    }
}

/// Renders a template into an HTML response.
pub fn render<T: askama::Template>(
    page: &T,
) -> Result<axum::response::Html<String>, crate::error::AppError> {
    Ok(axum::response::Html(page.render()?))
}

/// A local path safe to redirect to after sign-in (never another site).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

/// England's time zone (GMT/BST), looked up once. Falls back to UTC only if the bundled
/// time-zone database lacks it, which a test rules out.
pub fn london() -> &'static jiff::tz::TimeZone {
    static LONDON: std::sync::LazyLock<jiff::tz::TimeZone> = std::sync::LazyLock::new(|| {
        jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC)
    });
    &LONDON
}

/// Shows a time as people in England read it: "23 Nov 2026, 14:05".
pub fn local_time(at: jiff::Timestamp) -> String {
    // Written out by hand rather than with `strftime`: an audit page shows 50 of these, and
    // this takes a fraction of the time and one allocation.
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    use std::fmt::Write as _;
    let local = london().to_datetime(at);
    let month = MONTHS[usize::from(local.month().unsigned_abs()).saturating_sub(1) % 12];
    let mut out = String::with_capacity(20);
    let _ = write!(
        out,
        "{} {month} {:04}, {:02}:{:02}",
        local.day(),
        local.year(),
        local.hour(),
        local.minute()
    );
    out
}

pub fn local_date(date: jiff::civil::Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_english_local_time() {
        let summer = "2026-07-01T12:00:00Z".parse().unwrap();
        let winter = "2026-12-01T12:00:00Z".parse().unwrap();
        assert_eq!(local_time(summer), "1 Jul 2026, 13:00");
        assert_eq!(local_time(winter), "1 Dec 2026, 12:00");
    }
}
