//! Email (issue 6, item 6): a council's SMTP settings, checked at the edge, and the outbox's
//! rules: what a queued message is, how its state reads, and when a failed one is tried again
//! or given up. Pure: no sockets and no clock; the web crate's sender does the sending and
//! passes `now` in.

use crate::ids::{CouncilId, PersonId};
use crate::person::Email;
use jiff::{SignedDuration, Timestamp};
use std::fmt;

/// Why a mail setting or message was refused. Messages say what to do next.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("Enter the name of the SMTP server, like smtp.example.org")]
    HostEmpty,
    #[error(
        "The SMTP server's name can only hold letters, digits, dots and hyphens, like smtp.example.org"
    )]
    HostInvalid,
    #[error(
        "Enter the port as a whole number from 1 to 65535 (usually 587 for STARTTLS, 465 for TLS)"
    )]
    PortInvalid,
    #[error("Choose how the connection to the SMTP server is protected")]
    SecurityUnknown,
    #[error(
        "Sending without encryption is only allowed to a server on this computer (localhost): anywhere else the password and every message would cross the network readable. Choose STARTTLS or TLS."
    )]
    PlainOnlyToLocalhost,
    #[error("Enter the From address as an email address, like clerk@example-pc.gov.uk")]
    FromAddressInvalid,
    #[error("The From name must be one line of at most 100 characters")]
    FromNameInvalid,
    #[error("The user name must be one line of at most 254 characters")]
    UsernameInvalid,
    #[error("Choose the hour of the daily digest, from 0 to 23")]
    DigestHourInvalid,
    #[error("A message needs a subject of one line, at most 200 characters")]
    SubjectInvalid,
    #[error("A message needs a body")]
    BodyEmpty,
    #[error("\"{0}\" is not a kind of message Custodian sends")]
    UnknownKind(String),
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (usually port 587); refused if the server
    /// cannot upgrade.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only to a server on this computer.
    None,
}

impl SmtpSecurity {
    pub const ALL: [SmtpSecurity; 3] = [Self::StartTls, Self::Tls, Self::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartTls => "starttls",
            Self::Tls => "tls",
            Self::None => "none",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::StartTls => "STARTTLS (usually port 587)",
            Self::Tls => "TLS (usually port 465)",
            Self::None => "None (only for a server on this computer)",
        }
    }

    pub fn parse(text: &str) -> Result<Self, MailError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
            .ok_or(MailError::SecurityUnknown)
    }
}

/// An SMTP server's host name or IP address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpHost(String);

