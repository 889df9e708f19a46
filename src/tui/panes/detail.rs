//! A bucket's detail view: the verdict and every reason, every setting, the
//! ACL grants, and the policy pretty-printed with the offending statements
//! marked in the gutter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::exposure::fact_text;
use crate::model::exposure::{EffectivePab, Severity, Tri};
use crate::model::facts::{Fact, Grantee};
use crate::model::policy::StatementExposure;
use crate::sanitize::clean_multiline;
use crate::scan::BucketReport;
use crate::tui::keymap::Action;
use crate::tui::msg::Command;
use crate::tui::state::{State, View};
use crate::tui::text::untrusted;
use crate::tui::theme::{Theme, severity_mark};

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(b) = state.selected_bucket() else {
        return;
    };
    let written = rules_written(state, &b.facts.name);
    let paragraph = Paragraph::new(lines(b, &written, theme)).wrap(Wrap { trim: false });
    let inner_height = area.height.saturating_sub(2);
    let total =
        u16::try_from(paragraph.line_count(area.width.saturating_sub(2))).unwrap_or(u16::MAX);
    let max_scroll = total.saturating_sub(inner_height);
    let scroll = state.detail_scroll.min(max_scroll);
    let verdict = b.assessment.verdict;
    let title = Line::from(vec![
        Span::styled(" Bucket ", theme.title()),
        Span::raw(untrusted(&b.facts.name)),
        Span::raw(" — "),
        Span::styled(b.assessment.label(), theme.verdict(verdict)),
        Span::raw(format!(
            " ({}/{total}) ",
            (scroll + inner_height).min(total)
        )),
    ]);
    frame.render_widget(
        paragraph
            .scroll((scroll, 0))
            .block(Block::default().borders(Borders::ALL).title(title)),
        area,
    );
}

/// A setting's text; when it could not be read for lack of a permission,
/// which permission (the scan goes on without it).
fn read_text<T>(f: &Fact<T>, permission: &str, show: impl Fn(&T) -> String) -> String {
    match f {
        Fact::Unknown(e) if crate::actions::permissions::is_denied(&e.code) => {
            format!("{e} — needs {permission}")
        }
        _ => fact_text(f, show),
    }
}

fn section(title: &str, theme: &Theme) -> Line<'static> {
    Line::styled(title.to_string(), theme.title())
}

fn setting(name: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::raw(format!("  {name:<22}")),
        Span::raw(untrusted(&value)),
    ])
}

