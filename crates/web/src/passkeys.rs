//! Passkeys (WebAuthn) as a second factor: the relying party Custodian presents to browsers,
//! built once from the public address, and the ceremonies in progress.
//!
//! A ceremony's state (the challenge a browser must sign) stays in memory on the server, keyed
//! by the hash of the session token and kept for [`CEREMONY_TIMEOUT`]; it never goes into a
//! cookie. Each state is used once. This module stores no passkeys (the store does) and makes
//! no decisions about who may sign in (the handlers do).
//!
//! The relying party id is the host name of the public address and the origin is its scheme,
//! host and port. Browsers refuse WebAuthn on an IP address and on plain `http` except for
//! `localhost`, so on such an address passkeys are reported as unavailable and TOTP still works.

use custodian_core::ports::PasskeyRecord;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Mutex;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, Url, Webauthn, WebauthnBuilder,
};

/// How long a started registration or sign-in may take: WebAuthn's recommended authenticator
/// timeout, which leaves time to find a security key or unlock a phone.
pub const CEREMONY_TIMEOUT: SignedDuration = SignedDuration::from_mins(5);
/// Bound the ceremonies kept, so a flood of starts cannot exhaust memory.
const MAX_PENDING: usize = 10_000;
/// The name browsers may show beside the passkey.
const RP_NAME: &str = "Custodian";

/// A ceremony started and not yet finished.
pub enum Ceremony {
    /// Adding a passkey named `name` to an account.
    Registration {
        name: String,
        state: PasskeyRegistration,
    },
    /// Signing in with one of an account's passkeys.
    Authentication(PasskeyAuthentication),
}

struct Pending {
    expires: Timestamp,
    ceremony: Ceremony,
}

/// The relying party (when the public address allows one) and the ceremonies in progress.
pub struct Passkeys {
    relying_party: Result<Webauthn, &'static str>,
    pending: Mutex<HashMap<String, Pending>>,
}

impl Passkeys {
    pub fn new(public_url: &str) -> Self {
        let relying_party = relying_party(public_url);
        if let Err(reason) = &relying_party {
            tracing::info!(
                public_url,
                reason,
                "passkeys are unavailable at this address"
            );
        }
        Self {
            relying_party,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// The relying party, or why passkeys cannot be used at this address (a sentence for the
    /// page).
    pub fn relying_party(&self) -> Result<&Webauthn, &'static str> {
        self.relying_party.as_ref().map_err(|reason| *reason)
    }

    pub fn available(&self) -> bool {
        self.relying_party.is_ok()
    }

    /// Keeps a started ceremony for the session whose token hashes to `session`, replacing any
    /// earlier one of that session.
    pub fn start(&self, session: &str, ceremony: Ceremony, now: Timestamp) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.len() >= MAX_PENDING {
            pending.retain(|_, p| p.expires > now);
        }
        if pending.len() >= MAX_PENDING {
            // Still full of live ceremonies: drop the one closest to expiring.
            let oldest = pending
                .iter()
                .min_by_key(|(_, p)| p.expires)
                .map(|(k, _)| k.clone());
            if let Some(key) = oldest {
                pending.remove(&key);
            }
        }
        let expires = now.checked_add(CEREMONY_TIMEOUT).unwrap_or(now);
        pending.insert(session.to_owned(), Pending { expires, ceremony });
    }

    /// Takes (so it cannot be used again) the session's ceremony, if one has been started and
    /// has not expired.
    pub fn take(&self, session: &str, now: Timestamp) -> Option<Ceremony> {
        let mut pending = self.pending.lock().ok()?;
        pending
            .remove(session)
            .filter(|p| p.expires > now)
            .map(|p| p.ceremony)
    }
}

/// Builds the relying party from the public address, or says why it cannot be.
fn relying_party(public_url: &str) -> Result<Webauthn, &'static str> {
    let url = Url::parse(public_url.trim())
        .map_err(|_| "Custodian's public address is not a valid web address.")?;
    let Some(host) = url.domain() else {
        return Err(
            "Custodian is being reached by an IP address, and browsers only allow passkeys on a named address such as localhost or council.example.org.",
        );
    };
    let local = host == "localhost" || host.ends_with(".localhost");
    if url.scheme() != "https" && !(url.scheme() == "http" && local) {
        return Err(
            "Custodian is not being reached over a secure (https) address, and browsers only allow passkeys on https addresses or localhost.",
        );
    }
    // The origin is scheme, host and port only: a path in the public address plays no part.
    let origin = Url::parse(&url.origin().ascii_serialization())
        .map_err(|_| "Custodian's public address is not a valid web address.")?;
    WebauthnBuilder::new(host, &origin)
        .and_then(|builder| builder.rp_name(RP_NAME).build())
        .map_err(|_| "Custodian's public address cannot be used for passkeys.")
}

/// The credential stored for a passkey: its JSON form.
pub fn to_stored(passkey: &Passkey) -> Result<String, serde_json::Error> {
    serde_json::to_string(passkey)
}

/// Reads a stored passkey's credential.
pub fn from_stored(record: &PasskeyRecord) -> Result<Passkey, serde_json::Error> {
    serde_json::from_str(&record.credential)
}

/// Checks a passkey's name as typed: 1 to 60 characters once trimmed.
pub fn parse_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Enter a name for this passkey, such as the device it is on");
    }
    if name.chars().count() > MAX_NAME {
        return Err("The passkey name must be 60 characters or fewer");
    }
    if name.chars().any(char::is_control) {
        return Err("The passkey name must be on one line");
    }
    Ok(name.to_owned())
}

const MAX_NAME: usize = 60;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + s).unwrap()
    }

    #[test]
    fn a_named_https_address_or_localhost_gives_a_relying_party() {
        for url in [
            "https://custodian.example-pc.gov.uk",
            "https://custodian.example.org:8443/custodian/",
            "http://localhost:8080",
            "http://custodian.localhost",
        ] {
            assert!(relying_party(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn an_ip_address_or_plain_http_name_says_why_passkeys_are_unavailable() {
        let ip = relying_party("http://127.0.0.1:8080").err().unwrap();
        assert!(ip.contains("IP address"), "{ip}");
        assert!(relying_party("https://[::1]:8443").is_err());
        let http = relying_party("http://custodian.example.org").err().unwrap();
        assert!(http.contains("https"), "{http}");
        assert!(relying_party("not a url").is_err());
    }

    fn registration() -> Ceremony {
        let rp = relying_party("http://localhost:1").unwrap();
        let (_, state) = rp
            .start_passkey_registration(webauthn_rs::prelude::Uuid::nil(), "a@x.org", "A", None)
            .unwrap();
        Ceremony::Registration {
            name: "Laptop".to_owned(),
            state,
        }
    }

    #[test]
    fn a_ceremony_is_used_once_and_expires() {
        let passkeys = Passkeys::new("http://localhost:1");
        passkeys.start("s1", registration(), t(0));
        assert!(passkeys.take("s2", t(1)).is_none(), "another session's");
        assert!(passkeys.take("s1", t(1)).is_some());
        assert!(passkeys.take("s1", t(2)).is_none(), "used once");
        passkeys.start("s1", registration(), t(0));
        let late = t(0) + CEREMONY_TIMEOUT;
        assert!(passkeys.take("s1", late).is_none(), "expired");
    }

    #[test]
    fn passkey_names_are_checked() {
        assert_eq!(parse_name("  Work laptop "), Ok("Work laptop".to_owned()));
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"x".repeat(61)).is_err());
        assert!(parse_name("a\nb").is_err());
    }
}
