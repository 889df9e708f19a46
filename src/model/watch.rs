//! The post-revocation credential watch as a pure state machine: events and
//! clock readings in, status out. After a credential is revoked, every use
//! of it inside the window is counted as **denied** (the revocation works;
//! the actor is still trying) or **succeeded** (alarm: it did not take, has
//! not propagated, or the actor has another way in). CloudTrail delivers
//! late, so a watch is final only after the window *plus* a delivery
//! allowance: an event at minute 29 that arrives at minute 34 still counts.
//!
//! No I/O and no clock of its own: the caller says what time it is, so the
//! same code runs live, on resume, and in tests.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::trail::{TrailEvent, TrailInfo};
use crate::time::parse_time;

/// What is watched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    /// Events signed with this access key id.
    AccessKey { key_id: String },
    /// Events by this IAM user (its ARN), including its STS sessions.
    User { arn: String },
    /// Sessions of this role: issued before the cutoff count; issued after
    /// it are shown apart (legitimate re-assumption, or an actor who can
    /// still assume the role).
    Role { arn: String },
    /// Any principal, by ARN.
    Principal { arn: String },
    /// A rotated key pair: events from the instances launched with it.
    KeyPair {
        name: String,
        instances: Vec<String>,
    },
}

impl Target {
    /// What to watch for a typed-in id: an access key id, or an ARN (a
    /// role's gets the role semantics: sessions issued before the cutoff
    /// versus after it).
    pub fn parse(input: &str) -> Result<Target, String> {
        let s = input.trim();
        if super::ids::parse_access_key_id(s).is_ok() {
            return Ok(Target::AccessKey {
                key_id: s.to_string(),
            });
        }
        super::ids::parse_principal_arn(s)
            .map(Target::for_arn)
            .map_err(|_| {
                "type an access key id (AKIA… or ASIA…) or an IAM user, role or principal ARN"
                    .to_string()
            })
    }

    /// The target for a principal ARN.
    pub fn for_arn(arn: String) -> Target {
        let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
        if arn.contains(":iam::") && resource.starts_with("role/") {
            Target::Role { arn }
        } else if arn.contains(":iam::") && resource.starts_with("user/") {
            Target::User { arn }
        } else {
            Target::Principal { arn }
        }
    }

    pub fn label(&self) -> String {
        match self {
            Target::AccessKey { key_id } => format!("access key {key_id}"),
            Target::User { arn } | Target::Role { arn } | Target::Principal { arn } => arn.clone(),
            Target::KeyPair { name, .. } => format!("key pair {name}"),
        }
    }

    /// Is this event by the watched credential?
    pub fn matches(&self, e: &TrailEvent) -> bool {
        let a = &e.actor;
        match self {
            Target::AccessKey { key_id } => a.access_key_id.as_deref() == Some(key_id),
            Target::User { arn } | Target::Principal { arn } => {
                a.arn.as_deref() == Some(arn) || a.session_issuer.as_deref() == Some(arn)
            }
            Target::Role { arn } => a.session_issuer.as_deref() == Some(arn),
            // Instance-profile sessions are named after the instance.
            Target::KeyPair { instances, .. } => a
                .arn
                .as_deref()
                .is_some_and(|arn| instances.iter().any(|i| arn.ends_with(&format!("/{i}")))),
        }
    }
}

/// A watch as started (and journaled): everything needed to resume it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchSpec {
    pub id: String,
    pub target: Target,
    /// The account the credential belongs to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The revocation time (seconds since the epoch).
    pub cutoff: i64,
    pub window_secs: i64,
    /// How late CloudTrail may deliver an event of the window.
    pub allowance_secs: i64,
    /// What started it (an action id, or "by hand").
    pub started_by: String,
}

impl WatchSpec {
    pub fn window_end(&self) -> i64 {
        self.cutoff + self.window_secs
    }

    pub fn final_at(&self) -> i64 {
        self.window_end() + self.allowance_secs
    }
}

/// How one use is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    Denied,
    Succeeded,
    /// A role session issued after the cutoff: counted apart.
    NewSession,
}

