//! The local AWS emulator (moto), owned by warroom: started on a free
//! loopback port, killed when dropped. Used by `warroom demo`, `make gameday`
//! and the integration tests.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LAUNCHER: &str = include_str!("../assets/emulator/launch_moto.py");

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(
        "cannot start the emulator with {python}: {source}\n\
         Create it with `make .venv` (or pass --python / set WARROOM_PYTHON)."
    )]
    Spawn {
        python: PathBuf,
        source: std::io::Error,
    },
    #[error("the emulator exited during start-up ({status}). Is moto installed? Try `make .venv`.")]
    Exited { status: String },
    #[error("the emulator did not answer on 127.0.0.1:{port} within {secs}s")]
    Timeout { port: u16, secs: u64 },
    #[error("no free loopback port: {0}")]
    NoPort(std::io::Error),
}

#[derive(Debug)]
pub struct Emulator {
    child: Child,
    port: u16,
}

impl Emulator {
    /// The interpreter to use: `WARROOM_PYTHON`, else `.venv/bin/python` in the
    /// current directory, else the one next to this crate's sources.
    pub fn default_python() -> PathBuf {
        if let Some(p) = std::env::var_os("WARROOM_PYTHON") {
            return PathBuf::from(p);
        }
        let local = PathBuf::from(".venv/bin/python");
        if local.exists() {
            return local;
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
    }

    /// Start moto on a free loopback port and wait until it accepts
    /// connections. `env` is passed to the emulator (e.g. auth settings).
    pub fn start(python: &Path, env: &[(&str, &str)]) -> Result<Self, EmulatorError> {
        let mut last = None;
        // The port is free when we pick it but could be taken before moto
        // binds it; try a few ports before giving up.
        for _ in 0..3 {
            let port = free_port()?;
            let mut cmd = Command::new(python);
            cmd.arg("-c")
                .arg(LAUNCHER)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .env("PYTHONUNBUFFERED", "1")
                .envs(env.iter().copied());
            match std::env::var_os("WARROOM_EMULATOR_LOG") {
                Some(path) => match std::fs::File::create(&path) {
                    Ok(f) => cmd.stderr(f),
                    Err(_) => cmd.stderr(Stdio::null()),
                },
                None => cmd.stderr(Stdio::null()),
            };
            let child = cmd.spawn().map_err(|source| EmulatorError::Spawn {
                python: python.to_path_buf(),
                source,
            })?;
            let mut emu = Emulator { child, port };
            match emu.wait_ready(Duration::from_secs(30)) {
                Ok(()) => return Ok(emu),
                Err(e @ EmulatorError::Exited { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(EmulatorError::Timeout { port: 0, secs: 30 }))
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), EmulatorError> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(EmulatorError::Exited {
                    status: status.to_string(),
                });
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err(EmulatorError::Timeout {
                    port: self.port,
                    secs: limit.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, EmulatorError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(EmulatorError::NoPort)?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(EmulatorError::NoPort)
}
