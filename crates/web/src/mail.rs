//! Sending email (issue 6, item 6): the outbox sender, the SMTP password's sealing, and the
//! alerts queued when an incident is reported or emergency access is opened.
//!
//! Every message goes through the store's outbox; [`Mailer::send_due`] is one pass over what
//! is due, and [`spawn_sender`] runs passes every 30 seconds, or sooner when [`wake`] is called
//! after something is queued. A failed try is recorded with the error in plain words and the
//! next try (`core::mail::after_failure`); nothing is dropped silently. Bodies and errors never
//! hold a secret: the SMTP password is opened only for the moment of sending.

use crate::ServeOptions;
use crate::nav::local_time;
use custodian_core::audit::{Actor, AuditEvent};
use custodian_core::ids::CouncilId;
use custodian_core::incident::{Incident, IncidentKind};
use custodian_core::mail::{
    AfterFailure, HOLD_MINUTES, MailId, MailKind, MailSettings, NewMail, OutgoingMail, QueuedMail,
    SmtpSecurity, after_failure,
};
use custodian_core::permission::{Action, may};
use custodian_core::person::{Person, PersonStatus};
use custodian_core::ports::{MailStore, StoreError};
use custodian_core::time::Clock;
use custodian_store::Store;
use custodian_vault::{Binding, Key, Sealed};
use jiff::{SignedDuration, Timestamp};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::zeroize::Zeroizing;
use serde_json::json;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use tokio::sync::Notify;

/// How often the sender looks for due messages when nothing wakes it.
const PASS_EVERY: Duration = Duration::from_secs(30);
/// How long one SMTP conversation may take (connecting, and each command).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages taken per batch; a pass takes batches until nothing is due.
const BATCH: i64 = 20;
/// How long a taken message is left alone by other senders: longer than a batch can take.
const LEASE: SignedDuration = SignedDuration::from_mins(15);
/// An error shown to the Clerk is cut to this many characters.
const ERROR_CHARS: usize = 300;

/// Wakes the sender. One per process rather than per application: `serve` builds the router
/// and the sender separately, and a spare wake-up (several applications in one test process)
/// only makes a sender look sooner.
static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Asks the sender to look at the outbox now (call after queueing).
pub fn wake() {
    WAKE.notify_one();
}

/// Why the SMTP password could not be sealed or opened. Never holds the password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error(transparent)]
    Crypto(#[from] custodian_vault::VaultError),
    #[error(transparent)]
    Format(#[from] custodian_vault::SealedTextError),
    #[error("the saved SMTP password is not readable text")]
    NotText,
}

/// The council's settings are the "item" the password belongs to.
fn password_binding(item: &str) -> Binding<'_> {
    Binding {
        item,
        field: "smtp_password",
        version: 1,
    }
}

/// Seals a council's SMTP password with the vault key, bound to the council, so it opens for
/// no other council.
pub fn seal_password(
    key: &Key,
    council: CouncilId,
    password: &str,
) -> Result<String, PasswordError> {
    let item = format!("mail-settings:{council}");
    let sealed = custodian_vault::seal(key, &password_binding(&item), password.as_bytes())?;
    Ok(sealed.to_text())
}

fn open_password(
    key: &Key,
    council: CouncilId,
    sealed: &str,
) -> Result<Zeroizing<String>, PasswordError> {
    let item = format!("mail-settings:{council}");
    let sealed = Sealed::from_text(sealed)?;
    let plain = custodian_vault::open(key, &password_binding(&item), &sealed)?;
    let text = std::str::from_utf8(&plain).map_err(|_| PasswordError::NotText)?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// What one pass did, for tests and the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: usize,
    pub failed: usize,
    pub given_up: usize,
    pub held: usize,
}

/// Everything a sender needs. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    store: Store,
    vault_key: Option<Arc<Key>>,
    hello_name: String,
}

impl Mailer {
    /// `hello_name` is the name the sender gives the server (its host name).
    pub fn new(store: Store, vault_key: Option<Arc<Key>>, hello_name: &str) -> Self {
        Self {
            store,
            vault_key,
            hello_name: hello_name.to_owned(),
        }
    }

    /// A mailer for the server: introduces itself by the public address's host name.
    pub fn for_serve(store: Store, options: &ServeOptions) -> Self {
        let host = options
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("localhost")
            .split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost");
        Self::new(store, options.vault_key.clone(), host)
    }