/// The IDs of the lifecycle rules written on `bucket` in the incident
/// window: in the records the tail holds (anyone's write since the window
/// opened), and in the attacker's changes the `!` pane gathered.
fn rules_written(state: &State, bucket: &str) -> Vec<String> {
    use crate::model::changes::What;
    let since = state.window_start.unwrap_or(i64::MIN);
    let mut ids: Vec<String> = state
        .trail
        .ring
        .newest_first()
        .filter(|e| e.bucket.as_deref() == Some(bucket) && e.error_code.is_none())
        .filter(|e| {
            matches!(
                e.name.as_str(),
                "PutBucketLifecycle" | "PutBucketLifecycleConfiguration"
            )
        })
        .filter(|e| crate::time::parse_time(&e.time).is_some_and(|t| t >= since))
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.raw.get()).ok())
        .flat_map(|r| crate::model::changes::lifecycle_request(&r).0)
        .collect();
    for c in &state.changes.rows {
        if let What::Lifecycle {
            bucket: b,
            rule_ids,
            ..
        } = &c.what
            && b == bucket
        {
            ids.extend(rule_ids.iter().cloned());
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The detail's lines; `written`: the lifecycle rule IDs written in the
/// incident window (marked).
pub fn lines(b: &BucketReport, written: &[String], theme: &Theme) -> Vec<Line<'static>> {
    let f = &b.facts;
    let mut out = Vec::new();
    out.push(section("Why", theme));
    if b.assessment.reasons.is_empty() {
        out.push(Line::styled(
            "  No policy, ACL or setting grants access beyond the owner.",
            theme.ok(),
        ));
    }
    // Most severe first; a hostile policy can carry thousands.
    let reasons = &b.assessment.reasons;
    if reasons.len() > MAX_SHOWN {
        out.push(Line::raw(format!(
            "  ({} reasons; the first {MAX_SHOWN}, most severe first)",
            reasons.len()
        )));
    }
    for r in reasons.iter().take(MAX_SHOWN) {
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} ", severity_mark(r.severity)),
                theme.severity(r.severity),
            ),
            Span::raw(untrusted(&r.text)),
        ]));
    }

    out.push(Line::raw(""));
    out.push(section("Settings", theme));
    out.push(setting(
        "Region",
        read_text(&f.region, "s3:GetBucketLocation", String::clone),
    ));
    out.push(setting(
        "Public Access Block",
        read_text(&f.public_access_block, "s3:GetBucketPublicAccessBlock", |p| match p {
            None => "bucket: not set".into(),
            Some(p) => format!(
                "bucket: BlockPublicAcls {} · IgnorePublicAcls {} · BlockPublicPolicy {} · RestrictPublicBuckets {}",
                on(p.block_public_acls),
                on(p.ignore_public_acls),
                on(p.block_public_policy),
                on(p.restrict_public_buckets)
            ),
        }),
    ));
    out.push(setting(
        "  effective",
        effective(&b.assessment.effective_pab),
    ));
    out.push(setting(
        "Policy status (S3)",
        read_text(
            &f.policy_status_is_public,
            "s3:GetBucketPolicyStatus",
            |s| match s {
                None => "no policy".into(),
                Some(true) => "S3 says public".into(),
                Some(false) => "S3 says not public".into(),
            },
        ),
    ));
    out.push(setting(
        "Object Ownership",
        read_text(
            &f.object_ownership,
            "s3:GetBucketOwnershipControls",
            |o| match o.as_deref() {
                None => "not set (ACLs enabled)".into(),
                Some("BucketOwnerEnforced") => "BucketOwnerEnforced (ACLs disabled)".into(),
                Some(other) => format!("{other} (ACLs enabled)"),
            },
        ),
    ));
    out.push(setting(
        "Versioning",
        read_text(&f.versioning, "s3:GetBucketVersioning", |v| {
            format!(
                "{} · MFA delete {}",
                v.status.as_deref().unwrap_or("never enabled"),
                v.mfa_delete.as_deref().unwrap_or("Disabled")
            )
        }),
    ));
    out.push(setting(
        "Default encryption",
        read_text(
            &f.encryption,
            "s3:GetEncryptionConfiguration",
            |e| match e {
                None => "none".into(),
                Some(e) => e.rules.join(", "),
            },
        ),
    ));
    out.push(setting(
        "SSE-C writes",
        read_text(
            &f.encryption,
            "s3:GetEncryptionConfiguration",
            |e| match e {
                Some(e) if e.sse_c_blocked => "blocked".into(),
                // A key only the writer holds: the ransomware door.
                _ => "allowed (z blocks them)".into(),
            },
        ),
    ));
    out.push(setting(
        "Object Lock",
        read_text(
            &f.object_lock,
            "s3:GetBucketObjectLockConfiguration",
            |l| match l {
                None => "off (I turns it on for new versions)".into(),
                Some(l) => format!(
                    "{}{}",
                    if l.enabled {
                        "enabled"
                    } else {
                        "off (I turns it on for new versions)"
                    },
                    l.default_retention
                        .as_ref()
                        .map(|r| format!(", default retention {r}"))
                        .unwrap_or_default()
                ),
            },
        ),
    ));
    out.push(setting(
        "Lifecycle",
        read_text(&f.lifecycle, "s3:GetLifecycleConfiguration", |rules| {
            let deleting = rules.iter().filter(|r| r.enabled && r.deletes()).count();
            match (rules.len(), deleting) {
                (0, _) => "no rules".into(),
                (n, 0) => format!("{n} rule(s), none deletes data"),
                (n, d) => format!("{n} rule(s), {d} delete data (y removes them)"),
            }
        }),
    ));
    for r in f.lifecycle.known().into_iter().flatten() {
        let style = if r.enabled && r.deletes() {
            theme.warn()
        } else {
            theme.dim()
        };
        let mark = if r.id.as_ref().is_some_and(|id| written.contains(id)) {
            " — written in the incident window"
        } else {
            ""
        };
        out.push(Line::styled(
            format!("    {}{mark}", untrusted(&r.describe())),
            style,
        ));
    }
    out.push(setting(
        "Server access logging",
        read_text(&f.logging, "s3:GetBucketLogging", |l| match l {
            None => "off".into(),
            Some(l) if l.target_grants.is_empty() => {
                format!("to s3://{}/{}", l.target_bucket, l.target_prefix)
            }
            Some(l) => format!(
                "to s3://{}/{} with {} target grant(s) (see Why)",
                l.target_bucket,
                l.target_prefix,
                l.target_grants.len()
            ),
        }),
    ));
    out.push(setting(
        "Tags",
        read_text(&f.tags, "s3:GetBucketTagging", |t| {
            if t.is_empty() {
                "none".into()
            } else {
                t.iter()
                    .map(|t| format!("{}={}", t.key, t.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }),
    ));

    out.push(Line::raw(""));
    out.push(section("ACL grants", theme));
    match &f.acl {
        Fact::Unknown(_) => out.push(Line::styled(
            format!(
                "  {}",
                read_text(&f.acl, "s3:GetBucketAcl", |_| String::new())
            ),
            theme.error(),
        )),
        Fact::Known(acl) => {
            if let Some(owner) = &acl.owner_id {
                out.push(Line::raw(format!(
                    "  owner {}{}",
                    untrusted(owner),
                    acl.owner_display_name
                        .as_deref()
                        .map(|n| format!(" ({})", untrusted(n)))
                        .unwrap_or_default()
                )));
            }
            for g in &acl.grants {
                let (who, severity) = match &g.grantee {
                    Grantee::AllUsers => ("AllUsers (anyone)".to_string(), Severity::Public),
                    Grantee::AuthenticatedUsers => (
                        "AuthenticatedUsers (any AWS account)".to_string(),
                        Severity::Public,
                    ),
                    Grantee::LogDelivery => {
                        ("LogDelivery (S3 logging)".to_string(), Severity::Note)
                    }
                    Grantee::CanonicalUser { id, display_name } => {
                        if acl.owner_id.as_deref() == Some(id.as_str()) {
                            ("the bucket owner".to_string(), Severity::Note)
                        } else {
                            (
                                format!(
                                    "canonical user {id}{}",
                                    display_name
                                        .as_deref()
                                        .map(|n| format!(" ({n})"))
                                        .unwrap_or_default()
                                ),
                                Severity::Shared,
                            )
                        }
                    }
                    Grantee::Email { address } => (format!("email {address}"), Severity::Shared),
                    Grantee::OtherGroup { uri } => (format!("group {uri}"), Severity::Shared),
                };
                out.push(Line::from(vec![
                    Span::styled(
                        format!("  {} ", severity_mark(severity)),
                        theme.severity(severity),
                    ),
                    Span::raw(format!("{:<13}", untrusted(&g.permission))),
                    Span::raw(untrusted(&who)),
                ]));
            }
        }
    }

    out.push(Line::raw(""));
    out.push(section("Ways in: objects' own ACLs", theme));
    object_acl_lines(b, theme, &mut out);

    out.push(Line::raw(""));
    out.push(section("Ways in: access points", theme));
    door_lines(b, false, theme, &mut out);

    out.push(Line::raw(""));
    out.push(section("Ways in: Multi-Region Access Points", theme));
    door_lines(b, true, theme, &mut out);

    out.push(Line::raw(""));
    out.push(section("Ways in: Object Lambda access points", theme));
    object_lambda_lines(b, theme, &mut out);

    out.push(Line::raw(""));
    out.push(section("Ways in: CloudFront", theme));
    distribution_lines(b, theme, &mut out);

    out.push(Line::raw(""));
    out.push(section("Second lock: KMS key", theme));
    kms_lines(b, theme, &mut out);

    out.push(Line::raw(""));
    out.push(section("Bucket policy", theme));
    policy_lines(b, theme, &mut out);
    out
}

/// The key of SSE-KMS default encryption, and who outside may use it.
fn kms_lines(b: &BucketReport, theme: &Theme, out: &mut Vec<Line<'static>>) {
    use crate::model::exposure::Source;
    match &b.facts.kms {
        Fact::Known(None) => {
            out.push(Line::raw("  none: the default encryption is not SSE-KMS"));
            return;
        }
        Fact::Known(Some(k)) => out.push(Line::raw(untrusted(&format!(
            "  {}{}",
            k.arn.as_deref().unwrap_or(&k.named),
            if k.aws_managed { " (AWS managed)" } else { "" }
        )))),
        Fact::Unknown(_) => {}
    }
    let mut any = false;
    for r in b
        .assessment
        .reasons
        .iter()
        .filter(|r| matches!(r.source, Source::Kms { .. }))
    {
        any = true;
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} ", severity_mark(r.severity)),
                theme.severity(r.severity),
            ),
            Span::raw(untrusted(&r.text)),
        ]));
    }
    if !any {
        out.push(Line::raw(
            "  no one outside the account may decrypt with it",
        ));
    }
}

