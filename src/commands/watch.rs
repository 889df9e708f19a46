//! `warroom watch`: the incident's credential watches, headless — for tmux,
//! nohup, or a cron job that pages someone. Resumes from the journal, so it
//! can be started again after anything stopped it.

use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::{Result, eyre};
use serde_json::json;
use tokio::sync::Mutex;
use warroom::cli::{GlobalArgs, WatchArgs};
use warroom::model::watch::Target;
use warroom::report::write_json_line;
use warroom::sanitize::clean;
use warroom::watch::{self, WatchMsg, WatchOptions};

use super::{clients, end_session, open_incident, start_session};

fn mmss(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

pub async fn run(global: &GlobalArgs, args: WatchArgs) -> Result<ExitCode> {
    if global.incident.is_none() {
        return Err(eyre!(
            "warroom watch needs --incident DIR: the watches live in that incident's journal"
        ));
    }
    let timing = super::watch_timing(global)?;
    let clients = clients(global).await?;
    let mut incident = open_incident(global)?;
    start_session(&mut incident, global, &clients, "watch").await?;
    let now = warroom::time::now_secs();
    for target in [
        args.key.clone().map(|key_id| Target::AccessKey { key_id }),
        args.principal.clone().map(Target::for_arn),
    ]
    .into_iter()
    .flatten()
    {
        let spec = watch::start(
            &mut incident,
            target,
            clients.account_id().await.ok(),
            now,
            "by hand",
            timing,
        )?;
        eprintln!("warroom: {} started", spec.id);
    }
    let incident = Mutex::new(incident);
    let opts = WatchOptions {
        every: Duration::from_secs(args.every),
        regions: args.regions.clone(),
        follow: false,
        wake: None,
    };
    let mut activity = false;
    // A trail stopped seeing during a window: no watch can be called clean.
    let mut blind = false;
    let mut finals = 0;
    let mut last_line = std::collections::HashMap::new();
    let mut last_error = std::collections::HashMap::new();
    let result = watch::run(&clients, &incident, &opts, |msg| {
        let line = match &msg {
            WatchMsg::Status { watch, status } => {
                let text = format!(
                    "{} {}: {:?}, {} succeeded, {} denied, {} new sessions; window {} left, final in {}",
                    watch.spec.id,
                    clean(&watch.spec.target.label()),
                    status.verdict,
                    watch.succeeded,
                    watch.denied,
                    watch.new_sessions,
                    mmss(status.window_left),
                    mmss(status.final_left)
                );
                // One line per change, not per poll.
                let key = (
                    watch.succeeded,
                    watch.denied,
                    watch.new_sessions,
                    watch.iam_last_used.is_some(),
                    status.is_final,
                );
                if last_line.insert(watch.spec.id.clone(), key) == Some(key) {
                    return true;
                }
                (text, json!({"type": "status", "watch": watch, "status": status}))
            }
            WatchMsg::Alert { watch_id, text } => {
                activity = true;
                (
                    format!("ALERT {watch_id}: {}", clean(text)),
                    json!({"type": "alert", "watch_id": watch_id, "text": text}),
                )
            }
            WatchMsg::Blind { watch_id, text } => {
                blind = true;
                (
                    format!("BLIND {watch_id}: {}", clean(text)),
                    json!({"type": "blind", "watch_id": watch_id, "text": text}),
                )
            }
            WatchMsg::SourceError { source, error } => {
                // Said once per source until it changes, not every poll.
                if last_error.insert(*source, error.clone()).as_ref() == Some(error) {
                    return true;
                }
                (
                    format!("{source}: {}", clean(error)),
                    json!({"type": "source_error", "source": source, "error": error}),
                )
            }
            WatchMsg::Final { watch_id, verdict } => {
                finals += 1;
                activity |= verdict == "activity";
                (
                    format!("{watch_id}: final verdict {}", verdict.to_uppercase()),
                    json!({"type": "final", "watch_id": watch_id, "verdict": verdict}),
                )
            }
        };
        if args.json {
            let _ = write_json_line(&line.1, &mut std::io::stdout().lock());
        } else {
            println!("{}", line.0);
        }
        true
    })
    .await;
    let code = match result {
        Err(e) => {
            eprintln!("warroom: {e}");
            2
        }
        Ok(()) if activity => 3,
        Ok(()) if blind => 4,
        Ok(()) => {
            if finals == 0 {
                eprintln!("warroom: no open watch in this incident");
            }
            0
        }
    };
    end_session(&mut *incident.lock().await, None)?;
    Ok(ExitCode::from(code))
}
