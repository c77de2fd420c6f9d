//! The `custodian` command as people run it: the real binary, each test in its own temporary
//! data folder, no network and no fixed ports.
// This whole crate is test code; its helpers may fail loudly like the tests that call them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use custodian_core::audit::ChainVerifier;
use custodian_core::person::{PersonStatus, Role, RoleSet};
use custodian_core::ports::*;
use custodian_store::Store;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

mod assets;
mod monitor;
mod monitor_ingest;
mod policy;
mod vault;

fn custodian(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custodian"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        // The tests must not pick up settings from whoever runs them.
        .env_remove("CUSTODIAN_DATA_DIR")
        .env_remove("CUSTODIAN_DATABASE_URL")
        .env_remove("CUSTODIAN_PUBLIC_URL")
        .env_remove("CUSTODIAN_BIND")
        .env_remove("CUSTODIAN_CONFIG")
        .output()
        .expect("the custodian binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn init(data_dir: &Path, council: &str, email: &str) -> Output {
    custodian(
        data_dir,
        &[
            "init",
            "--council-name",
            council,
            "--kind",
            "parish",
            "--clerk-name",
            "Jane Smith",
            "--clerk-email",
            email,
            "--public-url",
            "https://custodian.ashby-pc.example/",
        ],
    )
}

#[test]
fn version_prints_the_version() {
    let output = Command::new(env!("CARGO_BIN_EXE_custodian"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("custodian {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_subcommand_explains_itself() {
    for args in [
        &["serve", "--help"][..],
        &["demo", "--help"],
        &["migrate", "--help"],
        &["init", "--help"],
        &["audit", "verify", "--help"],
        &["audit", "head", "--help"],
        &["export", "--help"],
        &["import", "--help"],
        &["policy", "import", "--help"],
        &["assets", "import", "--help"],
        &["assets", "export", "--help"],
        &["vault", "kit", "--help"],
        &["vault", "export", "--help"],
        &["vault", "recover", "--help"],
        &["vault", "rotate-key", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_custodian"))
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("Usage: custodian"), "{args:?}: {help}");
        assert!(help.lines().count() > 8, "{args:?} says too little: {help}");
    }
}

#[test]
fn a_new_council_gets_an_invitation_link_and_an_intact_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let setup = init(dir.path(), "Ashby Parish Council", "clerk@ashby-pc.example");
    assert!(setup.status.success(), "{}", text(&setup));
    let out = text(&setup);
    assert!(
        out.contains("https://custodian.ashby-pc.example/invitation/"),
        "{out}"
    );

    let verify = custodian(dir.path(), &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify));
    let out = text(&verify);
    assert!(out.contains("intact, head seq 3 hash "), "{out}");
    assert!(out.contains("Checked 3 audit entries"), "{out}");
}

#[test]
fn the_same_council_cannot_be_set_up_twice() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        init(dir.path(), "Ashby Parish Council", "a@ashby.example")
            .status
            .success()
    );
    let again = init(dir.path(), "ashby parish council", "b@ashby.example");
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("already exists"));
}

#[test]
fn a_tampered_audit_entry_is_named_and_verification_fails() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        init(dir.path(), "Ashby Parish Council", "clerk@ashby.example")
            .status
            .success()
    );
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(store.write_pool())
            .await
            .unwrap();
        let changed = sqlx::query("UPDATE audit_log SET action = 'person.nothing' WHERE seq = 2")
            .execute(store.write_pool())
            .await
            .unwrap();
        assert_eq!(changed.rows_affected(), 1);
        store.close().await;
    });

    let verify = custodian(dir.path(), &["audit", "verify"]);
    let out = text(&verify);
    assert_eq!(verify.status.code(), Some(1), "{out}");
    assert!(out.contains("entry 2 is broken"), "{out}");
    assert!(out.contains("altered"), "{out}");
}

#[test]
fn audit_head_prints_one_line_per_council() {
    let dir = tempfile::tempdir().unwrap();
    for (name, email) in [
        ("Ashby Parish Council", "clerk@ashby.example"),
        ("Barton Town Council", "clerk@barton.example"),
    ] {
        assert!(init(dir.path(), name, email).status.success());
    }
    let head = custodian(dir.path(), &["audit", "head"]);
    assert!(head.status.success(), "{}", text(&head));
    let stdout = String::from_utf8_lossy(&head.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("Ashby Parish Council (council "));
    assert!(lines[0].contains("audit entry 3, hash "));
    assert!(lines[1].starts_with("Barton Town Council (council "));

    let json = custodian(dir.path(), &["audit", "head", "--json"]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 2);
    assert_eq!(parsed[0]["seq"], 3);
    assert_eq!(parsed[0]["hash"].as_str().unwrap().len(), 64);
}