impl SmtpHost {
    pub fn parse(text: &str) -> Result<Self, MailError> {
        let host = text.trim().trim_end_matches('.').to_lowercase();
        if host.is_empty() {
            return Err(MailError::HostEmpty);
        }
        if host.parse::<std::net::IpAddr>().is_ok() {
            return Ok(Self(host));
        }
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if host.len() > 253 || !host.split('.').all(label_ok) {
            return Err(MailError::HostInvalid);
        }
        Ok(Self(host))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the server is this computer, the one place an unencrypted connection cannot be
    /// read by anyone else.
    pub fn is_local(&self) -> bool {
        self.0 == "localhost"
            || self
                .0
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// Parses a port typed into a form.
pub fn parse_port(text: &str) -> Result<u16, MailError> {
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(MailError::PortInvalid),
    }
}

/// Parses the hour (Europe/London) the daily digest is sent.
pub fn parse_digest_hour(text: &str) -> Result<u8, MailError> {
    match text.trim().parse::<u8>() {
        Ok(hour) if hour < 24 => Ok(hour),
        _ => Err(MailError::DigestHourInvalid),
    }
}

fn one_line(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    (text.chars().count() <= max && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

/// A council's SMTP settings as stored. The password is held only sealed with the vault key
/// (`password_sealed`); this type never sees it in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub council_id: CouncilId,
    pub enabled: bool,
    pub host: SmtpHost,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    /// The password sealed by the vault key ("v1:…"), if one is saved.
    pub password_sealed: Option<String>,
    pub from_address: Email,
    pub from_name: String,
    /// The hour (0-23, Europe/London) of the daily digest.
    pub digest_hour: u8,
    pub updated_at: Timestamp,
}

impl fmt::Debug for MailSettings {
    /// Leaves out even the sealed password: nothing is gained by printing it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("council_id", &self.council_id)
            .field("enabled", &self.enabled)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password_saved", &self.password_sealed.is_some())
            .field("from_address", &self.from_address)
            .field("from_name", &self.from_name)
            .field("digest_hour", &self.digest_hour)
            .finish()
    }
}

/// What the settings form says, as typed.
#[derive(Clone, Debug, Default)]
pub struct MailSettingsInput<'a> {
    pub enabled: bool,
    pub host: &'a str,
    pub port: &'a str,
    pub security: &'a str,
    pub username: &'a str,
    pub from_address: &'a str,
    pub from_name: &'a str,
    pub digest_hour: &'a str,
}

/// Checks every field of the form; each problem is named with its field's id, so the page can
/// show them all at once. The password is not here: it is sealed (or refused) by the caller.
pub fn check_settings(
    council_id: CouncilId,
    input: &MailSettingsInput,
    password_sealed: Option<String>,
    now: Timestamp,
) -> Result<MailSettings, Vec<(&'static str, MailError)>> {
    fn note<T>(
        problems: &mut Vec<(&'static str, MailError)>,
        field: &'static str,
        result: Result<T, MailError>,
    ) -> Option<T> {
        result.map_err(|e| problems.push((field, e))).ok()
    }
    let mut problems = Vec::new();
    let p = &mut problems;
    let host = note(p, "host", SmtpHost::parse(input.host));
    let port = note(p, "port", parse_port(input.port));
    let security = note(p, "security", SmtpSecurity::parse(input.security));
    let username = note(
        p,
        "username",
        one_line(input.username, 254).ok_or(MailError::UsernameInvalid),
    );
    let from_address = note(
        p,
        "from_address",
        Email::parse(input.from_address).map_err(|_| MailError::FromAddressInvalid),
    );
    let from_name = note(
        p,
        "from_name",
        one_line(input.from_name, 100).ok_or(MailError::FromNameInvalid),
    );
    let digest_hour = note(p, "digest_hour", parse_digest_hour(input.digest_hour));
    if let (Some(host), Some(SmtpSecurity::None)) = (&host, security)
        && !host.is_local()
    {
        problems.push(("security", MailError::PlainOnlyToLocalhost));
    }
    match (
        host,
        port,
        security,
        username,
        from_address,
        from_name,
        digest_hour,
    ) {
        (
            Some(host),
            Some(port),
            Some(security),
            Some(username),
            Some(from_address),
            Some(from_name),
            Some(digest_hour),
        ) if problems.is_empty() => Ok(MailSettings {
            council_id,
            enabled: input.enabled,
            host,
            port,
            security,
            username,
            password_sealed,
            from_address,
            from_name,
            digest_hour,
            updated_at: now,
        }),
        _ => Err(problems),
    }
}

/// What a message is about (kept so the Clerk's list can say, and so the digest can be told
/// from an alert).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    Digest,
    Incident,
    EmergencyAccess,
    Approval,
    Reminder,
    Test,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        Self::Digest,
        Self::Incident,
        Self::EmergencyAccess,
        Self::Approval,
        Self::Reminder,
        Self::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Digest => "digest",
            Self::Incident => "incident",
            Self::EmergencyAccess => "emergency_access",
            Self::Approval => "approval",
            Self::Reminder => "reminder",
            Self::Test => "test",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Digest => "Daily digest",
            Self::Incident => "Incident reported",
            Self::EmergencyAccess => "Emergency access",
            Self::Approval => "Approval",
            Self::Reminder => "Reminder",
            Self::Test => "Test message",
        }
    }

    pub fn parse(text: &str) -> Result<Self, MailError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| MailError::UnknownKind(text.to_owned()))
    }
}