    /// One pass: sends every message due at `now`, recording each outcome.
    pub async fn send_due(&self, now: Timestamp) -> Result<SendReport, StoreError> {
        let mut report = SendReport::default();
        let mut settings: HashMap<CouncilId, Option<MailSettings>> = HashMap::new();
        loop {
            let due = self.store.claim_due_mail(now, now + LEASE, BATCH).await?;
            if due.is_empty() {
                return Ok(report);
            }
            for queued in due {
                let council = queued.mail.council_id;
                let council_settings = match settings.entry(council) {
                    Entry::Occupied(known) => known.get().clone(),
                    Entry::Vacant(unknown) => unknown
                        .insert(self.store.mail_settings(council).await?)
                        .clone(),
                };
                self.send_one(&queued, council_settings.as_ref(), now, &mut report)
                    .await?;
            }
        }
    }

    async fn send_one(
        &self,
        queued: &QueuedMail,
        settings: Option<&MailSettings>,
        now: Timestamp,
        report: &mut SendReport,
    ) -> Result<(), StoreError> {
        let mail = &queued.mail;
        let hold = |reason: &'static str| async move {
            self.store
                .hold_mail(
                    mail.council_id,
                    mail.id,
                    reason,
                    now + SignedDuration::from_mins(HOLD_MINUTES),
                )
                .await
        };
        let Some(settings) = settings.filter(|s| s.enabled) else {
            report.held += 1;
            return hold(
                "Email is turned off in Settings, Email. It will be sent once email is turned on.",
            )
            .await;
        };
        let password = match (&settings.password_sealed, &self.vault_key) {
            (None, _) => None,
            (Some(_), None) => {
                report.held += 1;
                return hold(
                    "The vault is locked, so the saved SMTP password cannot be used. It will be sent once Custodian is started with the vault unlocked.",
                )
                .await;
            }
            (Some(sealed), Some(key)) => match open_password(key, mail.council_id, sealed) {
                Ok(password) => Some(password),
                Err(e) => {
                    tracing::warn!(error = %e, council = %mail.council_id, "SMTP password not opened");
                    let error = "The saved SMTP password could not be opened with this vault key. Save the password again in Settings, Email.";
                    return self.record_failure(queued, error, now, report).await;
                }
            },
        };
        match deliver(
            settings,
            password.as_deref().map(String::as_str),
            mail,
            &self.hello_name,
            now,
        )
        .await
        {
            Ok(()) => {
                report.sent += 1;
                self.store
                    .mark_mail_sent(mail.council_id, mail.id, now)
                    .await
            }
            Err(error) => {
                let error = match password.as_deref() {
                    Some(p) if !p.is_empty() => error.replace(p.as_str(), "***"),
                    _ => error,
                };
                self.record_failure(queued, &error, now, report).await
            }
        }
    }

    async fn record_failure(
        &self,
        queued: &QueuedMail,
        error: &str,
        now: Timestamp,
        report: &mut SendReport,
    ) -> Result<(), StoreError> {
        let mail = &queued.mail;
        let attempts = queued.attempts.saturating_add(1);
        let error: String = error.chars().take(ERROR_CHARS).collect();
        match after_failure(attempts, now) {
            AfterFailure::TryAgainAt(at) => {
                report.failed += 1;
                self.store
                    .mark_mail_failed(mail.council_id, mail.id, now, &error, Some(at), None)
                    .await
            }
            AfterFailure::GiveUp => {
                report.given_up += 1;
                let event = AuditEvent::new(mail.council_id, now, Actor::System, "mail.given_up")
                    .subject(format!("mail:{}", mail.id))
                    .details(json!({
                        "kind": mail.kind.as_str(),
                        "recipient": mail.recipient.to_string(),
                        "attempts": attempts,
                    }));
                self.store
                    .mark_mail_failed(mail.council_id, mail.id, now, &error, None, Some(&event))
                    .await
            }
        }
    }
}