/// Each distribution serving the bucket, with its verdict and why.
fn distribution_lines(b: &BucketReport, theme: &Theme, out: &mut Vec<Line<'static>>) {
    use crate::model::exposure::Source;
    let dists = match &b.facts.distributions {
        Fact::Known(d) if d.is_empty() => {
            out.push(Line::raw("  no distribution has the bucket as an origin"));
            return;
        }
        Fact::Known(d) => d,
        Fact::Unknown(_) => {
            out.push(Line::styled(
                format!(
                    "  {}",
                    read_text(
                        &b.facts.distributions,
                        "cloudfront:ListDistributions",
                        |_| { String::new() }
                    )
                ),
                theme.error(),
            ));
            return;
        }
    };
    for d in dists.iter().take(MAX_SHOWN) {
        for r in b
            .assessment
            .reasons
            .iter()
            .filter(|r| matches!(&r.source, Source::Distribution { id } if *id == d.id))
        {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {} ", severity_mark(r.severity)),
                    theme.severity(r.severity),
                ),
                Span::raw(untrusted(&r.text)),
            ]));
        }
    }
}

/// How far object ACLs were read, and each grant found (from Why).
fn object_acl_lines(b: &BucketReport, theme: &Theme, out: &mut Vec<Line<'static>>) {
    use crate::model::exposure::Source;
    let read = match &b.facts.object_acls {
        Fact::Known(r) => r,
        Fact::Unknown(_) => {
            out.push(Line::styled(
                format!(
                    "  {}",
                    read_text(
                        &b.facts.object_acls,
                        "s3:ListBucket, s3:GetObjectAcl",
                        |_| { String::new() }
                    )
                ),
                theme.error(),
            ));
            return;
        }
    };
    if let Some(why) = &read.skipped {
        out.push(Line::raw(format!("  not read: {why}")));
        return;
    }
    let extent = if read.all_checked && read.checked == 0 {
        "  none to read: the bucket holds no objects".to_string()
    } else if read.all_checked {
        format!("  {} read: every object in the bucket", read.checked)
    } else {
        format!(
            "  {} read (the objects the tail saw made public, and a sample): not every object",
            read.checked
        )
    };
    out.push(Line::raw(extent));
    for r in b
        .assessment
        .reasons
        .iter()
        .filter(|r| matches!(&r.source, Source::ObjectAcl { key } if !key.is_empty()))
    {
        out.push(Line::from(vec![
            Span::styled(
                format!("  {} ", severity_mark(r.severity)),
                theme.severity(r.severity),
            ),
            Span::raw(untrusted(&r.text)),
        ]));
    }
}

