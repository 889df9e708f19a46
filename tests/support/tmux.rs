//! A real terminal for the tests: a private tmux server (its own socket,
//! killed when the test ends), keys in with `send-keys`, the screen out
//! with `capture-pane`.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Distinct servers for tests running at once in one process.
static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A private tmux server, killed when the test ends (pass or fail).
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(cmd: &str, size: (u16, u16)) -> Self {
        let t = Tmux {
            socket: format!(
                "warroom-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ),
        };
        let out = t.run(&[
            "new-session",
            "-d",
            "-s",
            "g",
            "-x",
            &size.0.to_string(),
            "-y",
            &size.1.to_string(),
            cmd,
        ]);
        assert!(
            out.status.success(),
            "tmux is needed for this test: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "g", k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// Quit the console the way a responder does: `q`, and `q` again when
    /// it asks first (a game running or a watch still open).
    pub fn quit(&self) {
        self.keys(&["q"]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            let screen = self.screen();
            if screen.contains("q again quits") {
                self.keys(&["q"]);
                return;
            }
            if screen.contains("EXITED") {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "g"]).stdout).into_owned()
    }

    /// The screen once it shows `text` (a liveness guard: generous).
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{text:?} never showed; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

pub fn sh_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}
