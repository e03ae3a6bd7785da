//! [`extract`](super::extract) in a child process of our own binary, so a
//! file that makes a parser abort, overflow its stack, loop or balloon
//! costs a typed error, not the app.
//!
//! Both binaries (`megallm-desktop` and `megallm`) answer the worker role
//! when their first argument is [`WORKER_ARG`]: they call [`serve`] before
//! anything else starts (no window, no runtime, no settings). The parent,
//! [`Worker`], spawns that with an empty environment (no API key in the
//! child), writes a JSON header line `{"name": "..."}` and the file's bytes
//! to its stdin, and reads the JSON of `Result<Document, DocumentError>`
//! from its stdout. The child caps its own address space and CPU time; the
//! parent kills it after a wall-clock timeout and runs at most a few at once.

use std::ffi::OsString;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::{ExitCode, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use super::{Document, DocumentError, MAX_FILE_BYTES, check_size, extract};

/// The hidden first argument that makes either binary a worker. Long and
/// specific, so no user ever types it by accident.
pub const WORKER_ARG: &str = "--megallm-extract-worker";

/// Wall-clock limit per file. The slowest honest case (a 100 MB PDF or a
/// sheet at its limits, in a debug build) takes a few seconds; a minute
/// leaves room for a slow machine and still ends a loop before the user
/// gives up on the app.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Workers running at once, per [`Worker`]: a thousand dropped files must
/// not fork a thousand processes, and extraction is CPU-bound, so more than
/// a couple would only slow the window down.
pub const DEFAULT_MAX_WORKERS: usize = 2;

/// The child's address-space cap (`RLIMIT_AS`). Twenty times the largest
/// file, enough for a 100 MB input, its decoded text and an image decoded
/// within `MAX_DECODE_BYTES` (512 MB); well below what would push a laptop
/// into swap. An allocation past it fails and the child aborts.
pub const MEMORY_LIMIT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// The child's CPU-time cap (`RLIMIT_CPU`): a backstop should the parent's
/// [`DEFAULT_TIMEOUT`] fail to end it (the parent itself killed). Twice the
/// timeout, so a normal timeout always comes first.
pub const CPU_LIMIT_SECS: u64 = 120;

/// The header line is a file name in JSON; anything longer is not ours.
const MAX_HEADER_BYTES: u64 = 64 * 1024;

/// A document's JSON is at most 8 MB of text, escaped (up to 6 bytes per
/// control character), or a 5 MB image in base64; more is not an answer.
const MAX_OUTPUT_BYTES: u64 = 64 * 1024 * 1024;

/// How much of the child's stderr is kept to tell why it stopped (Rust's
/// "memory allocation of N bytes failed" and the like).
const STDERR_TAIL_BYTES: usize = 16 * 1024;

/// Read by debug builds only (release builds have no such hook): makes the
/// child misbehave, so tests can prove the parent contains it (`abort`,
/// `hang`, `balloon`, `garbage`), or take its time (`slow`: 300 ms, then a
/// normal answer), so a test can watch workers run.
pub const FAULT_ENV: &str = "MEGALLM_WORKER_FAULT";

#[derive(Serialize, Deserialize)]
struct Header {
    name: String,
    /// For an encrypted PDF the user gave a password for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

type Answer = Result<Document, DocumentError>;

/// Whether this process was started as a worker (its first argument is
/// [`WORKER_ARG`]). Checked before any argument parser sees the flag.
pub fn requested() -> bool {
    std::env::args_os().nth(1).is_some_and(|a| a == WORKER_ARG)
}

/// The child's whole life: cap itself, read the request from stdin, write
/// the answer to stdout. Exit 0 when an answer (a document or a typed
/// error) was written; anything else tells the parent it crashed.
pub fn serve() -> ExitCode {
    limit_resources();
    let mut input = std::io::stdin().lock();
    let mut line = Vec::new();
    if let Err(e) = (&mut input)
        .take(MAX_HEADER_BYTES)
        .read_until(b'\n', &mut line)
    {
        eprintln!("megallm worker: could not read the request: {e}");
        return ExitCode::from(2);
    }
    let header: Header = match serde_json::from_slice(&line) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("megallm worker: not a request header: {e}");
            return ExitCode::from(2);
        }
    };
    let mut bytes = Vec::new();
    // One byte past the limit, so `extract` can say "too large" rather
    // than read a cut file.
    if let Err(e) = input.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        eprintln!("megallm worker: could not read the file: {e}");
        return ExitCode::from(2);
    }
    #[cfg(debug_assertions)]
    simulate_fault();
    let answer: Answer = match &header.password {
        Some(password) => super::extract_with_password(&header.name, &bytes, password),
        None => extract(&header.name, &bytes),
    };
    let written = serde_json::to_vec(&answer)
        .map_err(std::io::Error::from)
        .and_then(|json| {
            let mut out = std::io::stdout().lock();
            out.write_all(&json)?;
            out.flush()
        });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("megallm worker: could not write the answer: {e}");
            ExitCode::from(2)
        }
    }
}