/// Each access point (or Multi-Region Access Point) on the bucket, its
/// worst verdict and why, in the gutter style of the policy view (`A`
/// closes the worst open access point).
fn door_lines(b: &BucketReport, multi_region: bool, theme: &Theme, out: &mut Vec<Line<'static>>) {
    use crate::model::exposure::Source;
    use crate::model::facts::NetworkOrigin;
    let (fact, permission, none) = if multi_region {
        (
            &b.facts.multi_region_access_points,
            "s3:ListMultiRegionAccessPoints",
            "  none: no Multi-Region Access Point of this account reaches the bucket",
        )
    } else {
        (
            &b.facts.access_points,
            "s3:ListAccessPoints",
            "  none: the bucket is reached only by its own name",
        )
    };
    let aps = match fact {
        Fact::Unknown(_) => {
            out.push(Line::styled(
                format!("  {}", read_text(fact, permission, |_| String::new())),
                theme.error(),
            ));
            return;
        }
        Fact::Known(aps) if aps.is_empty() => {
            out.push(Line::raw(none));
            return;
        }
        Fact::Known(aps) => aps,
    };
    for ap in aps.iter().take(MAX_SHOWN) {
        let reasons: Vec<&crate::model::exposure::Reason> = b
            .assessment
            .reasons
            .iter()
            .filter(|r| match &r.source {
                Source::AccessPoint { name, .. } => !multi_region && *name == ap.name,
                Source::MultiRegionAccessPoint { name, .. } => multi_region && *name == ap.name,
                _ => false,
            })
            .collect();
        let origin = match &ap.network_origin {
            Fact::Known(NetworkOrigin::Internet) => "Internet".to_string(),
            Fact::Known(NetworkOrigin::Vpc { vpc_id }) => {
                format!("VPC {}", vpc_id.as_deref().unwrap_or("?"))
            }
            Fact::Unknown(e) => e.to_string(),
        };
        let head = format!(
            "{} · {origin} · alias {}",
            ap.name,
            ap.alias.as_deref().unwrap_or("?")
        );
        door_block(&head, &reasons, theme, out);
    }
    if aps.len() > MAX_SHOWN {
        out.push(Line::raw(format!(
            "  … {} more access points (their verdicts are in Why)",
            aps.len() - MAX_SHOWN
        )));
    }
}

