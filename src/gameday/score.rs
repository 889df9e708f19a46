//! The Game Day score, from the journal alone plus one read-back of the
//! data: how fast the first containment action came, when every actor was
//! contained, how much of the checklist was worked, whether the data is as
//! it was, what the watches concluded, and the mistakes made on the way.
//! Pure: the same journal gives the same score.

use serde::{Deserialize, Serialize};

use super::attacker::kind;
use crate::actions::ActionSpec;
use crate::incident::Entry;
use crate::playbook::Playbook;
use crate::playbook::progress::{self, Status};
use crate::time::parse_time;

/// Actions that cut an attacker off.
pub const CONTAINMENT: &[&str] = &[
    "block-public-access",
    "block-public-access-account",
    "remove-policy-statements",
    "delete-bucket-policy",
    "reset-bucket-acl",
    "disable-acls",
    "deactivate-key",
    "delete-key",
    "revoke-role-sessions",
    "revoke-user-sessions",
    "deny-all-role",
    "lock-trust-policy",
    "detach-managed-policies",
    "require-imdsv2",
    // Taking back a way back the attacker made cuts it off too.
    "restore-trust-policy",
    "delete-user",
    "detach-policy",
    "delete-inline-policy",
    "remove-from-group",
    "delete-login-profile",
    // A destructive attack is cut off at the bucket too.
    "block-sse-c",
    "deny-destruction",
];

const RESTORES: &[&str] = &["pit-restore", "undelete", "restore-version"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub scenario: String,
    pub elapsed_secs: i64,
    pub first_containment_secs: Option<i64>,
    pub full_containment_secs: Option<i64>,
    pub steps_done: usize,
    pub steps_skipped: usize,
    pub steps_not_applicable: usize,
    pub steps_total: usize,
    /// Original objects whose content is as before the attack, of all.
    pub objects_intact: usize,
    pub objects_total: usize,
    /// Objects the attacker made (a ransom note) that still read back at
    /// the finish: each counts against the data as an object not restored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub planted_left: Vec<String>,
    /// The attacker's ways back: how many it made, which still stand.
    #[serde(default)]
    pub ways_back: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ways_back_left: Vec<String>,
    /// A destructive attack: the lifecycle rules planted and those still
    /// there at the finish; the SSE-C rewrites that got through after the
    /// start, of those tried.
    #[serde(default)]
    pub rules_planted: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules_left: Vec<String>,
    #[serde(default)]
    pub sse_c_succeeded: usize,
    #[serde(default)]
    pub sse_c_tried: usize,
    pub watches_clean: usize,
    pub watches_activity: usize,
    pub watches_open: usize,
    pub attacks_succeeded: usize,
    pub attacks_denied: usize,
    pub evidence_preserved: bool,
    pub mistakes: Vec<String>,
    /// (what, points got, points possible).
    pub breakdown: Vec<(String, u32, u32)>,
    pub points: u32,
}

pub const MAX_POINTS: u32 = 100;

fn secs_between(from: &str, to: &str) -> Option<i64> {
    Some(parse_time(to)? - parse_time(from)?)
}

fn mmss(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// The data at the finish, read back from the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataState {
    /// Original objects whose content is as before the attack.
    pub intact: usize,
    /// All original objects.
    pub total: usize,
    /// Objects the attacker made: (bucket/key) of those still readable.
    pub planted: usize,
    pub planted_left: Vec<String>,
    /// Ways back the attacker made (a second key, a user, a backdoored
    /// trust, a stopped trail), and those still in place at the finish.
    pub ways_back: usize,
    pub ways_back_left: Vec<String>,
    /// Lifecycle rules the attacker planted ("rule on bucket"), and those
    /// still on their bucket at the finish.
    pub rules_planted: usize,
    pub rules_left: Vec<String>,
    /// The scenario's attacker rewrites objects with SSE-C.
    pub sse_c: bool,
}

