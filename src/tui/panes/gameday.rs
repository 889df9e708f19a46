//! Game Day in the console: the timer in the header, the attacker's last
//! move, the hint key (the next checklist step explained, with the
//! scenario's own help for it), and the finish key (the score, journaled,
//! shown until a key is pressed).

use crate::aws::AwsError;
use crate::gameday::attacker::StepResult;
use crate::gameday::score::Score;
use crate::playbook::progress::Status;
use crate::tui::msg::Command;
use crate::tui::state::{Notice, State, error, info};

/// The briefing, shown when the game opens.
pub fn briefing(title: &str, text: &str) -> Notice {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.extend([
        String::new(),
        "H explains the next step · C opens the checklist · F finishes and scores".into(),
        "The clock in the header is already running: the attacker does not wait for you.".into(),
        "Press any key to start.".into(),
    ]);
    Notice {
        title: format!("Game Day: {title}"),
        lines,
    }
}

/// The next step to work: the selected one in the checklist pane, else the
/// first step not yet done, skipped or marked not applicable.
pub fn on_hint(state: &mut State) {
    let Some(game) = &state.gameday else {
        state.status = Some(info("hints are for Game Day (warroom gameday)"));
        return;
    };
    let c = &state.checklist;
    let open = |s: &crate::playbook::Step| {
        !matches!(
            c.state_of(&s.id).status,
            Status::Done | Status::Skipped | Status::NotApplicable
        )
    };
    // Steps only time settles (a watch's window): worked once started.
    let timed = |s: &crate::playbook::Step| s.check == Some(crate::playbook::Check::WatchClean);
    let open_steps: Vec<&crate::playbook::Step> = c
        .playbook
        .parts
        .iter()
        .flat_map(|p| &p.steps)
        .filter(|s| open(s))
        .collect();
    // While the attacker can still act, containment comes first.
    let f = super::checklist::facts(state);
    let active = !f.still_exposed.is_empty()
        || f.marked_keys_active.as_ref().is_some_and(|k| !k.is_empty())
        || game.moves.0 == 0;
    let containment = c
        .playbook
        .parts
        .iter()
        .filter(|p| p.id == "contain" || p.id == "eradicate")
        .flat_map(|p| &p.steps)
        .find(|s| open(s) && !timed(s));
    let selected = (state.view == crate::tui::state::View::Checklist)
        .then(|| c.step_at(c.selected))
        .flatten()
        .filter(|s| open(s));
    let step = match (active, containment, selected) {
        (true, Some(s), _) => Some(s),
        (_, _, Some(s)) => Some(s),
        _ => open_steps.iter().copied().find(|s| !timed(s)),
    };
    let Some(step) = step else {
        let lines = if open_steps.is_empty() {
            vec!["Every step is worked. F finishes the game and shows the score.".into()]
        } else {
            vec![
                "Only time-bound steps remain: a watch's window is still running. Nothing else needs doing; finishing now is fine (F scores the game).".into(),
            ]
        };
        state.notice = Some(Notice {
            title: "Hint".into(),
            lines,
        });
        return;
    };
    let mut lines = vec![format!("Next: {}", step.title)];
    if let Some(how) = step
        .action
        .as_deref()
        .and_then(|a| key_for_action(state, a))
    {
        lines.push(format!("How: {how}"));
    }
    lines.push(String::new());
    lines.extend(step.guidance.lines().map(str::to_string));
    if let Some(extra) = game.hints.get(&step.id) {
        lines.push(String::new());
        lines.extend(extra.lines().map(str::to_string));
    }
    if let Some(when) = &step.when {
        lines.push(String::new());
        lines.push(format!(
            "This step applies only when: {when}. If it does not, n in the checklist marks it not applicable."
        ));
    }
    if step.check.is_some() {
        lines.push(String::new());
        lines.push("It ticks itself when its live check passes.".into());
    }
    state.notice = Some(Notice {
        title: format!("Hint: {}", step.id),
        lines,
    });
}

pub fn on_finish(state: &mut State) -> Vec<Command> {
    let Some(game) = state.gameday.as_mut() else {
        state.status = Some(info("F finishes a Game Day (warroom gameday)"));
        return Vec::new();
    };
    if game.finishing {
        return Vec::new();
    }
    game.finishing = true;
    state.status = Some(info("scoring: reading the data back and the journal…"));
    vec![Command::FinishGameDay(Box::new(
        state.checklist.playbook.clone(),
    ))]
}

pub fn on_attacker(state: &mut State, result: Result<StepResult, AwsError>) {
    let Some(game) = state.gameday.as_mut() else {
        return;
    };
    match result {
        Ok(StepResult { error: None, .. }) => game.moves.0 += 1,
        Ok(_) => game.moves.1 += 1,
        Err(e) => {
            state.status = Some(error(format!("the Game Day attacker: {}", e.said())));
            state.dirty = true;
        }
    }
}

pub fn on_score(state: &mut State, result: Result<Score, crate::gameday::FinishError>) {
    let Some(game) = state.gameday.as_mut() else {
        return;
    };
    game.finishing = false;
    state.dirty = true;
    match result {
        Ok(score) => {
            let mut lines = score.lines();
            lines.push(String::new());
            lines.push("Written to the journal. `warroom report --incident DIR` writes the after-action report.".into());
            state.status = Some(info(format!(
                "Game Day finished: {} / {}",
                score.points,
                crate::gameday::score::MAX_POINTS
            )));
            state.notice = Some(Notice {
                title: "Game Day: your score".into(),
                lines,
            });
            game.score = Some(score);
        }
        Err(e) => state.status = Some(error(format!("cannot score the game: {e}"))),
    }
}

/// The key that does a step's action, said as a responder would do it.
fn key_for_action(state: &State, action: &str) -> Option<String> {
    use crate::tui::keymap::Action as A;
    let (a, where_) = match action {
        "block-public-access" => (A::BlockPublicAccess, "on the bucket (dashboard)"),
        "block-public-access-account" => (A::BlockPublicAccessAccount, "anywhere on the dashboard"),
        "remove-policy-statements" => (A::RemovePolicyStatements, "on the bucket"),
        "lock-control-plane" => {
            return Some(
                "Enter on this step in the checklist (C): it locks the failing bucket".into(),
            );
        }
        "reset-object-acls" => (A::ResetObjectAcls, "on the bucket"),
        "pit-restore" => (A::Restore, "on the bucket, then the time to restore to"),
        "deactivate-key" => (A::Deactivate, "on the key in the credentials pane (Tab)"),
        "revoke-role-sessions" => (
            A::RevokeSessions,
            "on the role (or the key's user) in the credentials pane",
        ),
        "require-imdsv2" => (
            A::RequireImdsV2,
            "on the instance or role in the credentials pane",
        ),
        "rotate-key-pair" => (A::RotateKeyPair, "on the key pair in the credentials pane"),
        "preserve-events" => {
            return Some(
                "Enter on this step in the checklist (C), or E in the CloudTrail pane".into(),
            );
        }
        _ => return None,
    };
    Some(format!(
        "{} {where_}, or Enter on this step in the checklist (C)",
        state.keymap.key_of(a)?
    ))
}
