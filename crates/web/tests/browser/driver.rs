//! chromedriver and Chromium: started for the test, stopped (with any Chromium) when dropped.

use super::*;

/// A chromedriver started by this test, stopped (with any Chromium it started) when dropped,
/// also when the test fails.
pub(crate) struct Chromedriver {
    pub(crate) child: Child,
    pub(crate) port: u16,
    pub(crate) chromedriver: String,
    pub(crate) chromium: String,
    pub(crate) log: PathBuf,
    /// Chromium's profile and chromedriver's log: fresh for each run, removed afterwards.
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) fn tool(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

pub(crate) const INSTALL_HINT: &str = "The browser test needs Chromium and chromedriver: on Debian or Ubuntu \
     run `apt-get install chromium chromium-driver`, or set CUSTODIAN_CHROMIUM and \
     CUSTODIAN_CHROMEDRIVER to their paths.";

impl Chromedriver {
    pub(crate) async fn start() -> Self {
        let chromedriver = tool("CUSTODIAN_CHROMEDRIVER", DEFAULT_CHROMEDRIVER);
        let chromium = tool("CUSTODIAN_CHROMIUM", DEFAULT_CHROMIUM);
        if !Path::new(&chromium).is_file() {
            panic!("Chromium is not at {chromium}. {INSTALL_HINT}");
        }
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("chromedriver.log");
        // A free port: bind port 0, note the port the system chose, release it for chromedriver.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("could not start chromedriver ({chromedriver}): {e}. {INSTALL_HINT}")
            });
        let mut driver = Chromedriver {
            child,
            port,
            chromedriver,
            chromium,
            log,
            dir,
        };
        driver.wait_until_ready().await;
        driver
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `/status` until chromedriver says it is ready (at most 10 seconds).
    pub(crate) async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::new();
        let status = format!("{}/status", self.url());
        for _ in 0..100 {
            if let Ok(Some(exit)) = self.child.try_wait() {
                panic!(
                    "chromedriver ({}) stopped at once ({exit}). Its output:\n{}\n{INSTALL_HINT}",
                    self.chromedriver,
                    self.log_text()
                );
            }
            if let Ok(response) = http.get(&status).send().await
                && let Ok(body) = response.text().await
                && let Ok(json) = serde_json::from_str::<serde_json::Value>(&body)
                && json["value"]["ready"] == serde_json::Value::Bool(true)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "chromedriver ({}) did not answer on port {} within 10 seconds. Its output:\n{}",
            self.chromedriver,
            self.port,
            self.log_text()
        );
    }

    /// Opens a browser session: headless Chromium with a fresh profile and nothing that
    /// reaches out to the network by itself.
    pub(crate) async fn connect(&self) -> Client {
        let profile = self.dir.path().join("profile");
        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start Chromium ({}): {e}\nchromedriver's output:\n{}\n{INSTALL_HINT}",
                    self.chromium,
                    self.log_text()
                )
            })
    }

    /// Asks chromedriver to shut down (which quits any Chromium it still runs), by a plain
    /// blocking request so it also works while a failed test unwinds.
    pub(crate) fn request_shutdown(&self) {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = write!(
            stream,
            "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        let mut ignored = Vec::new();
        let _ = stream.read_to_end(&mut ignored);
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.request_shutdown();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
