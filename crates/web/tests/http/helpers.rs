//! `spawn_app()`: a fresh database with two councils and people of several roles, served on
//! port 0 with a clock the test controls; and a small cookie-keeping client.

use custodian_core::audit::{Actor, ChainVerifier};
use custodian_core::council::{CouncilKind, CouncilName, Founding};
use custodian_core::ids::{CouncilId, PersonId};
use custodian_core::person::{Email, NewPerson, PersonName, Role, RoleSet, add_person};
use custodian_core::ports::{AuditLog, CouncilStore, PersonStore};
use custodian_core::time::Clock;
use custodian_store::Store;
use custodian_web::{ServeOptions, app_with_clock, provisioning};
use jiff::{SignedDuration, Timestamp};
use reqwest::redirect::Policy;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

pub const PASSWORD: &str = "correct-horse-battery-staple";

#[derive(Clone)]
pub struct TestClock(Arc<Mutex<Timestamp>>);

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

/// Everything the tracing subscriber wrote, so tests can prove secrets stay out of logs.
pub fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| Mutex::new(Vec::new()))
}

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        captured_logs().lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logging() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(|| LogWriter)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

pub struct Member {
    pub id: PersonId,
    pub email: String,
}

pub struct TestCouncil {
    pub id: CouncilId,
    pub clerk: Member,
    pub chair: Member,
    pub councillor: Member,
    pub auditor: Member,
    pub it_provider: Member,
}

pub struct TestApp {
    pub address: String,
    pub store: Store,
    pub clock: TestClock,
    pub a: TestCouncil,
    pub b: TestCouncil,
    _dir: tempfile::TempDir,
}

async fn member(
    store: &Store,
    council: CouncilId,
    name: &str,
    email: &str,
    role: Role,
    now: Timestamp,
) -> Member {
    let (person, event) = add_person(
        council,
        PersonId::generate(),
        NewPerson {
            name: PersonName::parse(name).unwrap(),
            email: Email::parse(email).unwrap(),
            roles: RoleSet::of(&[role]),
            start_date: None,
        },
        Actor::Operator,
        now,
    )
    .unwrap();
    store.insert_person(&person, &event).await.unwrap();
    let token = provisioning::invite(store, council, person.id, Actor::Operator, now)
        .await
        .unwrap();
    provisioning::accept_invitation(
        store,
        token.expose_secret(),
        SecretString::from(PASSWORD),
        "x",
        now,
    )
    .await
    .unwrap();
    Member {
        id: person.id,
        email: email.to_owned(),
    }
}