/// Each Object Lambda access point in front of the bucket's access points:
/// its worst verdict, the access point it reads through, its functions,
/// and why.
fn object_lambda_lines(b: &BucketReport, theme: &Theme, out: &mut Vec<Line<'static>>) {
    use crate::model::exposure::Source;
    let fact = &b.facts.object_lambda_access_points;
    let points = match fact {
        Fact::Unknown(_) => {
            out.push(Line::styled(
                format!(
                    "  {}",
                    read_text(fact, "s3:ListAccessPointsForObjectLambda", |_| String::new(
                    ))
                ),
                theme.error(),
            ));
            return;
        }
        Fact::Known(p) if p.is_empty() => {
            out.push(Line::raw(
                "  none: no Object Lambda access point reads through this bucket's access points",
            ));
            return;
        }
        Fact::Known(p) => p,
    };
    for o in points.iter().take(MAX_SHOWN) {
        let reasons: Vec<&crate::model::exposure::Reason> = b
            .assessment
            .reasons
            .iter()
            .filter(|r| matches!(&r.source, Source::ObjectLambdaAccessPoint { name, .. } if *name == o.name))
            .collect();
        let head = format!(
            "{} · through {} · functions {}",
            o.name,
            o.supporting_access_point,
            if o.functions.is_empty() {
                "none".to_string()
            } else {
                o.functions.join(", ")
            }
        );
        door_block(&head, &reasons, theme, out);
    }
    if points.len() > MAX_SHOWN {
        out.push(Line::raw(format!(
            "  … {} more Object Lambda access points (their verdicts are in Why)",
            points.len() - MAX_SHOWN
        )));
    }
}

/// One door: its worst verdict and `head`, then each of its reasons.
fn door_block(
    head: &str,
    reasons: &[&crate::model::exposure::Reason],
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let worst = reasons
        .iter()
        .map(|r| r.severity)
        .min()
        .unwrap_or(Severity::Note);
    out.push(Line::from(vec![
        Span::styled(
            format!("  {} ", severity_mark(worst)),
            theme.severity(worst),
        ),
        Span::raw(untrusted(head)),
    ]));
    for r in reasons {
        out.push(Line::from(vec![
            Span::styled(
                format!("      {} ", severity_mark(r.severity)),
                theme.severity(r.severity),
            ),
            Span::raw(untrusted(&r.text)),
        ]));
    }
}