/// Identifies a queued message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MailId(uuid::Uuid);

impl MailId {
    /// A new time-ordered id; called at the edge, as other ids are.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7())
    }

    pub fn parse(text: &str) -> Result<Self, uuid::Error> {
        uuid::Uuid::parse_str(text).map(Self)
    }
}

impl fmt::Display for MailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A message to queue. Plain text; callers must never put a secret (password, token, sign-in
/// link) in the subject or body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMail {
    pub id: MailId,
    pub council_id: CouncilId,
    pub recipient: PersonId,
    pub address: Email,
    pub subject: String,
    pub body: String,
    pub kind: MailKind,
    /// Unique per council: the same key is never queued twice (e.g. "digest:<person>:<date>").
    pub dedupe_key: String,
    pub created_at: Timestamp,
}

/// The pieces of a new message.
pub struct NewMail<'a> {
    pub council_id: CouncilId,
    pub recipient: PersonId,
    pub address: &'a Email,
    pub subject: &'a str,
    pub body: &'a str,
    pub kind: MailKind,
    pub dedupe_key: String,
}

impl OutgoingMail {
    /// A message due at once. The subject must be one line (a line break would let text become
    /// a mail header).
    pub fn new(id: MailId, mail: NewMail, now: Timestamp) -> Result<Self, MailError> {
        let subject = one_line(mail.subject, 200)
            .filter(|s| !s.is_empty())
            .ok_or(MailError::SubjectInvalid)?;
        if mail.body.trim().is_empty() {
            return Err(MailError::BodyEmpty);
        }
        Ok(Self {
            id,
            council_id: mail.council_id,
            recipient: mail.recipient,
            address: mail.address.clone(),
            subject,
            body: mail.body.to_owned(),
            kind: mail.kind,
            dedupe_key: mail.dedupe_key,
            created_at: now,
        })
    }
}

/// A message in the outbox, with how sending it has gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMail {
    pub mail: OutgoingMail,
    /// Tries that reached the server (or failed to); waiting for the vault or for settings
    /// does not count.
    pub attempts: u32,
    /// When it is next due; `None` once sent or given up.
    pub next_attempt_at: Option<Timestamp>,
    /// Why the last try failed, or why it is waiting, in plain words (never a secret).
    pub last_error: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub given_up_at: Option<Timestamp>,
}

/// How a queued message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailStatus {
    /// Not tried yet.
    Queued,
    /// Tried and failed, or held (vault locked, email off); will be tried again.
    Retrying,
    Sent,
    GivenUp,
}

impl MailStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued",
            Self::Retrying => "Will try again",
            Self::Sent => "Sent",
            Self::GivenUp => "Given up",
        }
    }
}

impl QueuedMail {
    pub fn status(&self) -> MailStatus {
        if self.sent_at.is_some() {
            MailStatus::Sent
        } else if self.given_up_at.is_some() {
            MailStatus::GivenUp
        } else if self.attempts > 0 || self.last_error.is_some() {
            MailStatus::Retrying
        } else {
            MailStatus::Queued
        }
    }
}

/// The waits after each failed try: 1 minute, 5 minutes, 30 minutes, 2 hours, then every
/// 6 hours.
const RETRY_WAITS_MINUTES: [i64; 5] = [1, 5, 30, 120, 360];
/// After this many failed tries (about 21 hours of trying) the message is given up and the
/// Clerk is told; "Try again now" starts the count afresh.
pub const MAX_ATTEMPTS: u32 = 8;

/// What happens after a failed try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    TryAgainAt(Timestamp),
    GiveUp,
}