#[test]
fn a_bad_email_is_refused_in_plain_words_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let refused = init(&data, "Ashby Parish Council", "clerk-at-ashby");
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    let out = text(&refused);
    assert!(
        out.contains("Enter an email address in the correct format, like name@example.org"),
        "{out}"
    );
    assert!(
        !out.contains("panicked") && !out.contains("Error {"),
        "{out}"
    );
    assert!(
        !data.exists(),
        "the data folder should not have been created"
    );
}

#[test]
fn an_export_imported_elsewhere_exports_identically() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    assert!(
        init(&first, "Ashby Parish Council", "clerk@ashby.example")
            .status
            .success()
    );
    let export_a = dir.path().join("a.jsonl");
    let exported = custodian(&first, &["export", "--output", export_a.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", text(&exported));
    // The export is recorded in the council's audit log, after the file was written.
    assert!(
        !std::fs::read_to_string(&export_a)
            .unwrap()
            .contains("installation.exported")
    );
    let later = custodian(&first, &["export"]);
    assert!(String::from_utf8_lossy(&later.stdout).contains("installation.exported"));
    assert!(custodian(&first, &["audit", "verify"]).status.success());

    let imported = custodian(&second, &["import", export_a.to_str().unwrap()]);
    let out = text(&imported);
    assert!(imported.status.success(), "{out}");
    // The summary pads table names to the longest, so compare words, not spacing.
    assert!(
        out.lines()
            .any(|line| line.split_whitespace().eq(["audit_log", "3"])),
        "{out}"
    );
    assert!(out.contains("every audit log is intact"), "{out}");

    let export_b = custodian(&second, &["export"]);
    assert!(export_b.status.success(), "{}", text(&export_b));
    assert_eq!(std::fs::read(&export_a).unwrap(), export_b.stdout);

    let again = custodian(&second, &["import", export_a.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("already holds"));
}

#[test]
fn demo_seeding_creates_every_role_and_a_verifiable_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::open_sqlite_in(dir.path()).await.unwrap();
        store.migrate().await.unwrap();
        let logins = custodian::demo::seed(&store, jiff::Timestamp::now())
            .await
            .unwrap();

        let councils = store.councils().await.unwrap();
        assert_eq!(councils.len(), 1);
        let council = &councils[0];
        assert_eq!(council.name.as_str(), "Demo Parish Council");
        assert!(council.settings.mfa_required_roles.is_empty());

        let people = store.people(council.id).await.unwrap();
        let roles = people.iter().fold(RoleSet::empty(), |all, p| {
            Role::ALL
                .into_iter()
                .filter(|r| p.roles.contains(*r))
                .fold(all, RoleSet::with)
        });
        for role in Role::ALL {
            assert!(roles.contains(role), "nobody is {role:?}");
        }
        let councillors = people
            .iter()
            .filter(|p| {
                p.roles == RoleSet::of(&[Role::Councillor]) && p.status == PersonStatus::Active
            })
            .count();
        assert!(councillors >= 3, "{councillors} active councillors");
        assert_eq!(
            people
                .iter()
                .filter(|p| p.status == PersonStatus::Invited)
                .count(),
            1
        );
        let left: Vec<_> = people
            .iter()
            .filter(|p| p.status == PersonStatus::Left)
            .collect();
        assert_eq!(left.len(), 1);
        assert!(left[0].leave_date.is_some());
        assert!(
            people
                .iter()
                .all(|p| p.email.as_str().ends_with("@demo-parish.example"))
        );

        assert_eq!(logins.len(), people.len());
        for login in &logins {
            assert_eq!(
                login.passphrase.is_some(),
                login.status != PersonStatus::Invited,
                "{}",
                login.name
            );
        }
        assert!(store.incidents(council.id).await.unwrap().len() >= 2);
        // An adopted policy whose review is coming up, signed by some and not by others.
        let policy = store
            .in_force(council.id)
            .await
            .unwrap()
            .expect("a policy in force");
        assert!(policy.review_due.is_some());
        assert_eq!(
            store
                .declarations(council.id, policy.id)
                .await
                .unwrap()
                .len(),
            3
        );
        assert!(!store.unsigned_people(council.id).await.unwrap().is_empty());

        let mut verifier = ChainVerifier::new();
        store
            .for_each_entry(|entry| verifier.push(entry))
            .await
            .unwrap();
        let report = verifier.finish();
        assert!(report.is_intact(), "{report:?}");
        let actions: Vec<String> = store
            .entries(
                council.id,
                &AuditQuery {
                    limit: 1000,
                    ..AuditQuery::default()
                },
            )
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for action in [
            "council.created",
            "council.settings_changed",
            "invitation.accepted",
            "person.left",
            "incident.opened",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "no {action} in {actions:?}"
            );
        }
        store.close().await;
    });
}