/// Lowers (never raises) the address-space and CPU-time limits. A failure
/// is reported and ignored: the parent's timeout still applies.
#[cfg(unix)]
fn limit_resources() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let caps = [
        (Resource::As, MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES),
        // The soft limit sends SIGXCPU (which kills); the hard one SIGKILL
        // should that be caught.
        (Resource::Cpu, CPU_LIMIT_SECS, CPU_LIMIT_SECS + 5),
    ];
    for (resource, soft, hard) in caps {
        let was = getrlimit(resource);
        let lower = |v: u64, old: Option<u64>| old.map_or(v, |o| o.min(v));
        let maximum = lower(hard, was.maximum);
        // Never above the hard limit, or the call fails (EINVAL) when the
        // inherited hard limit is lower than our soft one.
        let current = lower(soft, was.current).min(maximum);
        let new = Rlimit {
            current: Some(current),
            maximum: Some(maximum),
        };
        if let Err(e) = setrlimit(resource, new) {
            eprintln!("megallm worker: could not limit {resource:?}: {e}");
        }
    }
}

/// Windows has no rlimits (a job object would be the way); the parent's
/// timeout and the output cap still contain a worker there.
#[cfg(not(unix))]
fn limit_resources() {}

#[cfg(debug_assertions)]
fn simulate_fault() {
    let Some(fault) = std::env::var_os(FAULT_ENV) else {
        return;
    };
    match fault.to_str() {
        Some("abort") => std::process::abort(),
        Some("hang") => loop {
            std::hint::spin_loop();
        },
        Some("balloon") => {
            // Untouched pages cost address space, not RAM: the cap is hit
            // without the machine swapping, as a real balloon would be.
            let mut held: Vec<Vec<u8>> = Vec::new();
            loop {
                let mut chunk = Vec::<u8>::with_capacity(64 * 1024 * 1024);
                chunk.push(1);
                held.push(std::hint::black_box(chunk));
            }
        }
        Some("slow") => std::thread::sleep(std::time::Duration::from_millis(300)),
        Some("garbage") => {
            print!("this is not JSON");
            let _ = std::io::stdout().flush();
            std::process::exit(0);
        }
        _ => {}
    }
}

/// Runs [`extract`](super::extract) in child processes of `program`. Clones
/// share the limit on workers running at once.
#[derive(Debug, Clone)]
pub struct Worker {
    program: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    timeout: Duration,
    permits: Arc<Semaphore>,
}

impl Worker {
    /// A worker started as `program args...`; `args` must make it call
    /// [`serve`] (for our binaries, `[WORKER_ARG]`).
    pub fn new<A: Into<OsString>>(
        program: impl Into<PathBuf>,
        args: impl IntoIterator<Item = A>,
    ) -> Self {
        Self {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            envs: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            permits: Arc::new(Semaphore::new(DEFAULT_MAX_WORKERS)),
        }
    }

    /// This very binary, started with [`WORKER_ARG`].
    pub fn for_current_exe() -> std::io::Result<Self> {
        Ok(Self::new(std::env::current_exe()?, [WORKER_ARG]))
    }

    /// The wall-clock limit per file, counted from the child's start (not
    /// while it waits for a free slot).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many children may run at once (at least one).
    pub fn with_max_workers(mut self, n: usize) -> Self {
        self.permits = Arc::new(Semaphore::new(n.max(1)));
        self
    }

    /// One variable for the child, whose environment is otherwise empty.
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Reads one file in a child. Every failure, of the file or of the
    /// child, is a [`DocumentError`] naming `name`.
    pub async fn extract(&self, name: &str, bytes: Vec<u8>) -> Result<Document, DocumentError> {
        self.read(name, bytes, None).await
    }

    /// [`Worker::extract`] for an encrypted PDF the user gave a password
    /// for (it travels on the child's stdin, never in its arguments or
    /// environment, where other processes could read it).
    pub async fn extract_with_password(
        &self,
        name: &str,
        bytes: Vec<u8>,
        password: &str,
    ) -> Result<Document, DocumentError> {
        self.read(name, bytes, Some(password.to_owned())).await
    }