/// Sends one message over SMTP. The error is in plain words for the Clerk.
async fn deliver(
    settings: &MailSettings,
    password: Option<&str>,
    mail: &OutgoingMail,
    hello_name: &str,
    now: Timestamp,
) -> Result<(), String> {
    let host = settings.host.as_str();
    let where_to = format!("{host} port {}", settings.port);
    let message = Message::builder()
        .from(Mailbox::new(
            Some(settings.from_name.clone()).filter(|n| !n.is_empty()),
            settings.from_address.as_str().parse().map_err(|_| {
                "The From address in Settings, Email is not one the mail library accepts."
                    .to_owned()
            })?,
        ))
        .to(Mailbox::new(
            None,
            mail.address.as_str().parse().map_err(|_| {
                format!(
                    "The address {} is not one the mail library accepts.",
                    mail.address.as_str()
                )
            })?,
        ))
        .subject(mail.subject.clone())
        .date(std::time::SystemTime::from(now))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| format!("The message could not be put together: {e}"))?;
    let tls = |host: &str| {
        TlsParameters::new(host.to_owned())
            .map_err(|e| format!("Could not prepare a secure connection to {where_to}: {e}"))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(settings.port)
        .timeout(Some(SMTP_TIMEOUT))
        .hello_name(client_id(hello_name));
    builder = match settings.security {
        SmtpSecurity::StartTls => builder.tls(Tls::Required(tls(host)?)),
        SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls(host)?)),
        SmtpSecurity::None => builder.tls(Tls::None),
    };
    if !settings.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            settings.username.clone(),
            password.unwrap_or_default().to_owned(),
        ));
    }
    let transport = builder.build();
    match tokio::time::timeout(SMTP_TIMEOUT * 2, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!(
            "Could not send through {where_to}: {}",
            explain(&e)
        )),
        Err(_) => Err(format!(
            "Could not send through {where_to}: the server did not answer in time."
        )),
    }
}

/// How the sender names itself in EHLO: an address literal when the public address is an IP.
fn client_id(hello_name: &str) -> ClientId {
    match hello_name.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ClientId::Ipv4(ip),
        Ok(std::net::IpAddr::V6(ip)) => ClientId::Ipv6(ip),
        Err(_) => ClientId::Domain(hello_name.to_owned()),
    }
}

/// The error and its causes in one line ("connection refused" is deep in the chain).
fn explain(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = cause_of(source);
    }
    text
}

fn cause_of<'a>(
    error: Option<&'a (dyn std::error::Error + 'static)>,
) -> Option<&'a (dyn std::error::Error + 'static)> {
    error.and_then(|e| e.source())
}

/// Runs sender passes until the task is aborted: every 30 seconds, and when [`wake`] is called.
pub fn spawn_sender(mailer: Mailer, clock: Arc<dyn Clock>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match mailer.send_due(clock.now()).await {
                Ok(report) if report != SendReport::default() => {
                    tracing::info!(
                        sent = report.sent,
                        failed = report.failed,
                        given_up = report.given_up,
                        held = report.held,
                        "mail pass"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the outbox could not be read"),
            }
            tokio::select! {
                () = WAKE.notified() => {}
                () = tokio::time::sleep(PASS_EVERY) => {}
            }
        }
    })
}

/// One message to one person, or `None` if they cannot be mailed (left, or their address
/// refused) — which is said in the log, not silently skipped.
pub(crate) fn to_person(
    person: &Person,
    subject: &str,
    body: &str,
    kind: MailKind,
    dedupe_key: String,
    now: Timestamp,
) -> Option<OutgoingMail> {
    let mail = NewMail {
        council_id: person.council_id,
        recipient: person.id,
        address: &person.email,
        subject,
        body,
        kind,
        dedupe_key,
    };
    match OutgoingMail::new(MailId::generate(), mail, now) {
        Ok(mail) => Some(mail),
        Err(e) => {
            tracing::warn!(error = %e, person = %person.id, "a message could not be queued");
            None
        }
    }
}

/// Whether the council sends email at all: immediate alerts are only queued when it does, so
/// switching email on later does not deliver a pile of stale alerts.
pub async fn is_on(store: &Store, council: CouncilId) -> Result<bool, StoreError> {
    Ok(store
        .mail_settings(council)
        .await?
        .is_some_and(|s| s.enabled))
}

