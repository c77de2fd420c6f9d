//! The daily digest's text: what one person must do that is overdue or due within a week, in
//! plain words with a link to each page. Sending it is the mail outbox's job.

use super::{Due, Who};
use crate::ids::PersonId;
use crate::policy::document::format_date;
use jiff::ToSpan;
use jiff::civil::Date;
use std::fmt::Write;

/// How many days ahead the digest looks.
pub const DIGEST_DAYS: i64 = 7;

/// One digest email, ready for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub subject: String,
    pub body: String,
}

/// The digest for `person` (called `name`) from their entries (see [`super::for_person`]), or
/// `None` when nothing is overdue or due within [`DIGEST_DAYS`] days, so nobody is mailed to
/// be told there is nothing to do. Links are absolute, made from `public_url`.
pub fn digest(
    name: &str,
    person: PersonId,
    items: &[&Due],
    today: Date,
    public_url: &str,
) -> Option<Digest> {
    let week_end = today.checked_add(DIGEST_DAYS.days()).unwrap_or(Date::MAX);
    let overdue: Vec<&Due> = items.iter().copied().filter(|d| d.due < today).collect();
    let this_week: Vec<&Due> = items
        .iter()
        .copied()
        .filter(|d| d.due >= today && d.due <= week_end)
        .collect();
    if overdue.is_empty() && this_week.is_empty() {
        return None;
    }
    let base = public_url.trim_end_matches('/');
    let first = name.split_whitespace().next().unwrap_or(name);
    let mut body = format!("Hello {first},\n\n");
    let count = |n: usize| {
        if n == 1 {
            "1 thing".to_owned()
        } else {
            format!("{n} things")
        }
    };
    let subject = match (overdue.len(), this_week.len()) {
        (0, soon) => format!("Custodian: {} due this week", count(soon)),
        (late, 0) => format!("Custodian: {} overdue", count(late)),
        (late, soon) => format!("Custodian: {} overdue, {soon} due this week", count(late)),
    };
    for (heading, group) in [("Overdue", &overdue), ("Due this week", &this_week)] {
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(body, "{heading}\n");
        for due in group.iter() {
            let who = match due.for_whom {
                Who::Person(id) if id != person => format!(" (for {} to do)", due.subject.name),
                _ => String::new(),
            };
            let _ = writeln!(
                body,
                "- {}: {}{who}\n  {} (due {}; clause {})\n  {base}{}\n",
                due.subject.name,
                due.title,
                due.kind.label(),
                format_date(due.due),
                due.clause,
                due.link_for(person),
            );
        }
    }
    let _ = write!(
        body,
        "Everything coming up is at {base}/reminders\n\nThis email was sent by Custodian because you are a member of the council. It holds no passwords or personal details beyond names; the links need you to sign in.\n"
    );
    Some(Digest { subject, body })
}
