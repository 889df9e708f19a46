//! The user's settings file, `~/.config/warroom/config.toml` (see
//! `tui::keymap::user_config_path`). `[keys]` is read by the keymap; the
//! `[watch]` section is read here. Command-line flags win over the file.
//!
//! ```toml
//! [watch]
//! minutes = 30            # how long a credential watch runs
//! allowance_minutes = 15  # how late CloudTrail may deliver an event
//! bell = true             # ring the terminal bell on a watch alert
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::model::watch::Timing;

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    watch: WatchConfig,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    pub minutes: Option<u32>,
    pub allowance_minutes: Option<u32>,
    pub bell: Option<bool>,
}

/// A problem with the user's settings file (keys or watch settings).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// Longest window and allowance accepted, from flags or the file: a day
/// and three hours are far beyond any real watch, and keep the arithmetic
/// sane.
pub const MAX_WATCH_MINUTES: u32 = 24 * 60;
pub const MAX_ALLOWANCE_MINUTES: u32 = 180;

/// The user's file, as (text, path for messages), if it exists.
pub fn read_user_file(path: Option<&Path>) -> Result<Option<(String, String)>, ConfigError> {
    let Some(path) = path.filter(|p| p.exists()) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Some((text, path.display().to_string())))
}

/// The `[watch]` section of the file, if the file exists.
pub fn load_watch(path: Option<&Path>) -> Result<WatchConfig, ConfigError> {
    match read_user_file(path)? {
        Some((text, name)) => parse_watch(&text, &name),
        None => Ok(WatchConfig::default()),
    }
}

fn parse_watch(text: &str, path: &str) -> Result<WatchConfig, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_string(),
        message,
    };
    let file: File = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let w = file.watch;
    if w.minutes.is_some_and(|m| m == 0 || m > MAX_WATCH_MINUTES) {
        return Err(invalid(format!(
            "[watch] minutes must be 1 to {MAX_WATCH_MINUTES}"
        )));
    }
    if w.allowance_minutes
        .is_some_and(|m| m > MAX_ALLOWANCE_MINUTES)
    {
        return Err(invalid(format!(
            "[watch] allowance_minutes must be 0 to {MAX_ALLOWANCE_MINUTES}"
        )));
    }
    Ok(w)
}

impl WatchConfig {
    /// The timing to use: flags first, then the file, then the defaults.
    pub fn timing(&self, minutes: Option<u32>, allowance_minutes: Option<u32>) -> Timing {
        let d = Timing::default();
        let secs = |m: u32| i64::from(m) * 60;
        Timing {
            window_secs: minutes.or(self.minutes).map_or(d.window_secs, secs),
            allowance_secs: allowance_minutes
                .or(self.allowance_minutes)
                .map_or(d.allowance_secs, secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_the_defaults() {
        let none = parse_watch("[keys]\nquit = [\"q\"]\n", "c.toml").expect("no [watch]");
        assert_eq!(none.timing(None, None), Timing::default());
        let file = parse_watch(
            "[watch]\nminutes = 60\nallowance_minutes = 5\nbell = true\n",
            "c.toml",
        )
        .expect("valid");
        assert_eq!(file.bell, Some(true));
        assert_eq!(
            file.timing(None, None),
            Timing {
                window_secs: 3600,
                allowance_secs: 300
            }
        );
        assert_eq!(file.timing(Some(10), None).window_secs, 600);
        assert_eq!(file.timing(None, Some(0)).allowance_secs, 0);
    }

    #[test]
    fn bad_values_are_refused_with_the_file_named() {
        for bad in [
            "[watch]\nminutes = 0\n",
            "[watch]\nminutes = 100000\n",
            "[watch]\nallowance_minutes = 999\n",
            "[watch]\nminuts = 30\n",
            "[watch]\nminutes = \"thirty\"\n",
        ] {
            let err = parse_watch(bad, "/home/ir/.config/warroom/config.toml")
                .expect_err(bad)
                .to_string();
            assert!(
                err.starts_with("/home/ir/.config/warroom/config.toml"),
                "{err}"
            );
        }
    }
}