/// Error codes that mean the credential was refused.
const REFUSED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
    "ExpiredToken",
    "ExpiredTokenException",
    "AuthFailure",
    "SignatureDoesNotMatch",
];

/// Denied when the call was refused for its credentials or permissions;
/// any other outcome (even NoSuchKey) means the credential worked.
pub fn classify(e: &TrailEvent) -> Use {
    match e.error_code.as_deref() {
        Some(code) if REFUSED.contains(&code) || code.starts_with("AccessDenied") => Use::Denied,
        _ => Use::Succeeded,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Watching,
    /// Final, nothing used the credential successfully.
    Clean,
    /// A successful use after revocation (final or not: it is an alarm).
    Activity,
    /// Final with no successful use seen, but a trail that would have seen
    /// one stopped logging (or was deleted, or dropped its data events)
    /// during the window: the silence proves nothing.
    Unconfirmed,
}

/// A trail that would have seen the credential stopped seeing: from when,
/// and which and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blind {
    pub since: i64,
    pub why: String,
}

/// Why the trails read `now` can no longer be trusted to see a use, against
/// the trails read when the watch began (`baseline`): a trail not logging,
/// one that was logging and is gone, or one that logged S3 data events and
/// no longer does. `None` while they still see; else why, and since when
/// when a trail's status says when it stopped (the earliest).
pub fn blinding(baseline: &[TrailInfo], now: &[TrailInfo]) -> Option<(Option<i64>, String)> {
    let mut why = Vec::new();
    let mut since: Option<i64> = None;
    for t in now.iter().filter(|t| t.logging == Some(false)) {
        why.push(format!("trail {} is not logging", t.name));
        if let Some(at) = t.stopped_at {
            since = Some(since.map_or(at, |s| s.min(at)));
        }
    }
    for b in baseline {
        match now.iter().find(|t| t.arn == b.arn) {
            None if b.logging != Some(false) => why.push(format!("trail {} was deleted", b.name)),
            Some(t) if !b.data.is_empty() && t.data.is_empty() => {
                why.push(format!("trail {} no longer logs S3 data events", b.name))
            }
            _ => {}
        }
    }
    why.dedup();
    (!why.is_empty()).then(|| (since, why.join("; ")))
}

/// The last use seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub event_id: String,
    pub time: i64,
    pub name: String,
    pub source_ip: Option<String>,
    pub class: Use,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    pub spec: WatchSpec,
    pub denied: u32,
    pub succeeded: u32,
    pub new_sessions: u32,
    pub last: Option<Seen>,
    /// IAM's own record (`GetAccessKeyLastUsed`) of a use after the cutoff:
    /// a second signal that needs no CloudTrail.
    #[serde(default)]
    pub iam_last_used: Option<LastUsed>,
    /// A trail stopped seeing during the window: never CLEAN after that.
    #[serde(default)]
    pub blind: Option<Blind>,
    /// Ids of the events counted: the evidence, and no double counting when
    /// both sources (or a resumed poll) deliver the same event.
    pub counted: Vec<String>,
    #[serde(skip)]
    ids: HashSet<String>,
}

/// What IAM says about an access key's last use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUsed {
    pub time: i64,
    pub service: String,
    pub region: String,
}

/// How long a watch runs, and how late an event may still arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    pub window_secs: i64,
    pub allowance_secs: i64,
}

impl Default for Timing {
    /// The playbook's 30 minutes, and CloudTrail's usual worst-case delivery delay.
    fn default() -> Self {
        Timing {
            window_secs: 30 * 60,
            allowance_secs: 15 * 60,
        }
    }
}

/// What the pane and `warroom watch` print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub verdict: Verdict,
    pub is_final: bool,
    /// Seconds until the window closes (0 after).
    pub window_left: i64,
    /// Seconds until the verdict is final (0 after).
    pub final_left: i64,
}

impl Watch {
    pub fn new(spec: WatchSpec) -> Self {
        Watch {
            spec,
            denied: 0,
            succeeded: 0,
            new_sessions: 0,
            last: None,
            iam_last_used: None,
            blind: None,
            counted: Vec::new(),
            ids: HashSet::new(),
        }
    }