/// Score the game recorded in `entries`; `now`: the end of the game.
pub fn score(entries: &[Entry], playbook: &Playbook, data: &DataState, now: &str) -> Score {
    // This game: from the last start. An incident directory can hold
    // several games; each is scored alone.
    let from = entries
        .iter()
        .rposition(|e| e.kind == kind::STARTED)
        .unwrap_or(0);
    let entries = &entries[from..];
    let started = entries.first().filter(|e| e.kind == kind::STARTED);
    let start = started.map(|e| e.time.clone()).unwrap_or_default();
    let scenario = started
        .and_then(|e| e.data["scenario"].as_str())
        .unwrap_or("?")
        .to_string();
    // Only what happened in the game counts (an incident dir may be reused).
    let game: Vec<&Entry> = entries
        .iter()
        .skip_while(|e| e.kind != kind::STARTED)
        .collect();
    let mut specs: std::collections::HashMap<String, ActionSpec> = Default::default();
    let mut applied: Vec<(String, &Entry, ActionSpec)> = Vec::new();
    let mut mistakes = Vec::new();
    let mut preserved_at: Option<&str> = None;
    let mut rule_removed_at: Option<&str> = None;
    let mut sse_c = (0usize, 0usize, false);
    for e in &game {
        match e.kind.as_str() {
            "action_planned" => {
                if let Ok(spec) = serde_json::from_value::<ActionSpec>(e.data["spec"].clone()) {
                    specs.insert(crate::actions::planned_id(e), spec);
                }
            }
            "trail_preserved" => {
                preserved_at.get_or_insert(e.time.as_str());
            }
            kind::ATTACK if e.data["op"] == "sse_c" && e.data["opening"] != true => {
                // (tried, got through, the last one refused)
                sse_c.0 += 1;
                let through = e.data["error"].is_null();
                sse_c.1 += usize::from(through);
                sse_c.2 = !through;
            }
            "action_applied" | crate::actions::object_acls::BATCH_KIND => {
                let id = e.data["action_id"].as_str().unwrap_or_default().to_string();
                if applied.iter().any(|(i, ..)| *i == id) {
                    continue;
                }
                if let Some(spec) = specs.get(&id).cloned() {
                    if spec.name() == "remove-lifecycle-rules" {
                        rule_removed_at.get_or_insert(e.time.as_str());
                    }
                    applied.push((id, e, spec));
                }
            }
            "action_verified" if e.data["ok"] == serde_json::Value::Bool(false) => {
                let id = e.data["action_id"].as_str().unwrap_or("?");
                mistakes.push(format!("{id} did not verify: check what it left behind"));
            }
            "action_undone" => {
                let id = e.data["action_id"].as_str().unwrap_or("?");
                if specs
                    .get(id)
                    .is_some_and(|s| CONTAINMENT.contains(&s.name()))
                {
                    mistakes.push(format!("{id} (containment) was undone during the game"));
                }
            }
            _ => {}
        }
    }
    // Mistakes that destroy evidence or cannot be taken back.
    for (i, (id, e, spec)) in applied.iter().enumerate() {
        let earlier = &applied[..i];
        let target = spec.target();
        match spec.name() {
            "delete-key"
                if !earlier
                    .iter()
                    .any(|(_, _, s)| s.name() == "deactivate-key" && s.target() == target) =>
            {
                mistakes.push(format!(
                    "{id} deleted {target} without deactivating it first: irreversible, and its last-used record is gone"
                ));
            }
            "delete-key-pair"
                if !earlier
                    .iter()
                    .any(|(_, _, s)| s.name() == "rotate-key-pair") =>
            {
                mistakes.push(format!(
                    "{id} deleted key pair {target} before a replacement existed"
                ));
            }
            name if RESTORES.contains(&name)
                && preserved_at.is_none_or(|p| p > e.time.as_str()) =>
            {
                mistakes.push(format!(
                    "{id} restored data before the CloudTrail events were preserved as evidence"
                ));
            }
            _ => {}
        }
    }
    let first_containment_secs = applied
        .iter()
        .find(|(_, _, s)| CONTAINMENT.contains(&s.name()))
        .and_then(|(_, e, _)| secs_between(&start, &e.time));
    // Contained when the last word on containment is "all contained".
    let full_containment_secs = game
        .iter()
        .rev()
        .find(|e| e.kind == kind::CONTAINED)
        .filter(|e| e.data["all_contained"] == serde_json::Value::Bool(true))
        .and_then(|e| secs_between(&start, &e.time));
    let steps = progress::replay(entries);
    let (mut done, mut skipped, mut na, mut total) = (0, 0, 0, 0);
    for part in &playbook.parts {
        for step in &part.steps {
            total += 1;
            match steps.get(&step.id).map(|s| s.status) {
                Some(Status::Done) => done += 1,
                Some(Status::Skipped) => skipped += 1,
                Some(Status::NotApplicable) => na += 1,
                _ => {}
            }
        }
    }
    let watches = crate::watch::replay(entries);
    let mut w = (0, 0, 0);
    let now_secs = parse_time(now).unwrap_or(0);
    // Sessions issued after a revocation: the credentials were taken again.
    let new_sessions: u64 = watches.iter().map(|(w, _)| u64::from(w.new_sessions)).sum();
    for (watch, _) in &watches {
        match watch.status(now_secs).verdict {
            crate::model::watch::Verdict::Clean => w.0 += 1,
            crate::model::watch::Verdict::Activity => w.1 += 1,
            // A blinded watch proved nothing: not clean, so it scores as
            // one still open.
            crate::model::watch::Verdict::Watching | crate::model::watch::Verdict::Unconfirmed => {
                w.2 += 1
            }
        }
    }
    let attacks = game.iter().filter(|e| e.kind == kind::ATTACK);
    let (mut ok, mut denied) = (0, 0);
    for a in attacks {
        if a.data["error"].is_null() {
            ok += 1;
        } else {
            denied += 1;
        }
    }
    let elapsed_secs = secs_between(&start, now).unwrap_or(0);

    let mut breakdown = Vec::new();
    let first = match first_containment_secs {
        Some(s) if s <= 120 => 10,
        Some(s) if s <= 600 => 5,
        _ => 0,
    };
    breakdown.push((
        format!(
            "first containment action {}",
            first_containment_secs.map_or("never".into(), |s| format!("after {}", mmss(s)))
        ),
        first,
        10,
    ));
    let full = match full_containment_secs {
        Some(s) if s <= 300 => 30,
        Some(s) if s < 1800 => u32::try_from(30 * (1800 - s) / 1500).unwrap_or(0),
        _ => 0,
    };
    breakdown.push((
        format!(
            "every attacker contained {}",
            full_containment_secs.map_or("never".into(), |s| format!("after {}", mmss(s)))
        ),
        full,
        30,
    ));
    let applicable = total.max(1);
    let steps_points = u32::try_from(20 * (done + na) / applicable).unwrap_or(0);
    breakdown.push((
        format!("checklist: {done} done, {na} not applicable, {skipped} skipped, of {total}"),
        steps_points,
        20,
    ));
    // No data to protect counts as all of it intact. An object the
    // attacker made counts as one to put right: restored when hidden.
    let right = data.intact + data.planted.saturating_sub(data.planted_left.len());
    // Putting the data right shares its 20 points with the rest of the
    // job the scenario sets: taking the ways back back (10, or 5 beside a
    // destructive attack), the planted rule off in time (5), SSE-C
    // stopped (5).
    let rule_max: u32 = if data.rules_planted > 0 { 5 } else { 0 };
    let sse_c_max: u32 = if data.sse_c { 5 } else { 0 };
    let ways_max: u32 = match (data.ways_back > 0, rule_max + sse_c_max > 0) {
        (false, _) => 0,
        (true, false) => 10,
        (true, true) => 5,
    };
    let data_max: u32 = 20 - rule_max - sse_c_max - ways_max;
    let data_points = (data_max as usize * right)
        .checked_div(data.total + data.planted)
        .map_or(data_max, |p| u32::try_from(p).unwrap_or(0));
    let mut what = format!(
        "data as before the attack: {} of {} objects",
        data.intact, data.total
    );
    if !data.planted_left.is_empty() {
        what.push_str(&format!(
            "; the attacker's {} still readable",
            data.planted_left.join(", ")
        ));
    }
    breakdown.push((what, data_points, data_max));
    if data.ways_back > 0 {
        let taken = data.ways_back.saturating_sub(data.ways_back_left.len());
        let points = u32::try_from(ways_max as usize * taken / data.ways_back).unwrap_or(0);
        let mut what = format!(
            "the attacker's ways back taken back: {taken} of {}",
            data.ways_back
        );
        if !data.ways_back_left.is_empty() {
            what.push_str(&format!(
                "; still there: {}",
                data.ways_back_left.join(", ")
            ));
        }
        breakdown.push((what, points, ways_max));
    }
    if rule_max > 0 {
        let deadline = started.and_then(|e| e.data["expiry_secs"].as_i64());
        // Off the bucket at the finish, and taken off (by warroom; else
        // as of the finish) before the simulated expiry.
        let off_after = rule_removed_at
            .and_then(|t| secs_between(&start, t))
            .unwrap_or(elapsed_secs);
        let in_time = data.rules_left.is_empty() && deadline.is_none_or(|d| off_after <= d);
        let when = deadline.map_or(String::new(), |d| format!(" (deadline {})", mmss(d)));
        let what = if !data.rules_left.is_empty() {
            format!(
                "planted lifecycle rule still there: {}{when}",
                data.rules_left.join(", ")
            )
        } else {
            format!(
                "planted lifecycle rule removed after {}{when}",
                mmss(off_after)
            )
        };
        breakdown.push((what, if in_time { rule_max } else { 0 }, rule_max));
    }
    if sse_c_max > 0 {
        let (tried, through, stopped) = sse_c;
        // The door shut: SSE-C blocked on the bucket, or every actor cut off.
        let shut = applied.iter().any(|(_, _, s)| s.name() == "block-sse-c")
            || full_containment_secs.is_some();
        // Stopped before the attacker's next round: none got through.
        // Stopped later: half. Still open at the finish: nothing (a game
        // finished before any round is not a door shut).
        let points = match (through, stopped || (tried == 0 && shut)) {
            (0, true) => sse_c_max,
            (_, true) => sse_c_max / 2,
            _ => 0,
        };
        let mut what = format!("SSE-C rewrites after the start: {through} of {tried} got through");
        if !shut {
            what.push_str("; SSE-C never blocked, the key never cut");
        }
        breakdown.push((what, points, sse_c_max));
    }
    let watch_points = match (w.1, w.0 + w.2, new_sessions) {
        (0, 1.., 0) => 10,
        (0, 1.., _) => 5,
        _ => 0,
    };
    breakdown.push((
        format!(
            "watches: {} clean, {} with activity, {} still open; {new_sessions} use(s) by sessions issued after a revocation",
            w.0, w.1, w.2
        ),
        watch_points,
        10,
    ));
    let evidence_points = if preserved_at.is_some() { 10 } else { 0 };
    breakdown.push((
        "CloudTrail events preserved as evidence".into(),
        evidence_points,
        10,
    ));
    let gained: u32 = breakdown.iter().map(|(_, g, _)| g).sum();
    let penalty = 5 * u32::try_from(mistakes.len()).unwrap_or(u32::MAX / 5);
    Score {
        scenario,
        elapsed_secs,
        first_containment_secs,
        full_containment_secs,
        steps_done: done,
        steps_skipped: skipped,
        steps_not_applicable: na,
        steps_total: total,
        objects_intact: data.intact,
        objects_total: data.total,
        planted_left: data.planted_left.clone(),
        ways_back: data.ways_back,
        ways_back_left: data.ways_back_left.clone(),
        rules_planted: data.rules_planted,
        rules_left: data.rules_left.clone(),
        sse_c_succeeded: sse_c.1,
        sse_c_tried: sse_c.0,
        watches_clean: w.0,
        watches_activity: w.1,
        watches_open: w.2,
        attacks_succeeded: ok,
        attacks_denied: denied,
        evidence_preserved: preserved_at.is_some(),
        mistakes,
        breakdown,
        points: gained.saturating_sub(penalty),
    }
}