    async fn read(
        &self,
        name: &str,
        bytes: Vec<u8>,
        password: Option<String>,
    ) -> Result<Document, DocumentError> {
        check_size(name, bytes.len() as u64)?;
        let crashed = |detail: String| DocumentError::Crashed {
            name: name.to_owned(),
            detail,
        };
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| crashed("the readers were shut down".to_owned()))?;
        let mut header = serde_json::to_vec(&Header {
            name: name.to_owned(),
            password,
        })
        .map_err(|e| crashed(e.to_string()))?;
        header.push(b'\n');

        let mut child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .env_clear()
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| crashed(format!("it could not be started: {e}")))?;
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(crashed("its pipes could not be opened".to_owned()));
        };

        // All three pipes at once: a child blocked writing a full stdout
        // pipe would otherwise never drain a 100 MB stdin.
        let run = async {
            let write = async move {
                // A child that died early closes its end; how it died is
                // what the user is told, so write errors are not.
                if stdin.write_all(&header).await.is_ok() {
                    let _ = stdin.write_all(&bytes).await;
                }
                drop(stdin);
            };
            let read = async move {
                let mut out = Vec::new();
                let read = stdout
                    .take(MAX_OUTPUT_BYTES + 1)
                    .read_to_end(&mut out)
                    .await;
                // Dropping stdout here, past the cap, stops a runaway child.
                read.map(|_| out)
            };
            let ((), out, tail) = tokio::join!(write, read, stderr_tail(stderr));
            (out, tail, child.wait().await)
        };
        let Ok((out, tail, status)) = tokio::time::timeout(self.timeout, run).await else {
            // Killed and reaped: no process is left behind.
            let _ = child.kill().await;
            return Err(DocumentError::TimedOut {
                name: name.to_owned(),
                seconds: self.timeout.as_secs_f64().ceil() as u64,
            });
        };
        let status = status.map_err(|e| crashed(format!("it could not be waited for: {e}")))?;
        if !status.success() {
            return Err(crashed(why_stopped(status, &tail)));
        }
        let out = out.map_err(|e| crashed(format!("its answer could not be read: {e}")))?;
        if out.len() as u64 > MAX_OUTPUT_BYTES {
            return Err(crashed("its answer was far too long".to_owned()));
        }
        serde_json::from_slice::<Answer>(&out)
            .map_err(|_| crashed("its answer was unreadable".to_owned()))?
    }
}

/// Drains a pipe to its end, keeping the last [`STDERR_TAIL_BYTES`].
async fn stderr_tail(mut pipe: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut tail = Vec::new();
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = pipe.read(&mut buf).await {
        tail.extend_from_slice(buf.get(..n).unwrap_or_default());
        if tail.len() > STDERR_TAIL_BYTES {
            tail.drain(..tail.len() - STDERR_TAIL_BYTES);
        }
    }
    tail
}

/// A short phrase for the user, from how the child ended and what it said.
fn why_stopped(status: ExitStatus, stderr: &[u8]) -> String {
    let said = String::from_utf8_lossy(stderr);
    if said.contains("memory allocation of") {
        return format!(
            "it ran out of memory; the limit is {} GB",
            MEMORY_LIMIT_BYTES / (1024 * 1024 * 1024)
        );
    }
    if said.contains("panicked at") {
        return "its reader failed on it".to_owned();
    }
    if said.contains("overflowed its stack") {
        return "it ran out of stack space".to_owned();
    }
    #[cfg(unix)]
    {
        use rustix::process::Signal;
        use std::os::unix::process::ExitStatusExt;
        if let Some(raw) = status.signal() {
            return match Signal::from_named_raw(raw) {
                Some(Signal::XCPU) => {
                    format!("it used more than {CPU_LIMIT_SECS} s of processor time")
                }
                // The kernel's out-of-memory killer, or someone else.
                Some(Signal::KILL) => "it was killed, perhaps for using too much memory".to_owned(),
                Some(Signal::ABORT) => "it aborted".to_owned(),
                Some(Signal::SEGV) => "it crashed (segmentation fault)".to_owned(),
                _ => format!("it was stopped by signal {raw}"),
            };
        }
    }
    match status.code() {
        Some(code) => format!("it exited with code {code}"),
        None => "it stopped without an exit code".to_owned(),
    }
}
