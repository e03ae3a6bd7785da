//! Just enough of the W3C WebDriver protocol to drive the app through
//! tauri-driver: sessions, elements, keys, scripts, screenshots.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub type Result<T> = std::result::Result<T, String>;

/// tauri-driver on free ports, killed on drop (with the app it started).
pub struct Driver {
    child: Child,
    pub url: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(4444)
}

impl Driver {
    /// Starts tauri-driver with `env` (the app inherits its environment).
    /// The two ports are picked free and released before tauri-driver and
    /// WebKitWebDriver bind them, so another process can take one in
    /// between; a start that does not come up is ended and tried again on
    /// new ports.
    pub fn start(env: &[(&str, String)]) -> Result<Driver> {
        let mut last = String::new();
        for _ in 0..3 {
            match Self::start_once(env) {
                Ok(driver) => return Ok(driver),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn start_once(env: &[(&str, String)]) -> Result<Driver> {
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().map_err(|e| {
            format!("could not start tauri-driver (cargo install tauri-driver): {e}")
        })?;
        // Dropped on failure: the half-started driver is killed.
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let http = reqwest::blocking::Client::new();
        while Instant::now() < deadline {
            if http.get(format!("{}/status", driver.url)).send().is_ok() {
                return Ok(driver);
            }
            if driver.child.try_wait().is_ok_and(|exited| exited.is_some()) {
                return Err("tauri-driver exited before answering /status".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("tauri-driver did not answer /status within 20 s".into())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Session {
    http: reqwest::blocking::Client,
    base: String,
}

/// An element reference exactly as the driver sent it (drivers differ in
/// the key they use), so it can be passed back to scripts unchanged.
#[derive(Clone)]
pub struct Element(String, Value);

impl Element {
    fn from_json(v: &Value) -> Option<Element> {
        let id = v.as_object()?.values().next()?.as_str()?.to_owned();
        Some(Element(id, v.clone()))
    }

    fn as_json(&self) -> Value {
        self.1.clone()
    }
}

impl Session {
    /// Starts the app. Session creation hangs if the app cannot open a
    /// window, so it has its own timeout.
    pub fn new(driver: &Driver, app: &Path) -> Result<Session> {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        let body = json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": app.to_string_lossy(), "args": []}}}});
        let resp: Value = http
            .post(format!("{}/session", driver.url))
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("creating a session: {e}"))?;
        let id = resp["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {resp}"))?;
        Ok(Session {
            http,
            base: format!("{}/session/{id}", driver.url),
        })
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("{path}: {e}"))?;
        if let Some(err) = v["value"]["error"].as_str() {
            return Err(format!("{path}: {err}: {}", v["value"]["message"]));
        }
        Ok(v["value"].clone())
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let v = self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(Element::from_json).collect())
            .unwrap_or_default())
    }

    /// Waits until `css` matches, polling the page (not sleeping blindly).
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.find_all(css)?.into_iter().next() {
                return Ok(e);
            }
            if Instant::now() > deadline {
                return Err(format!("`{css}` did not appear within {timeout:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The element's text from the DOM. WebDriver's own "rendered text"
    /// reads a layout snapshot that WebKitWebDriver can leave stale after the
    /// app restarts; the DOM is what the page shows (screenshots confirm it).
    pub fn text(&self, e: &Element) -> Result<String> {
        let v = self.execute(
            "return arguments[0].innerText || arguments[0].textContent || ''",
            Value::Array(vec![e.as_json()]),
        )?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    pub fn attr(&self, e: &Element, name: &str) -> Result<Option<String>> {
        Ok(self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/attribute/{name}", e.0),
                None,
            )?
            .as_str()
            .map(str::to_owned))
    }

    pub fn click(&self, e: &Element) -> Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/click", e.0),
            Some(json!({})),
        )
        .map(|_| ())
    }

    pub fn type_text(&self, e: &Element, text: &str) -> Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({"text": text})),
        )
        .map(|_| ())
    }

    pub fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Saves a PNG under `target/e2e/`: the whole X screen as a person
    /// would see it (ImageMagick's `import`), or WebDriver's webview snapshot
    /// where `import` is missing (that one can lag behind the page).
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        use base64::Engine;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{name}.png"));
        let x_shot = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .stderr(Stdio::null())
            .status();
        if x_shot.is_ok_and(|s| s.success()) {
            return Ok(path);
        }
        let v = self.call(reqwest::Method::GET, "/screenshot", None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        Ok(path)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
    }
}

/// The key WebDriver uses for Enter.
pub const ENTER: &str = "\u{E007}";