impl Score {
    /// The score as lines for a terminal (the console's end screen and
    /// `warroom gameday`'s last words).
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "Score {} / {MAX_POINTS}   ({} played for {})",
                self.points,
                self.scenario,
                mmss(self.elapsed_secs)
            ),
            String::new(),
        ];
        for (what, got, of) in &self.breakdown {
            out.push(format!("{got:>3} / {of:<3} {what}"));
        }
        out.push(format!(
            "attacker: {} succeeded, {} denied",
            plural(self.attacks_succeeded, "attempt"),
            self.attacks_denied
        ));
        if self.mistakes.is_empty() {
            out.push("mistakes: none".into());
        } else {
            out.push(format!("mistakes (-5 each): {}", self.mistakes.len()));
            out.extend(self.mistakes.iter().map(|m| format!("  - {m}")));
        }
        out
    }
}

/// "1 attempt", "2 attempts".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(intact: usize, total: usize) -> DataState {
        DataState {
            intact,
            total,
            ..Default::default()
        }
    }

    /// The attacker's ransom note left readable costs data points as an
    /// object not put right, and the score says which.
    #[test]
    fn an_attacker_made_object_left_readable_counts_against_the_data() {
        let entries = journal(&[(0, kind::STARTED, json!({"scenario": "s"}))]);
        let at_end = crate::time::iso_time(1_795_860_060);
        let hidden = DataState {
            intact: 3,
            total: 3,
            planted: 1,
            planted_left: Vec::new(),
            ..Default::default()
        };
        let left = DataState {
            planted_left: vec!["b/README-RESTORE.txt".into()],
            ..hidden.clone()
        };
        let points = |d: &DataState| {
            let s = score(&entries, &playbook(), d, &at_end);
            let row = s
                .breakdown
                .iter()
                .find(|(what, _, _)| what.starts_with("data"))
                .cloned()
                .expect("a data row");
            (row, s.planted_left)
        };
        let ((_, full, _), none) = points(&hidden);
        assert_eq!((full, none.len()), (20, 0));
        let ((what, part, _), named) = points(&left);
        assert_eq!(part, 15, "3 of 4 put right");
        assert!(what.contains("README-RESTORE.txt still readable"), "{what}");
        assert_eq!(named, vec!["b/README-RESTORE.txt".to_string()]);
    }
    use crate::actions::{access_key, restore};
    use serde_json::{Value, json};

    /// A journal of (second, kind, data); action ids are the planned
    /// entries' sequence numbers, as in the real journal.
    fn journal(items: &[(i64, &str, Value)]) -> Vec<Entry> {
        items
            .iter()
            .enumerate()
            .map(|(i, (t, kind, data))| Entry {
                seq: i as u64 + 1,
                time: crate::time::iso_time(1_795_860_000 + t),
                prev: String::new(),
                kind: kind.to_string(),
                data: data.clone(),
                hash: String::new(),
            })
            .collect()
    }

    fn key_spec(delete: bool) -> Value {
        let args = access_key::Args {
            key_id: "AKIAGAMEDAY000000001".into(),
            user: Some("ci-deploy".into()),
        };
        serde_json::to_value(if delete {
            ActionSpec::DeleteAccessKey(args)
        } else {
            ActionSpec::DeactivateAccessKey(args)
        })
        .expect("spec")
    }

    fn restore_spec() -> Value {
        serde_json::to_value(ActionSpec::Undelete(restore::Args {
            bucket: "b".into(),
            prefix: None,
            goal: crate::model::restore::Goal::Undelete { since: None },
            override_order: None,
        }))
        .expect("spec")
    }

    fn playbook() -> Playbook {
        Playbook::builtin().expect("playbook")
    }

    #[test]
    fn times_count_from_the_start_and_containment_is_the_last_word() {
        let entries = journal(&[
            (0, kind::STARTED, json!({"scenario": "s"})),
            (90, "action_planned", json!({"spec": key_spec(false)})),
            (95, "action_applied", json!({"action_id": "A2"})),
            (100, kind::CONTAINED, json!({"all_contained": true})),
            (130, kind::CONTAINED, json!({"all_contained": false})),
            (400, kind::CONTAINED, json!({"all_contained": true})),
            (410, kind::ATTACK, json!({"error": "AccessDenied"})),
            (20, kind::ATTACK, json!({"error": null})),
        ]);
        let s = score(
            &entries,
            &playbook(),
            &data(2, 4),
            &crate::time::iso_time(1_795_860_600),
        );
        assert_eq!(s.first_containment_secs, Some(95));
        // Re-opened at 130: contained for good only at 400.
        assert_eq!(s.full_containment_secs, Some(400));
        assert_eq!((s.attacks_succeeded, s.attacks_denied), (1, 1));
        assert_eq!(s.elapsed_secs, 600);
        assert!(s.mistakes.is_empty());
        // 10 (first within 2 min) + 28 (contained at 6:40) + 0 + 10 (half the data) + 0 + 0.
        assert_eq!(s.points, 48, "{:?}", s.breakdown);
    }

    /// A second game staged into the same incident is scored alone: not
    /// with the first game's first containment or its mistakes.
    #[test]
    fn each_game_is_scored_alone() {
        let entries = journal(&[
            (0, kind::STARTED, json!({"scenario": "first"})),
            (10, "action_planned", json!({"spec": key_spec(true)})),
            (11, "action_applied", json!({"action_id": "A2"})),
            (12, kind::CONTAINED, json!({"all_contained": true})),
            (1000, kind::STARTED, json!({"scenario": "second"})),
            (1200, "action_planned", json!({"spec": key_spec(false)})),
            (1201, "action_applied", json!({"action_id": "A6"})),
            (1202, kind::CONTAINED, json!({"all_contained": false})),
            (1300, kind::CONTAINED, json!({"all_contained": true})),
        ]);
        let s = score(
            &entries,
            &playbook(),
            &data(1, 1),
            &crate::time::iso_time(1_795_860_000 + 1400),
        );
        assert_eq!(s.scenario, "second");
        assert_eq!(s.first_containment_secs, Some(201));
        assert_eq!(s.full_containment_secs, Some(300));
        assert!(s.mistakes.is_empty(), "{:?}", s.mistakes);
        assert_eq!(s.elapsed_secs, 400);
    }

    /// A destructive attack scores the planted rule off in time (against
    /// the scenario's simulated deadline) and the SSE-C rewrites stopped:
    /// none through after the start is full marks, stopped later is half.
    #[test]
    fn a_destructive_attack_scores_the_rule_off_in_time_and_sse_c_stopped() {
        let rule_spec = serde_json::to_value(ActionSpec::RemoveLifecycleRules(
            crate::actions::lifecycle_rules::Args {
                bucket: "b".into(),
                rules: vec!["cleanup-7d".into()],
            },
        ))
        .expect("spec");
        let sse_c =
            |t: i64, error: Value| (t, kind::ATTACK, json!({"op": "sse_c", "error": error}));
        let game = |removed_at: i64, attacks: Vec<(i64, &'static str, Value)>| {
            let mut items = vec![
                (
                    0,
                    kind::STARTED,
                    json!({"scenario": "s", "expiry_secs": 600}),
                ),
                (
                    -5,
                    kind::ATTACK,
                    json!({"op": "sse_c", "error": null, "opening": true}),
                ),
                (
                    removed_at - 1,
                    "action_planned",
                    json!({"spec": rule_spec.clone()}),
                ),
                (removed_at, "action_applied", json!({"action_id": "A3"})),
            ];
            items.extend(attacks);
            journal(&items)
        };
        let d = DataState {
            intact: 3,
            total: 3,
            rules_planted: 1,
            sse_c: true,
            ..Default::default()
        };
        let rows = |entries: &[Entry], d: &DataState| {
            let s = score(
                entries,
                &playbook(),
                d,
                &crate::time::iso_time(1_795_860_900),
            );
            let row = |p: &str| {
                s.breakdown
                    .iter()
                    .find(|(w, _, _)| w.starts_with(p))
                    .cloned()
                    .unwrap_or_else(|| panic!("no {p} row in {:?}", s.breakdown))
            };
            (row("planted lifecycle rule"), row("SSE-C"), row("data"))
        };
        // Removed at 3:20 of a 10:00 deadline; the only live rewrite refused.
        let (rule, ssec, data) = rows(&game(200, vec![sse_c(60, json!("AccessDenied"))]), &d);
        assert_eq!((rule.1, rule.2), (5, 5), "{rule:?}");
        assert!(
            rule.0.contains("removed after 3:20 (deadline 10:00)"),
            "{rule:?}"
        );
        assert_eq!((ssec.1, ssec.2), (5, 5), "{ssec:?}");
        assert!(ssec.0.contains("0 of 1 got through"), "{ssec:?}");
        // The data shares its 20 with the two: 10 left for it.
        assert_eq!((data.1, data.2), (10, 10));
        // Removed after the deadline: the data was gone by then.
        let (rule, ..) = rows(&game(700, Vec::new()), &d);
        assert_eq!(rule.1, 0, "{rule:?}");
        // Still there at the finish, whatever the journal says.
        let left = DataState {
            rules_left: vec!["cleanup-7d on b".into()],
            ..d.clone()
        };
        let (rule, ..) = rows(&game(200, Vec::new()), &left);
        assert_eq!(rule.1, 0);
        assert!(rule.0.contains("still there: cleanup-7d on b"), "{rule:?}");
        // One got through, then stopped: half. Still going: none.
        let stopped = vec![sse_c(30, Value::Null), sse_c(60, json!("AccessDenied"))];
        let (_, ssec, _) = rows(&game(200, stopped), &d);
        assert_eq!(ssec.1, 2, "{ssec:?}");
        let going = vec![sse_c(30, json!("AccessDenied")), sse_c(60, Value::Null)];
        let (_, ssec, _) = rows(&game(200, going), &d);
        assert_eq!(ssec.1, 0, "{ssec:?}");
        // Finished before any round, nothing shut: no points for it.
        let (_, ssec, _) = rows(&game(200, Vec::new()), &d);
        assert_eq!(ssec.1, 0, "{ssec:?}");
        assert!(ssec.0.contains("SSE-C never blocked"), "{ssec:?}");
    }

    #[test]
    fn evidence_destroying_moves_are_mistakes() {
        let entries = journal(&[
            (0, kind::STARTED, json!({"scenario": "s"})),
            (10, "action_planned", json!({"spec": key_spec(true)})),
            (11, "action_applied", json!({"action_id": "A2"})),
            (20, "action_planned", json!({"spec": restore_spec()})),
            (21, "action_applied", json!({"action_id": "A4"})),
            (30, "trail_preserved", json!({})),
        ]);
        let s = score(
            &entries,
            &playbook(),
            &data(1, 1),
            &crate::time::iso_time(1_795_860_060),
        );
        assert_eq!(s.mistakes.len(), 2, "{:?}", s.mistakes);
        assert!(s.mistakes[0].contains("without deactivating it first"));
        assert!(s.mistakes[1].contains("before the CloudTrail events were preserved"));
        // Deactivated first, preserved first: no mistakes.
        let entries = journal(&[
            (0, kind::STARTED, json!({"scenario": "s"})),
            (5, "trail_preserved", json!({})),
            (10, "action_planned", json!({"spec": key_spec(false)})),
            (11, "action_applied", json!({"action_id": "A3"})),
            (12, "action_planned", json!({"spec": key_spec(true)})),
            (13, "action_applied", json!({"action_id": "A5"})),
            (20, "action_planned", json!({"spec": restore_spec()})),
            (21, "action_applied", json!({"action_id": "A7"})),
        ]);
        let s = score(
            &entries,
            &playbook(),
            &data(1, 1),
            &crate::time::iso_time(1_795_860_060),
        );
        assert!(s.mistakes.is_empty(), "{:?}", s.mistakes);
        assert!(s.evidence_preserved);
    }
}