fn on(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn effective(p: &EffectivePab) -> String {
    let t = |t: &Tri| match t {
        Tri::On { by } => format!("on ({by})"),
        Tri::Off => "off".into(),
        Tri::Unknown { code } => format!("unknown ({code})"),
    };
    format!(
        "BlockPublicAcls {} · IgnorePublicAcls {} · BlockPublicPolicy {} · RestrictPublicBuckets {}",
        t(&p.block_public_acls),
        t(&p.ignore_public_acls),
        t(&p.block_public_policy),
        t(&p.restrict_public_buckets)
    )
}

/// Statements drawn in full before only flagged ones are (a real policy
/// has far fewer: AWS caps a bucket policy at 20 KB).
const MAX_STATEMENTS: usize = 200;
/// Statements drawn at most, flagged or not.
const MAX_SHOWN: usize = 1000;
/// Lines of an unanalysable policy drawn.
const MAX_RAW_LINES: usize = 2000;

/// The policy, one statement at a time, each line prefixed by a gutter mark:
/// `✗` public, `!` shared, blank otherwise.
fn policy_lines(b: &BucketReport, theme: &Theme, out: &mut Vec<Line<'static>>) {
    match (&b.facts.policy, &b.assessment.policy) {
        (Fact::Unknown(e), _) => out.push(Line::styled(
            format!(
                "  {e}: {}{}",
                untrusted(&e.message),
                if crate::actions::permissions::is_denied(&e.code) {
                    " — needs s3:GetBucketPolicy"
                } else {
                    ""
                }
            ),
            theme.error(),
        )),
        (Fact::Known(None), _) => out.push(Line::raw("  no bucket policy")),
        (Fact::Known(Some(raw)), None) => {
            // Not analysable: show it as text, sanitised (the start of it:
            // AWS caps policies at 20 KB; anything far larger is hostile).
            let text = clean_multiline(raw);
            let total = text.lines().count();
            for l in text.lines().take(MAX_RAW_LINES) {
                out.push(Line::raw(format!("    {l}")));
            }
            if total > MAX_RAW_LINES {
                out.push(Line::raw(format!(
                    "    … {} more lines not shown ({} bytes in all)",
                    total - MAX_RAW_LINES,
                    raw.len()
                )));
            }
        }
        (Fact::Known(Some(_)), Some(analysis)) => {
            out.push(Line::raw("    {"));
            out.push(Line::raw("      \"Statement\": ["));
            let n = analysis.statements.len();
            // Every statement of a real policy (AWS caps them at 20 KB);
            // of a huge one, the first few and every public or shared one,
            // so a frame stays cheap to build.
            let (mut shown, mut hidden, mut hidden_flagged) = (0, 0, 0);
            for (i, st) in analysis.statements.iter().enumerate() {
                let flagged = matches!(
                    st.exposure,
                    StatementExposure::Public { .. } | StatementExposure::CrossAccount { .. }
                );
                if shown >= MAX_SHOWN || (i >= MAX_STATEMENTS && !flagged) {
                    hidden += 1;
                    hidden_flagged += usize::from(flagged);
                    continue;
                }
                shown += 1;
                let (mark, severity) = match st.exposure {
                    StatementExposure::Public { .. } => ("✗", Severity::Public),
                    StatementExposure::CrossAccount { .. } => ("!", Severity::Shared),
                    _ => (" ", Severity::Note),
                };
                let pretty = serde_json::to_string_pretty(&st.raw).unwrap_or_default();
                let pretty = clean_multiline(&pretty);
                let count = pretty.lines().count();
                for (j, l) in pretty.lines().enumerate() {
                    let comma = if j + 1 == count && i + 1 < n { "," } else { "" };
                    out.push(Line::from(vec![
                        Span::styled(format!("  {mark} "), theme.severity(severity)),
                        Span::styled(
                            format!("      {l}{comma}"),
                            if mark == " " {
                                ratatui::style::Style::new()
                            } else {
                                theme.severity(severity)
                            },
                        ),
                    ]));
                }
            }
            if hidden > 0 {
                out.push(Line::raw(format!(
                    "        … {hidden} more statements not shown ({hidden_flagged} of them public or shared)"
                )));
            }
            out.push(Line::raw("      ]"));
            out.push(Line::raw("    }"));
        }
    }
}

/// Keys while a bucket's detail is open: Back, and motion scrolls.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Command>> {
    match action {
        Action::Back => state.view = View::Dashboard,
        motion if state.scroll_detail(motion) => {}
        _ => return None,
    }
    Some(Vec::new())
}

/// The keys the status line offers here.
pub const HINTS: &[Action] = &[
    Action::Back,
    Action::BlockPublicAccess,
    Action::Help,
    Action::Quit,
];
