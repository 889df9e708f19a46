//! Game Day: a scenario staged into the local emulator (or a sandbox
//! account), an attacker played live, the checklist as guide, and a score.
//!
//! - [`scenario`]: the scenario files (`assets/gameday/*.toml`);
//! - [`stage`]: creates what a scenario needs, every resource tagged;
//! - [`attacker`]: the live attacker and its CloudTrail log files;
//! - [`score`]: the score, from the journal;
//! - [`teardown`]: removes exactly what a run tagged.

pub mod attacker;
pub mod scenario;
pub mod score;
pub mod stage;
/// Teardown is all AWS work: it lives with the other calls.
pub use crate::aws::teardown;

use std::sync::Arc;

use serde_json::json;
use tokio::sync::Mutex;

use crate::aws::{AwsError, Clients};
use crate::incident::Incident;
use scenario::Scenario;
use stage::Staged;

/// A staged game, as the console and the score need it.
#[derive(Debug, Clone)]
pub struct Game {
    pub scenario: Scenario,
    pub staged: Staged,
}

/// Journal the start of the game (the score counts from here).
pub fn record_start(
    incident: &mut Incident,
    game: &Game,
) -> Result<i64, crate::incident::IncidentError> {
    incident.record(
        attacker::kind::STARTED,
        json!({
            "summary": format!("Game Day started: {} (run {})", game.scenario.title, game.staged.run_id),
            "scenario": game.scenario.id,
            "run_id": game.staged.run_id,
            "clean_at": crate::time::iso_time(game.staged.clean_at),
            "leaked_key": game.staged.leaked.as_ref().map(|l| &l.access_key_id),
            "instance": game.staged.instance.as_ref().map(|i| &i.instance_id),
            // A planted lifecycle rule's simulated deadline (the score's).
            "expiry_secs": game.scenario.expiry_minutes.map(|m| i64::from(m) * 60),
        }),
    )?;
    Ok(crate::time::now_secs())
}

/// The objects the scenario's attacker writes that were not there before
/// the attack (a ransom note): (bucket, key).
fn planted(scenario: &Scenario, staged: &Staged) -> std::collections::BTreeSet<(String, String)> {
    scenario
        .history
        .iter()
        .chain(&scenario.attacker.step)
        .filter(|op| op.op == scenario::OpKind::Put)
        .filter_map(|op| Some((op.bucket.clone(), op.key.clone()?)))
        .filter(|bk| !staged.originals.contains_key(bk))
        .collect()
}

/// How many of the scenario's original objects read back as they were
/// before the attack, and which objects the attacker made still read.
pub async fn data_state(
    c: &Clients,
    scenario: &Scenario,
    staged: &Staged,
) -> Result<score::DataState, AwsError> {
    let (intact, total) = objects_intact(c, staged).await?;
    let planted = planted(scenario, staged);
    let mut planted_left = Vec::new();
    let s3 = c.s3_in(&staged.region);
    for (bucket, key) in &planted {
        // Gone or hidden by a delete marker: put right.
        if crate::aws::game::object_exists(&s3, bucket, key).await? {
            planted_left.push(format!("{bucket}/{key}"));
        }
    }
    Ok(score::DataState {
        intact,
        total,
        planted: planted.len(),
        planted_left,
        sse_c: scenario
            .history
            .iter()
            .chain(&scenario.attacker.step)
            .any(|op| op.op == scenario::OpKind::SseC),
        ..Default::default()
    })
}

/// How many of the scenario's original objects read back as they were
/// before the attack, of all of them.
pub async fn objects_intact(c: &Clients, staged: &Staged) -> Result<(usize, usize), AwsError> {
    let s3 = c.s3_in(&staged.region);
    let mut intact = 0;
    for ((bucket, key), body) in &staged.originals {
        let got = crate::aws::game::get_object(&s3, bucket, key).await;
        intact += usize::from(got.is_ok_and(|b| b == body.as_bytes()));
    }
    Ok((intact, staged.originals.len()))
}

/// Why a game could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    #[error("cannot read the data back: {}", .0.said())]
    ReadBack(AwsError),
    #[error(transparent)]
    Journal(#[from] crate::incident::IncidentError),
}

/// Score the game, journal the score, return it.
pub async fn finish(
    c: &Clients,
    game: &Game,
    incident: &Arc<Mutex<Incident>>,
    playbook: &crate::playbook::Playbook,
) -> Result<score::Score, FinishError> {
    let data = data_state(c, &game.scenario, &game.staged)
        .await
        .map_err(FinishError::ReadBack)?;
    let mut data = data;
    let entries = incident.lock().await.all_entries()?;
    // Every way back the attacker made, asked again now: taken back or not.
    for made in attacker::made_in_game(&entries) {
        data.ways_back += 1;
        let there = attacker::still_there(c, &made, &game.staged.account)
            .await
            .map_err(FinishError::ReadBack)?;
        if there {
            data.ways_back_left.push(made.describe());
        }
    }
    // Every lifecycle rule the attacker planted: still on its bucket?
    for planted in attacker::rules_planted(&entries) {
        data.rules_planted += 1;
        let rules = crate::aws::lifecycle::rules(c, &planted.bucket, &game.staged.region)
            .await
            .map_err(FinishError::ReadBack)?;
        if rules
            .iter()
            .any(|r| r.id.as_deref() == Some(planted.rule.as_str()))
        {
            data.rules_left
                .push(format!("{} on {}", planted.rule, planted.bucket));
        }
    }
    let mut incident = incident.lock().await;
    let now = crate::time::iso_time(crate::time::now_secs());
    let s = score::score(&entries, playbook, &data, &now);
    incident
        .record(
            attacker::kind::SCORE,
            json!({"summary": format!("Game Day score: {} / {}", s.points, score::MAX_POINTS), "score": s}),
        )?;
    Ok(s)
}