/// After the `attempts`-th failed try (counting this one, from 1) at `now`.
pub fn after_failure(attempts: u32, now: Timestamp) -> AfterFailure {
    if attempts >= MAX_ATTEMPTS {
        return AfterFailure::GiveUp;
    }
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(usize::MAX);
    let minutes = RETRY_WAITS_MINUTES
        .get(index)
        .or(RETRY_WAITS_MINUTES.last())
        .copied()
        .unwrap_or(360);
    AfterFailure::TryAgainAt(now + SignedDuration::from_mins(minutes))
}

/// How long a message waits when it cannot be tried at all (vault locked, email turned off):
/// it is not a failed try, so it is never given up for it.
pub const HOLD_MINUTES: i64 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>() -> MailSettingsInput<'a> {
        MailSettingsInput {
            enabled: true,
            host: "smtp.example.org",
            port: "587",
            security: "starttls",
            username: "clerk",
            from_address: "clerk@ashby.example",
            from_name: "Ashby Parish Council",
            digest_hour: "7",
        }
    }

    #[test]
    fn good_settings_are_accepted() {
        let settings =
            check_settings(CouncilId::generate(), &input(), None, Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(settings.host.as_str(), "smtp.example.org");
        assert_eq!(settings.port, 587);
        assert_eq!(settings.security, SmtpSecurity::StartTls);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = MailSettingsInput {
            host: "smtp example",
            port: "70000",
            from_address: "clerk",
            digest_hour: "24",
            ..input()
        };
        let problems =
            check_settings(CouncilId::generate(), &bad, None, Timestamp::UNIX_EPOCH).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["host", "port", "from_address", "digest_hour"]);
    }

    #[test]
    fn no_encryption_is_refused_unless_the_server_is_this_computer() {
        let remote = MailSettingsInput {
            security: "none",
            ..input()
        };
        let problems = check_settings(CouncilId::generate(), &remote, None, Timestamp::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(problems, [("security", MailError::PlainOnlyToLocalhost)]);
        for host in ["localhost", "127.0.0.1", "::1"] {
            let local = MailSettingsInput {
                host,
                security: "none",
                ..input()
            };
            assert!(
                check_settings(CouncilId::generate(), &local, None, Timestamp::UNIX_EPOCH).is_ok()
            );
        }
    }

    #[test]
    fn ports_and_hours_outside_their_range_are_refused() {
        assert_eq!(parse_port("0"), Err(MailError::PortInvalid));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert_eq!(parse_digest_hour("23"), Ok(23));
        assert_eq!(parse_digest_hour("-1"), Err(MailError::DigestHourInvalid));
    }

    #[test]
    fn a_subject_with_a_line_break_is_refused() {
        let address = Email::parse("a@b.example").unwrap();
        let mail = NewMail {
            council_id: CouncilId::generate(),
            recipient: PersonId::generate(),
            address: &address,
            subject: "Hello\r\nBcc: everyone@example.org",
            body: "x",
            kind: MailKind::Test,
            dedupe_key: "test:1".into(),
        };
        assert_eq!(
            OutgoingMail::new(MailId::generate(), mail, Timestamp::UNIX_EPOCH),
            Err(MailError::SubjectInvalid)
        );
    }

    #[test]
    fn failed_tries_wait_longer_each_time_then_give_up() {
        let now = Timestamp::UNIX_EPOCH;
        let waits: Vec<_> = (1..MAX_ATTEMPTS)
            .map(|n| match after_failure(n, now) {
                AfterFailure::TryAgainAt(at) => at.duration_since(now).as_mins(),
                AfterFailure::GiveUp => -1,
            })
            .collect();
        assert_eq!(waits, [1, 5, 30, 120, 360, 360, 360]);
        assert_eq!(after_failure(MAX_ATTEMPTS, now), AfterFailure::GiveUp);
    }

    #[test]
    fn settings_debug_output_leaves_out_the_sealed_password() {
        let settings = check_settings(
            CouncilId::generate(),
            &input(),
            Some("v1:abcdef".into()),
            Timestamp::UNIX_EPOCH,
        )
        .unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("abcdef"));
        assert!(shown.contains("password_saved: true"));
    }
}