async fn council(store: &Store, name: &str, domain: &str, now: Timestamp) -> TestCouncil {
    let founding = Founding {
        council_id: CouncilId::generate(),
        name: CouncilName::parse(name).unwrap(),
        kind: CouncilKind::Parish,
        clerk_id: PersonId::generate(),
        clerk_name: PersonName::parse("Clara Clerk").unwrap(),
        clerk_email: Email::parse(&format!("clerk@{domain}")).unwrap(),
    };
    let (council, clerk, token) = provisioning::found(store, founding, Actor::Operator, now)
        .await
        .unwrap();
    provisioning::accept_invitation(
        store,
        token.expose_secret(),
        SecretString::from(PASSWORD),
        name,
        now,
    )
    .await
    .unwrap();
    // Tests sign in without an authenticator unless they set one up.
    let event = custodian_core::audit::AuditEvent::new(
        council.id,
        now,
        Actor::Operator,
        "council.settings_changed",
    );
    store
        .update_council(council.id, &council.name, &Default::default(), &event)
        .await
        .unwrap();
    TestCouncil {
        id: council.id,
        clerk: Member {
            id: clerk.id,
            email: format!("clerk@{domain}"),
        },
        chair: member(
            store,
            council.id,
            "Charles Chair",
            &format!("chair@{domain}"),
            Role::Chair,
            now,
        )
        .await,
        councillor: member(
            store,
            council.id,
            "Connie Councillor",
            &format!("cllr@{domain}"),
            Role::Councillor,
            now,
        )
        .await,
        auditor: member(
            store,
            council.id,
            "Audrey Auditor",
            &format!("auditor@{domain}"),
            Role::Auditor,
            now,
        )
        .await,
        it_provider: member(
            store,
            council.id,
            "Ivan Provider",
            &format!("it@{domain}"),
            Role::ItProvider,
            now,
        )
        .await,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_setup_code(None).await
}

pub async fn spawn_app_with_setup_code(setup_code: Option<&str>) -> TestApp {
    init_logging();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite_in(dir.path()).await.unwrap();
    store.migrate().await.unwrap();
    let clock = TestClock(Arc::new(Mutex::new(
        Timestamp::from_second(1_790_000_000).unwrap(),
    )));
    let now = clock.now();
    let (a, b) = if setup_code.is_some() {
        (None, None)
    } else {
        (
            Some(council(&store, "Ashby Parish Council", "ashby.example", now).await),
            Some(council(&store, "Brook Town Council", "brook.example", now).await),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let options = ServeOptions {
        public_url: address.clone(),
        setup_code: setup_code.map(|c| SecretString::from(c.to_owned())),
        vault_key: Some(Arc::new(custodian_vault::Key::generate().unwrap())),
    };
    let router = app_with_clock(store.clone(), options, Arc::new(clock.clone()));
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    let empty = || TestCouncil {
        id: CouncilId::generate(),
        clerk: Member {
            id: PersonId::generate(),
            email: String::new(),
        },
        chair: Member {
            id: PersonId::generate(),
            email: String::new(),
        },
        councillor: Member {
            id: PersonId::generate(),
            email: String::new(),
        },
        auditor: Member {
            id: PersonId::generate(),
            email: String::new(),
        },
        it_provider: Member {
            id: PersonId::generate(),
            email: String::new(),
        },
    };
    TestApp {
        address,
        store,
        clock,
        a: a.unwrap_or_else(empty),
        b: b.unwrap_or_else(empty),
        _dir: dir,
    }
}

impl TestApp {
    pub fn clock_now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn client(&self) -> Client {
        Client {
            base: self.address.clone(),
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            csrf: String::new(),
        }
    }

    /// A client signed in as `email` with the test password.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut client = self.client();
        let response = client.sign_in(email, PASSWORD).await;
        assert_eq!(
            response.status, 303,
            "sign-in as {email} failed: {}",
            response.body
        );
        client
    }

    /// A client signed in as `email` to the same database served again with the vault locked
    /// (started without a vault key).
    pub async fn signed_in_locked(&self, email: &str) -> Client {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let options = ServeOptions {
            public_url: address.clone(),
            setup_code: None,
            vault_key: None,
        };
        let router = app_with_clock(self.store.clone(), options, Arc::new(self.clock.clone()));
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let mut client = self.client();
        client.base = address;
        let response = client.sign_in(email, PASSWORD).await;
        assert_eq!(response.status, 303, "sign-in as {email} failed");
        client
    }

    /// Checks every council's audit chain and returns the entry actions of council `id`.
    pub async fn audit_actions(&self, id: CouncilId) -> Vec<String> {
        let mut verifier = ChainVerifier::new();
        self.store
            .for_each_entry(|e| verifier.push(e))
            .await
            .unwrap();
        assert!(verifier.finish().is_intact(), "audit chain broken");
        let query = custodian_core::ports::AuditQuery {
            limit: 10_000,
            ..Default::default()
        };
        let mut entries = self.store.entries(id, &query).await.unwrap();
        entries.reverse();
        entries.into_iter().map(|e| e.action).collect()
    }
}

pub struct Client {
    base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

/// The value of the first hidden `csrf_token` input in a page.
pub fn csrf_in(body: &str) -> Option<String> {
    let at = body.find("name=\"csrf_token\" value=\"")?;
    let rest = &body[at + 25..];
    Some(rest[..rest.find('"')?].to_owned())
}

impl Client {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        if let Some(token) = csrf_in(&body) {
            self.csrf = token;
        }
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Posts a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf.clone();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.get("/sign-in").await;
        self.post("/sign-in", &[("email", email), ("password", password)])
            .await
    }
}

/// The fields a browser would send from the form posting to `action`: hidden and text inputs,
/// and checked radios and checkboxes.
pub fn form_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}\""))
        .expect("the form is on the page");
    let form = &body[start..start + body[start..].find("</form>").unwrap()];
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(
            tag[at..at + tag[at..].find('"')?]
                .replace("&amp;", "&")
                .replace("&#x27;", "'"),
        )
    };
    form.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let kind = attribute(tag, "type").unwrap_or_else(|| "text".to_owned());
            let wanted = match kind.as_str() {
                "radio" | "checkbox" => tag.contains(" checked"),
                _ => true,
            };
            if !wanted {
                return None;
            }
            Some((
                attribute(tag, "name")?,
                attribute(tag, "value").unwrap_or_default(),
            ))
        })
        .collect()
}

fn multipart_body(
    fields: &[(&str, &str)],
    file_field: &str,
    file_name: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "custodian-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Client {
    /// Uploads a file as a browser's file-upload form does, with the CSRF token first.
    pub async fn post_file(
        &mut self,
        path: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Page {
        let token = self.csrf.clone();
        let (content_type, body) =
            multipart_body(&[("csrf_token", &token)], field, file_name, bytes);
        self.send_body(path, content_type, body).await
    }

    pub async fn post_file_without_csrf(
        &mut self,
        path: &str,
        field: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Page {
        let (content_type, body) = multipart_body(&[], field, file_name, bytes);
        self.send_body(path, content_type, body).await
    }

    async fn send_body(&mut self, path: &str, content_type: String, body: Vec<u8>) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }
}
