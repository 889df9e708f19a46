//! Credential watches kept in the incident journal, so they survive the
//! SSH session dropping: `watch_started` records the spec (target, cutoff,
//! window, allowance), `watch_use` each counted use, `watch_verdict` the
//! final verdict. Re-opening the incident replays them into the same state,
//! with the right remaining time (the clock is the wall clock against the
//! recorded cutoff) and no use counted twice.

use serde_json::json;

use crate::incident::{Entry, Incident, IncidentError};
use crate::model::trail::TrailEvent;
use crate::model::watch::{LastUsed, Target, Timing, Use, Watch, WatchSpec};

pub const STARTED: &str = "watch_started";
pub const USE: &str = "watch_use";
/// IAM's last-used record of a watched key, after the cutoff.
pub const LAST_USED: &str = "watch_last_used";
pub const VERDICT: &str = "watch_verdict";
/// A trail that would see the credential stopped seeing it.
pub const BLIND: &str = "watch_blind";

/// Start a watch: journaled before anything polls for it.
pub fn start(
    incident: &mut Incident,
    target: Target,
    account: Option<String>,
    cutoff: i64,
    started_by: &str,
    timing: Timing,
) -> Result<WatchSpec, IncidentError> {
    let id = format!(
        "W{}",
        incident
            .all_entries()?
            .iter()
            .filter(|e| e.kind == STARTED)
            .count()
            + 1
    );
    let spec = WatchSpec {
        id,
        target,
        account,
        cutoff,
        window_secs: timing.window_secs,
        allowance_secs: timing.allowance_secs,
        started_by: started_by.to_string(),
    };
    incident.record(
        STARTED,
        json!({
            "summary": format!(
                "{}: watching {} for {} minutes after the revocation ({})",
                spec.id,
                spec.target.label(),
                spec.window_secs / 60,
                started_by
            ),
            "spec": spec,
        }),
    )?;
    Ok(spec)
}

/// Offer an event to a watch; a counted use is journaled.
pub fn offer(
    incident: &mut Incident,
    watch: &mut Watch,
    e: &TrailEvent,
) -> Result<Option<Use>, IncidentError> {
    let Some(class) = watch.offer(e) else {
        return Ok(None);
    };
    // The journal (and the verdict's evidence, built from it) never holds
    // a session token an AssumeRole answer carried.
    let mut e = e.clone();
    e.raw = crate::model::trail::Raw::new(&crate::model::trail::without_secrets(&e.raw.get()));
    let what = match class {
        Use::Denied => "denied",
        Use::Succeeded => "SUCCEEDED",
        Use::NewSession => "new session (issued after the cutoff)",
    };
    incident.record(
        USE,
        json!({
            "summary": format!(
                "{}: {} use of {} at {} from {}: {}",
                watch.spec.id,
                what,
                watch.spec.target.label(),
                e.time,
                e.source_ip.as_deref().unwrap_or("?"),
                e.name
            ),
            "watch_id": watch.spec.id,
            "class": class,
            "event": e,
        }),
    )?;
    Ok(Some(class))
}

/// Offer IAM's last-used record; new evidence is journaled.
pub fn offer_last_used(
    incident: &mut Incident,
    watch: &mut Watch,
    used: LastUsed,
) -> Result<bool, IncidentError> {
    if !watch.offer_last_used(used.clone()) {
        return Ok(false);
    }
    incident.record(
        LAST_USED,
        json!({
            "summary": format!(
                "{}: IAM says {} was last used at {} ({} in {}), after the revocation",
                watch.spec.id,
                watch.spec.target.label(),
                crate::time::iso_time(used.time),
                used.service,
                used.region
            ),
            "watch_id": watch.spec.id,
            "last_used": used,
        }),
    )?;
    Ok(true)
}