/// The alerts for a reported incident: one to each active person who may manage incidents
/// (Clerk and Chair), except whoever reported it. The summary is left out (it may name
/// people, and mail is less guarded than Custodian): the link leads to it.
pub fn incident_alerts(
    people: &[Person],
    incident: &Incident,
    public_url: &str,
    now: Timestamp,
) -> Vec<OutgoingMail> {
    let link = format!(
        "{}/incidents/{}",
        public_url.trim_end_matches('/'),
        incident.id
    );
    let breach = incident.kind == IncidentKind::PersonalDataBreach;
    let subject = if breach {
        "Personal-data breach reported: the 72-hour clock is running".to_owned()
    } else {
        format!("Incident reported: {}", incident.kind.label())
    };
    let mut body = format!(
        "An incident was reported in Custodian on {}.\n\nKind: {}\n",
        local_time(incident.reported_at),
        incident.kind.label()
    );
    if let Some(clock) = incident.breach_clock(now) {
        body.push_str(&format!(
            "\nThis is a personal-data breach. If it must be reported to the ICO, that has to be done within 72 hours of the council becoming aware of it (UK GDPR article 33): by {}. Record the decision in Custodian, including a decision not to report.\n",
            local_time(clock.deadline())
        ));
    }
    body.push_str(&format!(
        "\nRead the report and record what is done:\n{link}\n\nThe report itself is not in this email. You are sent this because you may manage incidents.\n"
    ));
    people
        .iter()
        .filter(|p| {
            p.status == PersonStatus::Active
                && may(p.roles, Action::ManageIncidents)
                && Some(p.id) != incident.reported_by
        })
        .filter_map(|p| {
            to_person(
                p,
                &subject,
                &body,
                MailKind::Incident,
                format!("incident:{}:{}", incident.id, p.id),
                now,
            )
        })
        .collect()
}

/// The alerts for emergency access opened: to the same people the in-app notice goes to
/// (`told`), saying when it opens and where to object. The reason is left out, as the
/// incident summary is.
pub fn emergency_alerts(
    people: &[Person],
    told: &[custodian_core::ids::PersonId],
    emergency_id: &str,
    opened_by: &str,
    opens: &str,
    public_url: &str,
    now: Timestamp,
) -> Vec<OutgoingMail> {
    let link = format!("{}/vault/emergency", public_url.trim_end_matches('/'));
    let subject = "Emergency access to the sealed passwords was opened";
    let body = format!(
        "{opened_by} opened emergency access to the council's sealed passwords in Custodian on {}.\n\nIt opens {opens} unless someone objects. If you did not expect this, read the reason and object now:\n{link}\n",
        local_time(now)
    );
    people
        .iter()
        .filter(|p| told.contains(&p.id) && p.status == PersonStatus::Active)
        .filter_map(|p| {
            to_person(
                p,
                subject,
                &body,
                MailKind::EmergencyAccess,
                format!("emergency:{emergency_id}:{}", p.id),
                now,
            )
        })
        .collect()
}

/// The alerts for an incident about to be stored, if the council sends email (queued in the
/// incident's own transaction by `MailStore::insert_incident_with_mail`).
pub async fn alerts_for_incident(
    state: &crate::state::AppState,
    incident: &Incident,
) -> Result<Vec<OutgoingMail>, crate::error::AppError> {
    if !is_on(state.store(), incident.council_id).await? {
        return Ok(Vec::new());
    }
    let people = state.people(incident.council_id).await?;
    Ok(incident_alerts(
        &people,
        incident,
        &state.inner().options.public_url,
        state.now(),
    ))
}

/// Queues the emergency-access alerts just after the emergency is stored. Not in its
/// transaction: that lives in the vault's store, whose seam takes no mail; a failure here is
/// logged and leaves the in-app notices, which were stored with the emergency.
pub async fn queue_emergency_alerts(
    state: &crate::state::AppState,
    council: CouncilId,
    told: &[custodian_core::ids::PersonId],
    emergency_id: &str,
    opened_by: &str,
    opens: &str,
) {
    let result = async {
        if !is_on(state.store(), council).await? {
            return Ok(0);
        }
        let people = state
            .people(council)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string().into()))?;
        let mail = emergency_alerts(
            &people,
            told,
            emergency_id,
            opened_by,
            opens,
            &state.inner().options.public_url,
            state.now(),
        );
        enqueue(state.store(), &mail).await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, %council, "emergency access alerts could not be queued");
    }
}

/// Queues messages (skipping dedupe keys already queued) and wakes the sender: the one call
/// for anything that sends mail, e.g. the daily digest. Returns how many were newly queued.
pub async fn enqueue(store: &Store, mail: &[OutgoingMail]) -> Result<usize, StoreError> {
    let queued = store.enqueue_mail(mail).await?;
    if queued > 0 {
        wake();
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_password_opens_only_for_its_own_council() {
        let key = Key::generate().unwrap();
        let council = CouncilId::generate();
        let sealed = seal_password(&key, council, "hunter2-kettle").unwrap();
        assert!(!sealed.contains("hunter2"));
        assert_eq!(
            open_password(&key, council, &sealed).unwrap().as_str(),
            "hunter2-kettle"
        );
        assert!(open_password(&key, CouncilId::generate(), &sealed).is_err());
        assert!(open_password(&Key::generate().unwrap(), council, &sealed).is_err());
    }
}
