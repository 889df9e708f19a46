//! The command handlers of the `warroom` binary, and what they share:
//! building clients from the global flags, and opening an incident with its
//! session entries.

pub mod act;
pub mod changes;
pub mod gameday;
pub mod journal;
pub mod ledger;
pub mod report;
pub mod trail;
pub mod versions;
pub mod watch;

use color_eyre::eyre::{Result, eyre};
use serde_json::json;
use warroom::aws::{Clients, Target};
use warroom::cli::GlobalArgs;
use warroom::incident::{Incident, kind};

pub fn target(global: &GlobalArgs) -> Target {
    Target {
        profile: global.profile.clone(),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
    }
}

pub async fn clients(global: &GlobalArgs) -> Result<Clients> {
    Clients::load(&target(global), global.read_only)
        .await
        .map_err(|e| eyre!("{}", e.said()))
}

/// The `[watch]` settings of the user's config file.
pub fn watch_config() -> Result<warroom::config::WatchConfig> {
    let path = warroom::tui::keymap::user_config_path();
    Ok(warroom::config::load_watch(path.as_deref())?)
}

/// How long a watch runs: flags, then the config file, then the defaults.
pub fn watch_timing(global: &GlobalArgs) -> Result<warroom::model::watch::Timing> {
    Ok(watch_config()?.timing(global.watch_minutes, global.watch_allowance))
}

/// Open (or resume) the incident directory and say which, before the
/// terminal is taken over.
pub fn open_incident(global: &GlobalArgs) -> Result<Incident> {
    let incident = Incident::open(global.incident.as_deref())?;
    eprintln!(
        "warroom: incident {} ({})",
        incident.dir().display(),
        if incident.resumed() {
            format!(
                "resumed: {} earlier entries",
                incident.earlier_entries().len()
            )
        } else {
            "new".to_string()
        }
    );
    Ok(incident)
}

pub async fn start_session(
    incident: &mut Incident,
    global: &GlobalArgs,
    clients: &Clients,
    command: &str,
) -> Result<()> {
    let identity = clients.identity().await;
    let caller = match &identity {
        Ok(id) => json!(id),
        Err(e) => json!({ "error": e }),
    };
    let summary = match &identity {
        Ok(id) => format!("{command} started by {} ({})", id.arn, id.account),
        Err(e) => format!("{command} started; caller identity {e}"),
    };
    let data = json!({
        "summary": summary,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "caller": caller,
        "region": clients.region(),
        "endpoint": clients.endpoint(),
        "profile": global.profile,
        "read_only": global.read_only,
        "resumed": incident.resumed(),
    });
    incident.record(kind::SESSION_START, data)?;
    Ok(())
}

pub fn end_session(incident: &mut Incident, error: Option<String>) -> Result<()> {
    incident.record(
        kind::SESSION_END,
        json!({
            "summary": match &error {
                None => "session ended".to_string(),
                Some(e) => format!("session ended with an error: {e}"),
            },
            "error": error,
        }),
    )?;
    Ok(())
}