/// Every watch of the incident, as its journal says, with its verdict if
/// one was written.
pub fn replay(entries: &[Entry]) -> Vec<(Watch, Option<String>)> {
    let mut watches: Vec<(Watch, Option<String>)> = Vec::new();
    for e in entries {
        match e.kind.as_str() {
            STARTED => {
                if let Ok(spec) = serde_json::from_value::<WatchSpec>(e.data["spec"].clone()) {
                    watches.push((Watch::new(spec), None));
                }
            }
            USE => {
                let id = e.data["watch_id"].as_str().unwrap_or_default();
                let event = serde_json::from_value::<TrailEvent>(e.data["event"].clone());
                if let (Some((w, _)), Ok(event)) =
                    (watches.iter_mut().find(|(w, _)| w.spec.id == id), event)
                {
                    w.offer(&event);
                }
            }
            LAST_USED => {
                let id = e.data["watch_id"].as_str().unwrap_or_default();
                let used = serde_json::from_value::<LastUsed>(e.data["last_used"].clone());
                if let (Some((w, _)), Ok(used)) =
                    (watches.iter_mut().find(|(w, _)| w.spec.id == id), used)
                {
                    w.offer_last_used(used);
                }
            }
            BLIND => {
                let id = e.data["watch_id"].as_str().unwrap_or_default();
                let since = e.data["since"].as_i64();
                let why = e.data["why"].as_str().unwrap_or("a trail stopped logging");
                if let (Some((w, _)), Some(since)) =
                    (watches.iter_mut().find(|(w, _)| w.spec.id == id), since)
                {
                    w.blinded(since, why);
                }
            }
            VERDICT => {
                let id = e.data["watch_id"].as_str().unwrap_or_default();
                if let Some((_, v)) = watches.iter_mut().find(|(w, _)| w.spec.id == id) {
                    *v = e.data["verdict"].as_str().map(str::to_string);
                }
            }
            _ => {}
        }
    }
    watches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trail::normalise_str;
    use crate::model::watch::Verdict;

    #[test]
    fn watches_survive_a_restart_with_their_counts_and_remaining_time() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("inc");
        let cutoff = 1_795_860_000;
        {
            let mut inc = Incident::open(Some(&dir)).expect("incident");
            let spec = start(
                &mut inc,
                Target::AccessKey {
                    key_id: "AKIAWATCHED".into(),
                },
                None,
                cutoff,
                "A2",
                Timing::default(),
            )
            .expect("start");
            let mut w = Watch::new(spec);
            let e = normalise_str(r#"{"eventID":"u1","eventTime":"2026-11-28T10:05:00Z","eventName":"ListBuckets","sourceIPAddress":"185.220.101.7","userIdentity":{"accessKeyId":"AKIAWATCHED"},"errorCode":"InvalidAccessKeyId"}"#).expect("e");
            assert_eq!(
                offer(&mut inc, &mut w, &e).expect("offer"),
                Some(Use::Denied)
            );
            assert_eq!(offer(&mut inc, &mut w, &e).expect("offer"), None);
            // The process dies here.
        }
        let inc = Incident::open(Some(&dir)).expect("resume");
        let watches = replay(&inc.all_entries().expect("entries"));
        assert_eq!(watches.len(), 1);
        let (w, verdict) = &watches[0];
        assert_eq!(verdict, &None);
        assert_eq!(w.spec.id, "W1");
        assert_eq!(w.denied, 1);
        // Remaining time comes from the recorded cutoff, not from when
        // warroom came back.
        let s = w.status(cutoff + 20 * 60);
        assert_eq!(s.window_left, 10 * 60);
        assert_eq!(s.verdict, Verdict::Watching);
    }

    #[test]
    fn a_session_token_in_a_counted_use_never_reaches_the_journal() {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut inc = Incident::open(Some(&tmp.path().join("inc"))).expect("incident");
        let spec = start(
            &mut inc,
            Target::AccessKey {
                key_id: "AKIAWATCHED".into(),
            },
            Some("111122223333".into()),
            1_795_860_000,
            "A2",
            Timing::default(),
        )
        .expect("start");
        let mut w = Watch::new(spec);
        let e = normalise_str(r#"{"eventID":"s1","eventTime":"2026-11-28T10:05:00Z","eventName":"GetSessionToken","sourceIPAddress":"185.220.101.7","userIdentity":{"accessKeyId":"AKIAWATCHED"},"responseElements":{"credentials":{"accessKeyId":"ASIANEWSESSION","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLETOKEN","expiration":"x"}}}"#).expect("e");
        assert_eq!(
            offer(&mut inc, &mut w, &e).expect("offer"),
            Some(Use::Succeeded)
        );
        let journal = std::fs::read_to_string(tmp.path().join("inc/journal.jsonl")).expect("read");
        assert!(!journal.contains("IQoJb3JpZ2luX2VjEXAMPLETOKEN"));
        assert!(journal.contains("redacted, 28 characters"));
        assert!(
            journal.contains("ASIANEWSESSION"),
            "the rest of the record is kept"
        );
        // The watch's account is journaled with its spec.
        assert!(journal.contains(r#""account":"111122223333""#));
    }
}

/// What the watch loop reports.
#[derive(Debug)]
pub enum WatchMsg {
    /// A watch's state after a poll (sent each round).
    Status {
        watch: Box<Watch>,
        status: crate::model::watch::Status,
    },
    /// A successful use after revocation: the alarm.
    Alert { watch_id: String, text: String },
    /// A source could not be read this round.
    SourceError { source: &'static str, error: String },
    /// A trail that would see the credential stopped seeing it: the watch
    /// can no longer read CLEAN.
    Blind { watch_id: String, text: String },
    /// A watch became final; its verdict is journaled.
    Final { watch_id: String, verdict: String },
}

#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub every: std::time::Duration,
    pub regions: Vec<String>,
    /// Keep running when no watch is open, for watches started later (the
    /// console); without it, return once every watch is final (headless).
    pub follow: bool,
    /// Poll now instead of waiting out `every` (a watch was just started).
    pub wake: Option<std::sync::Arc<tokio::sync::Notify>>,
}

/// Wall-clock seconds, advanced by tokio's clock: immune to the wall clock
/// jumping mid-watch, and driven by tokio's paused clock in tests.
struct Clock {
    wall0: i64,
    t0: tokio::time::Instant,
}

impl Clock {
    fn start() -> Self {
        Clock {
            wall0: crate::time::now_secs(),
            t0: tokio::time::Instant::now(),
        }
    }

    fn now(&self) -> i64 {
        self.wall0 + i64::try_from(self.t0.elapsed().as_secs()).unwrap_or(i64::MAX / 2)
    }
}

/// Run the incident's open watches until every one is final (or `send`
/// returns false). Watches started while it runs (journaled by an action,
/// or by hand) are picked up at the next round. Events come from
/// LookupEvents (through the shared limiter) and the trail log files, from
/// the earliest open cutoff on, and IAM's last-used record is read for
/// access keys; uses are journaled as they are counted, verdicts when
/// final.
pub async fn run(
    c: &crate::aws::Clients,
    incident: &tokio::sync::Mutex<Incident>,
    opts: &WatchOptions,
    mut send: impl FnMut(WatchMsg) -> bool,
) -> Result<(), IncidentError> {
    use crate::aws::trail as trail_src;
    let clock = Clock::start();
    let mut open: Vec<Watch> = Vec::new();
    let mut known = std::collections::HashSet::new();
    // The sources, and the time they read from.
    let mut sources: Option<(crate::tail::Sources, i64)> = None;
    let mut source_errors: Vec<String> = Vec::new();
    let mut lookup_due = tokio::time::Instant::now();
    // The last round was reading a backlog of log files, and this one came
    // right after it.
    let mut in_backlog = false;
    // The trails as first read, to tell a trail deleted or blinded since.
    let mut trails_at_start: Option<Vec<crate::model::trail::TrailInfo>> = None;
    loop {
        let entries = incident.lock().await.all_entries()?;
        for (w, verdict) in replay(&entries) {
            if known.insert(w.spec.id.clone()) && verdict.is_none() {
                open.push(w);
            }
        }
        if let Some(since) = open.iter().map(|w| w.spec.cutoff).min() {
            // A watch older than the sources' start (resumed, or started by
            // hand with an earlier cutoff) needs them re-read from its cutoff.
            if sources.as_ref().is_none_or(|(_, s)| since < *s) {
                let (opened, trails) = crate::tail::Sources::open(c, &opts.regions, since).await;
                if let Err(e) = trails {
                    let text = format!("trails: {}", e.code);
                    if !source_errors.contains(&text) {
                        source_errors.push(text);
                    }
                }
                sources = Some((opened, since));
            }
        }
        let now = clock.now();
        let mut events = Vec::new();
        // The trail bucket holds more than one round reads, and reading it
        // works: no verdict until it is read, and no pause between rounds.
        let mut catching_up = false;
        if let (Some((src, since)), false) = (sources.as_mut(), open.is_empty()) {
            let crate::tail::Sources {
                regions,
                pollers,
                readers,
            } = src;
            // While a backlog of log files is read round after round,
            // LookupEvents keeps its own pace (each poll can take the SDK's
            // retries).
            let lookup_now = !in_backlog || tokio::time::Instant::now() >= lookup_due;
            if lookup_now {
                lookup_due = tokio::time::Instant::now() + opts.every;
            }
            for p in pollers.iter_mut().filter(|_| lookup_now) {
                match p.poll(now).await {
                    Ok(mut got) => events.append(&mut got),
                    Err(e) => {
                        if !source_errors.iter().any(|s| s.starts_with("LookupEvents")) {
                            source_errors.push(format!("LookupEvents: {}", e.error.code));
                        }
                        if !send(WatchMsg::SourceError {
                            source: "LookupEvents",
                            error: format!("{}: {}", e.error.code, e.error.message),
                        }) {
                            return Ok(());
                        }
                    }
                }
            }
            let days = crate::time::days_between(*since, now);
            let mut logs_failed = false;
            for r in readers.iter_mut() {
                match r.poll(c, regions, &days).await {
                    Ok(mut batch) => events.append(&mut batch.events),
                    Err(e) => {
                        logs_failed = true;
                        let text = format!("trail logs: {}", e.code);
                        if !source_errors.contains(&text) {
                            source_errors.push(text);
                        }
                        if !send(WatchMsg::SourceError {
                            source: "trail logs",
                            error: e.said(),
                        }) {
                            return Ok(());
                        }
                    }
                }
            }
            catching_up = !logs_failed && readers.iter().any(trail_src::LogReader::behind);
            in_backlog = catching_up;
        }
        // Are the trails still seeing? Read each round a watch is open: an
        // attacker who stops logging mid-window must not earn a CLEAN.
        let mut blind_now = None;
        if !open.is_empty() {
            match trail_src::discover_trails(c).await {
                Ok(list) => {
                    let base = trails_at_start.get_or_insert_with(|| list.clone());
                    blind_now = crate::model::watch::blinding(base, &list);
                }
                Err(e) => {
                    let text = format!("trails: {}", e.code);
                    if !source_errors.contains(&text) {
                        source_errors.push(text);
                    }
                }
            }
        }
        let mut still_open = Vec::new();
        for mut w in open {
            if let Some((since, why)) = &blind_now
                && blind(
                    &mut *incident.lock().await,
                    &mut w,
                    since.unwrap_or(now),
                    why,
                )?
                && !send(WatchMsg::Blind {
                    watch_id: w.spec.id.clone(),
                    text: format!(
                        "{} cannot read CLEAN: {why} (since {})",
                        w.spec.target.label(),
                        crate::time::iso_time(since.unwrap_or(now))
                    ),
                })
            {
                return Ok(());
            }
            for e in &events {
                let counted = offer(&mut *incident.lock().await, &mut w, e)?;
                if counted == Some(Use::Succeeded)
                    && !send(WatchMsg::Alert {
                        watch_id: w.spec.id.clone(),
                        text: format!(
                            "{} was used successfully after the revocation: {} at {} from {}",
                            w.spec.target.label(),
                            e.name,
                            e.time,
                            e.source_ip.as_deref().unwrap_or("?")
                        ),
                    })
                {
                    return Ok(());
                }
            }
            if let Target::AccessKey { key_id } = &w.spec.target {
                match crate::aws::iam::access_key_last_used(c, key_id).await {
                    Ok(Some(used)) => {
                        let text = format!(
                            "IAM says {} was used after the revocation: at {} ({} in {})",
                            w.spec.target.label(),
                            crate::time::iso_time(used.time),
                            used.service,
                            used.region
                        );
                        if offer_last_used(&mut *incident.lock().await, &mut w, used)?
                            && !send(WatchMsg::Alert {
                                watch_id: w.spec.id.clone(),
                                text,
                            })
                        {
                            return Ok(());
                        }
                    }
                    // A deleted key has no record: CloudTrail still watches it.
                    Ok(None) => {}
                    Err(e) if e.code == "NoSuchEntity" => {}
                    Err(e) => {
                        if !send(WatchMsg::SourceError {
                            source: "GetAccessKeyLastUsed",
                            error: e.said(),
                        }) {
                            return Ok(());
                        }
                    }
                }
            }
            let status = w.status(now);
            if !send(WatchMsg::Status {
                watch: Box::new(w.clone()),
                status: status.clone(),
            }) {
                return Ok(());
            }
            if status.is_final && !catching_up {
                let verdict = finish(&mut *incident.lock().await, &w, &source_errors)?;
                if !send(WatchMsg::Final {
                    watch_id: w.spec.id.clone(),
                    verdict,
                }) {
                    return Ok(());
                }
            } else {
                still_open.push(w);
            }
        }
        open = still_open;
        if open.is_empty() && !opts.follow {
            return Ok(());
        }
        match &opts.wake {
            _ if catching_up => tokio::task::yield_now().await,
            Some(wake) => {
                tokio::select! {
                    _ = tokio::time::sleep(opts.every) => {}
                    _ = wake.notified() => {}
                }
            }
            None => tokio::time::sleep(opts.every).await,
        }
    }
}

/// Mark a watch blind (journaled the first time): true when it is new.
fn blind(
    incident: &mut Incident,
    w: &mut Watch,
    since: i64,
    why: &str,
) -> Result<bool, IncidentError> {
    if !w.blinded(since, why) {
        return Ok(false);
    }
    incident.record(
        BLIND,
        json!({
            "summary": format!(
                "{}: {} cannot read CLEAN: {why}",
                w.spec.id,
                w.spec.target.label()
            ),
            "watch_id": w.spec.id,
            "since": since,
            "why": why,
        }),
    )?;
    Ok(true)
}

/// Journal a final verdict, with the counted events as one evidence file.
fn finish(
    incident: &mut Incident,
    w: &Watch,
    source_errors: &[String],
) -> Result<String, IncidentError> {
    let status = w.status(w.spec.final_at());
    let verdict = match status.verdict {
        crate::model::watch::Verdict::Activity => "activity",
        crate::model::watch::Verdict::Unconfirmed => "unconfirmed",
        _ => "clean",
    };
    let records: Vec<String> = replay_uses(&incident.all_entries()?, &w.spec.id);
    let evidence = if records.is_empty() {
        None
    } else {
        let bytes = crate::model::trail::log_file_gz(&records)
            .map_err(|e| IncidentError::Encode(e.to_string()))?;
        Some(incident.store_evidence(&bytes, "json.gz")?)
    };
    incident.record(
        VERDICT,
        json!({
            "summary": format!(
                "{}: {} — {} succeeded, {} denied, {} new sessions after the cutoff{}{}{}",
                w.spec.id,
                verdict.to_uppercase(),
                w.succeeded,
                w.denied,
                w.new_sessions,
                match &w.iam_last_used {
                    Some(u) => format!("; IAM records a use at {}", crate::time::iso_time(u.time)),
                    None => String::new(),
                },
                match &w.blind {
                    Some(b) => format!(
                        "; not confirmed: {} (from {})",
                        b.why,
                        crate::time::iso_time(b.since)
                    ),
                    None => String::new(),
                },
                if source_errors.is_empty() {
                    String::new()
                } else {
                    format!(" (not every source could be read: {})", source_errors.join(", "))
                }
            ),
            "watch_id": w.spec.id,
            "verdict": verdict,
            "succeeded": w.succeeded,
            "denied": w.denied,
            "new_sessions": w.new_sessions,
            "iam_last_used": w.iam_last_used,
            "blind": w.blind,
            "source_errors": source_errors,
            "evidence": evidence,
        }),
    )?;
    Ok(verdict.to_string())
}

/// The raw records of a watch's counted uses, from the journal.
fn replay_uses(entries: &[Entry], id: &str) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.kind == USE && e.data["watch_id"] == id)
        .filter_map(|e| e.data["event"].get("raw").map(|r| r.to_string()))
        .collect()
}