    /// Rebuild the id set after deserialising (resume).
    pub fn reindex(&mut self) {
        self.ids = self.counted.iter().cloned().collect();
    }

    /// Offer an event; returns how it was counted, if it was. Events
    /// outside [cutoff, window end], by another principal, or already
    /// counted are ignored.
    pub fn offer(&mut self, e: &TrailEvent) -> Option<Use> {
        let time = parse_time(&e.time)?;
        if time < self.spec.cutoff || time > self.spec.window_end() {
            return None;
        }
        if !self.spec.target.matches(e) || self.ids.contains(&e.event_id) {
            return None;
        }
        let class = match &self.spec.target {
            Target::Role { .. } => match e.actor.session_created.as_deref().and_then(parse_time) {
                Some(created) if created >= self.spec.cutoff => Use::NewSession,
                _ => classify(e),
            },
            _ => classify(e),
        };
        // CloudTrail keeps whole seconds and the cutoff is taken once the
        // revocation has taken effect: a success in the cutoff's own second
        // raced the revocation (a busy script hits that second every time),
        // it is not a use after it.
        if class == Use::Succeeded && time == self.spec.cutoff {
            return None;
        }
        match class {
            Use::Denied => self.denied += 1,
            Use::Succeeded => self.succeeded += 1,
            Use::NewSession => self.new_sessions += 1,
        }
        self.ids.insert(e.event_id.clone());
        self.counted.push(e.event_id.clone());
        if self.last.as_ref().is_none_or(|l| l.time <= time) {
            self.last = Some(Seen {
                event_id: e.event_id.clone(),
                time,
                name: e.name.clone(),
                source_ip: e.source_ip.clone(),
                class,
            });
        }
        Some(class)
    }

    /// Offer IAM's last-used record of an access-key watch. Returns true
    /// when it is new evidence of a use inside the window. IAM rounds the
    /// time down (to the minute, in practice), so a use before the cutoff
    /// never reads as after it; a use in the cutoff's own minute may be
    /// missed here, and CloudTrail still sees it.
    pub fn offer_last_used(&mut self, used: LastUsed) -> bool {
        if !matches!(self.spec.target, Target::AccessKey { .. })
            || used.time <= self.spec.cutoff
            || used.time > self.spec.window_end()
            || self
                .iam_last_used
                .as_ref()
                .is_some_and(|l| l.time >= used.time)
        {
            return false;
        }
        self.iam_last_used = Some(used);
        true
    }

    /// A trail stopped seeing at `since`. Returns true the first time
    /// inside the watch (later blindings add nothing: one is enough to
    /// withhold CLEAN); a blinding after the verdict is final is ignored.
    pub fn blinded(&mut self, since: i64, why: &str) -> bool {
        if self.blind.is_some() || since > self.spec.final_at() {
            return false;
        }
        self.blind = Some(Blind {
            since,
            why: why.to_string(),
        });
        true
    }

    /// Any sign of a successful use: a counted event, or IAM's record.
    pub fn used_successfully(&self) -> bool {
        self.succeeded > 0 || self.iam_last_used.is_some()
    }