/// A running `custodian` server, stopped when dropped (even when the test fails).
struct Running {
    child: Child,
    url: String,
    /// The rest of standard output, read line by line.
    lines: Option<std::io::Lines<BufReader<std::process::ChildStdout>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Reads standard output until a line containing `needle`, returning everything read.
    fn read_until(&mut self, needle: &str) -> String {
        let mut seen = String::new();
        for line in self.lines.as_mut().unwrap().by_ref() {
            let line = line.unwrap();
            seen.push_str(&line);
            seen.push('\n');
            if line.contains(needle) {
                return seen;
            }
        }
        panic!("standard output ended without {needle:?}:\n{seen}");
    }
}

/// Starts the binary and reads its first line, which must begin with `prefix` and then give
/// the address it serves.
fn spawn(data_dir: &Path, args: &[&str], prefix: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_custodian"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("CUSTODIAN_PUBLIC_URL")
        .env_remove("CUSTODIAN_BIND")
        .env_remove("CUSTODIAN_CONFIG")
        .env_remove("CUSTODIAN_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // From here on the guard stops the process whatever happens.
    let mut running = Running {
        child,
        url: String::new(),
        lines: Some(BufReader::new(stdout).lines()),
    };
    let first = running
        .lines
        .as_mut()
        .unwrap()
        .next()
        .map(|l| l.unwrap())
        .unwrap_or_default();
    running.url = first
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    running
}

fn spawn_demo(data_dir: &Path) -> Running {
    spawn(
        data_dir,
        &["demo", "--port", "0"],
        "Custodian demo is running at ",
    )
}

#[test]
fn the_demo_prints_its_address_first_then_everyone_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let mut demo = spawn_demo(dir.path());
    assert!(demo.url.starts_with("http://127.0.0.1:"), "{}", demo.url);
    assert!(demo.url.ends_with('/'));
    let port: u16 = demo
        .url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    assert_ne!(port, 0);
    let table = demo.read_until("Press Ctrl-C to stop.");
    for expected in [
        "clerk@demo-parish.example",
        "Internal auditor",
        "IT provider",
        "(invited",
        "(has left",
        "MFA) is optional",
    ] {
        assert!(table.contains(expected), "no {expected:?} in:\n{table}");
    }
}

#[test]
fn running_the_demo_again_in_the_same_folder_reopens_it_without_seeding() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = spawn_demo(dir.path());
    first.read_until("Press Ctrl-C to stop.");
    drop(first);
    let mut again = spawn_demo(dir.path());
    let said = again.read_until("Press Ctrl-C to stop.");
    assert!(said.contains("already holds Demo Parish Council"), "{said}");
    drop(again);
    let verify = custodian(dir.path(), &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(text(&verify).contains("Checked "), "{}", text(&verify));
}

#[test]
fn the_running_demo_answers_its_health_check() {
    let dir = tempfile::tempdir().unwrap();
    let demo = spawn_demo(dir.path());
    let address = demo
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
}

#[test]
fn serve_on_a_new_database_offers_a_one_time_setup_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = spawn(
        dir.path(),
        &["serve", "--bind", "127.0.0.1:0"],
        "Custodian is running at ",
    );
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let said = server.read_until("setup code");
    let code = said
        .lines()
        .find_map(|l| l.split("enter this setup code: ").nth(1))
        .unwrap();
    assert_eq!(code.trim().len(), 64, "{said}");
    assert!(
        said.contains(&format!("Open {}setup", server.url)),
        "{said}"
    );
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_when_asked_to() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        init(dir.path(), "Ashby Parish Council", "clerk@ashby.example")
            .status
            .success()
    );
    let mut server = spawn(
        dir.path(),
        &["serve", "--bind", "127.0.0.1:0"],
        "Custodian is running at ",
    );
    let stopped = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