    pub fn status(&self, now: i64) -> Status {
        let is_final = now >= self.spec.final_at();
        let verdict = if self.used_successfully() {
            Verdict::Activity
        } else if is_final && self.blind.is_some() {
            Verdict::Unconfirmed
        } else if is_final {
            Verdict::Clean
        } else {
            Verdict::Watching
        };
        Status {
            verdict,
            is_final,
            window_left: (self.spec.window_end() - now).max(0),
            final_left: (self.spec.final_at() - now).max(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trail::normalise_str;

    const CUTOFF: i64 = 1_795_860_000; // 2026-11-28T10:00:00Z

    fn iso(secs: i64) -> String {
        aws_smithy_types::DateTime::from_secs(secs)
            .fmt(aws_smithy_types::date_time::Format::DateTime)
            .expect("fmt")
    }

    fn event(
        id: &str,
        at: i64,
        key: &str,
        error: Option<&str>,
        session_created: Option<i64>,
    ) -> TrailEvent {
        let created = session_created
            .map(|c| format!(r#","sessionContext":{{"sessionIssuer":{{"arn":"arn:aws:iam::123456789012:role/app"}},"attributes":{{"creationDate":"{}"}}}}"#, iso(c)))
            .unwrap_or_default();
        let err = error
            .map(|e| format!(r#","errorCode":"{e}""#))
            .unwrap_or_default();
        normalise_str(&format!(
            r#"{{"eventID":"{id}","eventTime":"{}","eventName":"GetObject","sourceIPAddress":"185.220.101.7","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/app/i-0abc","accessKeyId":"{key}"{created}}}{err}}}"#,
            iso(at)
        ))
        .expect("event")
    }

    fn spec(target: Target) -> WatchSpec {
        WatchSpec {
            id: "W1".into(),
            target,
            account: None,
            cutoff: CUTOFF,
            window_secs: 30 * 60,
            allowance_secs: 15 * 60,
            started_by: "A3".into(),
        }
    }

    fn key_watch() -> Watch {
        Watch::new(spec(Target::AccessKey {
            key_id: "AKIAWATCHED".into(),
        }))
    }

    #[test]
    fn clean_only_after_window_and_allowance() {
        let w = key_watch();
        assert_eq!(w.status(CUTOFF).verdict, Verdict::Watching);
        let at_window_end = w.status(CUTOFF + 30 * 60);
        assert_eq!(
            at_window_end.verdict,
            Verdict::Watching,
            "late events may still come"
        );
        assert_eq!(at_window_end.window_left, 0);
        assert_eq!(at_window_end.final_left, 15 * 60);
        let s = w.status(CUTOFF + 45 * 60);
        assert_eq!((s.verdict, s.is_final), (Verdict::Clean, true));
    }

    fn trail(name: &str, logging: bool, data: bool) -> TrailInfo {
        TrailInfo {
            name: name.into(),
            arn: format!("arn:aws:cloudtrail:us-east-1:123456789012:trail/{name}"),
            home_region: Some("us-east-1".into()),
            bucket: Some("trail-logs".into()),
            prefix: None,
            organisation: false,
            multi_region: true,
            logging: Some(logging),
            stopped_at: None,
            data: if data {
                vec![super::super::trail::DataSelector {
                    arn_prefixes: Vec::new(),
                    reads: true,
                    writes: true,
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn a_trail_that_stops_seeing_is_named() {
        let base = vec![trail("main", true, true), trail("org", true, false)];
        assert_eq!(blinding(&base, &base), None);
        let mut stopped = vec![trail("main", false, true), trail("org", true, false)];
        stopped[0].stopped_at = Some(CUTOFF + 60);
        assert_eq!(
            blinding(&base, &stopped),
            Some((Some(CUTOFF + 60), "trail main is not logging".to_string()))
        );
        let why = |b: Option<(Option<i64>, String)>| b.map(|(_, w)| w);
        let blinded = vec![trail("main", true, false), trail("org", true, false)];
        assert_eq!(
            why(blinding(&base, &blinded)).as_deref(),
            Some("trail main no longer logs S3 data events")
        );
        assert_eq!(
            why(blinding(&base, &[trail("org", true, false)])).as_deref(),
            Some("trail main was deleted")
        );
        // A trail already stopped when the watch began still blinds it.
        let already = vec![trail("old", false, true)];
        assert_eq!(
            why(blinding(&already, &already)).as_deref(),
            Some("trail old is not logging")
        );
    }

    #[test]
    fn a_watch_whose_trail_stopped_mid_window_is_never_clean() {
        let mut w = key_watch();
        assert!(w.blinded(CUTOFF + 10 * 60, "trail main is not logging"));
        assert!(
            !w.blinded(CUTOFF + 11 * 60, "again"),
            "one blinding is kept"
        );
        assert_eq!(w.status(CUTOFF + 20 * 60).verdict, Verdict::Watching);
        let s = w.status(CUTOFF + 45 * 60);
        assert_eq!((s.verdict, s.is_final), (Verdict::Unconfirmed, true));
        // A use still wins over the blindness.
        w.offer_last_used(LastUsed {
            time: CUTOFF + 60,
            service: "s3".into(),
            region: "us-east-1".into(),
        });
        assert_eq!(w.status(CUTOFF + 45 * 60).verdict, Verdict::Activity);
        // After the verdict is final a stopped trail changes nothing.
        let mut late = key_watch();
        assert!(!late.blinded(CUTOFF + 46 * 60, "trail main is not logging"));
        assert_eq!(late.status(CUTOFF + 46 * 60).verdict, Verdict::Clean);
    }

    #[test]
    fn a_late_arriving_event_inside_the_window_still_counts() {
        let mut w = key_watch();
        // Happened at minute 29, arrives at minute 34.
        let e = event("late", CUTOFF + 29 * 60, "AKIAWATCHED", None, None);
        assert_eq!(w.offer(&e), Some(Use::Succeeded));
        let s = w.status(CUTOFF + 34 * 60);
        assert_eq!(
            s.verdict,
            Verdict::Activity,
            "an alarm at once, before final"
        );
        assert_eq!(w.status(CUTOFF + 60 * 60).verdict, Verdict::Activity);
    }

    #[test]
    fn cutoff_boundaries_and_other_keys() {
        let mut w = key_watch();
        assert_eq!(
            w.offer(&event("before", CUTOFF - 1, "AKIAWATCHED", None, None)),
            None
        );
        // A success in the cutoff's own second raced the revocation.
        assert_eq!(
            w.offer(&event("raced", CUTOFF, "AKIAWATCHED", None, None)),
            None
        );
        assert_eq!(
            w.offer(&event("just-after", CUTOFF + 1, "AKIAWATCHED", None, None)),
            Some(Use::Succeeded)
        );
        w = key_watch();
        assert_eq!(
            w.offer(&event(
                "at",
                CUTOFF,
                "AKIAWATCHED",
                Some("AccessDenied"),
                None
            )),
            Some(Use::Denied)
        );
        assert_eq!(
            w.offer(&event(
                "end",
                CUTOFF + 30 * 60,
                "AKIAWATCHED",
                Some("AccessDenied"),
                None
            )),
            Some(Use::Denied)
        );
        assert_eq!(
            w.offer(&event(
                "after",
                CUTOFF + 30 * 60 + 1,
                "AKIAWATCHED",
                None,
                None
            )),
            None
        );
        assert_eq!(
            w.offer(&event("other", CUTOFF + 60, "AKIAOTHER", None, None)),
            None
        );
        assert_eq!((w.denied, w.succeeded), (2, 0));
        assert_eq!(
            w.status(CUTOFF + 45 * 60).verdict,
            Verdict::Clean,
            "denied uses are not an alarm"
        );
        assert_eq!(w.last.as_ref().map(|l| l.event_id.as_str()), Some("end"));
    }

    #[test]
    fn duplicates_from_both_sources_count_once_even_after_resume() {
        let mut w = key_watch();
        let e = event(
            "dup",
            CUTOFF + 60,
            "AKIAWATCHED",
            Some("AccessDenied"),
            None,
        );
        assert!(w.offer(&e).is_some());
        assert!(w.offer(&e).is_none(), "the second source delivers it again");
        // Journaled and resumed.
        let json = serde_json::to_string(&w).expect("json");
        let mut back: Watch = serde_json::from_str(&json).expect("back");
        back.reindex();
        assert!(
            back.offer(&e).is_none(),
            "events from the gap are not counted twice"
        );
        assert_eq!(back.denied, 1);
    }

    #[test]
    fn role_sessions_before_and_after_the_cutoff_are_told_apart() {
        let mut w = Watch::new(spec(Target::Role {
            arn: "arn:aws:iam::123456789012:role/app".into(),
        }));
        let old = event("old", CUTOFF + 60, "ASIAOLD", None, Some(CUTOFF - 600));
        let new = event("new", CUTOFF + 120, "ASIANEW", None, Some(CUTOFF + 100));
        let refused = event(
            "refused",
            CUTOFF + 180,
            "ASIAOLD",
            Some("AccessDenied"),
            Some(CUTOFF - 600),
        );
        assert_eq!(
            w.offer(&old),
            Some(Use::Succeeded),
            "an old session still works: alarm"
        );
        assert_eq!(w.offer(&new), Some(Use::NewSession));
        assert_eq!(w.offer(&refused), Some(Use::Denied));
        assert_eq!((w.succeeded, w.new_sessions, w.denied), (1, 1, 1));
    }

    #[test]
    fn errors_that_still_mean_the_key_worked_are_successes() {
        let e = event("nsk", CUTOFF + 1, "AKIAWATCHED", Some("NoSuchKey"), None);
        assert_eq!(classify(&e), Use::Succeeded);
        let e = event(
            "ex",
            CUTOFF + 1,
            "AKIAWATCHED",
            Some("InvalidClientTokenId"),
            None,
        );
        assert_eq!(classify(&e), Use::Denied);
    }

    #[test]
    fn key_pair_watch_matches_instance_sessions() {
        let t = Target::KeyPair {
            name: "ops".into(),
            instances: vec!["i-0abc".into()],
        };
        assert!(t.matches(&event("k", CUTOFF, "ASIA", None, None)));
        let t = Target::KeyPair {
            name: "ops".into(),
            instances: vec!["i-0def".into()],
        };
        assert!(!t.matches(&event("k", CUTOFF, "ASIA", None, None)));
    }

    #[test]
    fn times_in_every_format() {
        assert_eq!(parse_time("2026-11-28T10:00:00Z"), Some(CUTOFF));
        assert_eq!(parse_time("2026-11-28 10:00:00.000"), Some(CUTOFF));
        assert_eq!(parse_time("nonsense"), None);
    }

    #[test]
    fn iam_last_used_after_the_cutoff_is_a_success_signal() {
        let used = |time| LastUsed {
            time,
            service: "s3".into(),
            region: "us-east-1".into(),
        };
        let mut w = key_watch();
        // IAM rounds down: a record at the cutoff minute is not evidence.
        assert!(!w.offer_last_used(used(CUTOFF)));
        assert!(!w.offer_last_used(used(CUTOFF - 3600)));
        assert_eq!(w.status(CUTOFF + 60).verdict, Verdict::Watching);
        assert!(w.offer_last_used(used(CUTOFF + 120)));
        // The same record again, or an older one, is not news.
        assert!(!w.offer_last_used(used(CUTOFF + 120)));
        assert!(!w.offer_last_used(used(CUTOFF + 60)));
        assert!(w.offer_last_used(used(CUTOFF + 600)));
        assert_eq!(w.status(CUTOFF + 601).verdict, Verdict::Activity);
        assert_eq!(w.status(CUTOFF + 45 * 60).verdict, Verdict::Activity);
        // Outside the window, or for a watch that is not a key: ignored.
        assert!(!w.offer_last_used(used(CUTOFF + 31 * 60)));
        let mut role = Watch::new(spec(Target::Role {
            arn: "arn:aws:iam::123456789012:role/app".into(),
        }));
        assert!(!role.offer_last_used(used(CUTOFF + 120)));
    }

    #[test]
    fn typed_targets_are_recognised_or_refused() {
        assert_eq!(
            Target::parse(" AKIAWATCHEDKEY000001 "),
            Ok(Target::AccessKey {
                key_id: "AKIAWATCHEDKEY000001".into()
            })
        );
        assert!(matches!(
            Target::parse("arn:aws:iam::123456789012:role/app/ops"),
            Ok(Target::Role { .. })
        ));
        assert!(matches!(
            Target::parse("arn:aws:iam::123456789012:user/ci"),
            Ok(Target::User { .. })
        ));
        assert!(matches!(
            Target::parse("arn:aws:sts::123456789012:assumed-role/app/s1"),
            Ok(Target::Principal { .. })
        ));
        for bad in ["", "hello", "AKIA", "arn:aws:s3:::bucket\u{1b}"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
