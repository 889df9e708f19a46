//! Hostile and broken input, each case with its test: what an attacker
//! controls (object keys, user agents, policy Sids, ACL display names) is
//! drawn inert; documents too large or too deep, bytes that are not UTF-8,
//! truncated gzip and skewed clocks are refused or handled, never a panic.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::gameday::Driver;
use warroom::fixtures;
use warroom::model::facts::{Acl, Fact, Grant, Grantee};
use warroom::model::policy::{Owner, analyze};
use warroom::model::trail::{normalise_str, parse_log_file};
use warroom::scan::ScanEvent;
use warroom::tui::app::{Context, Msg, State, View, update};
use warroom::tui::keymap::Keymap;

/// The longest bucket name S3 allows (63 characters).
const LONG_NAME: &str = "acme-a-bucket-name-at-the-very-limit-of-sixty-three-characters0";

fn hostile_bucket() -> warroom::model::facts::BucketFacts {
    let mut b = fixtures::private_bucket(LONG_NAME);
    b.policy = Fact::Known(Some(format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ok\u202egnp.exe\u001b]0;pwned\u0007","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{LONG_NAME}/*"}}]}}"#
    )));
    b.acl = Fact::Known(Acl {
        owner_id: Some("owner".into()),
        owner_display_name: Some("root\u{1b}[31m\u{202e}nimda".into()),
        grants: vec![Grant {
            grantee: Grantee::CanonicalUser {
                id: "other".into(),
                display_name: Some("evil\u{1b}[2J\u{2066}x".into()),
            },
            permission: "READ".into(),
        }],
    });
    b
}

fn hostile_event() -> warroom::model::trail::TrailEvent {
    normalise_str(&format!(
        r#"{{"eventID":"h1","eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"curl\u001b[2J\u009b31m","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a\u202eb","accountId":"123456789012","accessKeyId":"AKIAEXAMPLECIDEPLOY1"}},"requestParameters":{{"bucketName":"{LONG_NAME}","key":"invoice\u202efdp.exe"}},"eventCategory":"Data","readOnly":true}}"#
    ))
    .expect("a hostile but well-formed record")
}

fn state(size: (u16, u16)) -> State {
    let mut s = State::new(
        Context {
            region: "us-east-1".into(),
            ..Default::default()
        },
        Keymap::defaults(),
        true,
        size,
    );
    let _ = s.init();
    let scan = |event| Msg::Scan {
        generation: 1,
        event,
    };
    update(&mut s, scan(ScanEvent::Account(fixtures::account())));
    update(&mut s, scan(ScanEvent::Listed(1)));
    update(&mut s, scan(ScanEvent::Bucket(Box::new(hostile_bucket()))));
    update(&mut s, scan(ScanEvent::Finished));
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::Events {
            source: warroom::tail::Source::Logs,
            events: vec![hostile_event()],
        }),
    );
    s
}

fn screen(s: &State) -> String {
    support::frame(s, s.size.0, s.size.1)
}

#[test]
fn escapes_and_bidi_overrides_render_inert_in_every_view() {
    for size in [(80, 24), (160, 48)] {
        let mut s = state(size);
        for (view, needle) in [
            (View::Dashboard, "acme-a-bucket-name"),
            (View::Detail, "\\u{202e}"),
            (View::Trail, "GetObject"),
            (View::TrailDetail, "\\x1b"),
        ] {
            s.view = view;
            let text = screen(&s);
            let bad: Vec<char> = text
                .chars()
                .filter(|c| warroom::sanitize::is_dangerous(*c))
                .collect();
            assert!(
                bad.is_empty(),
                "{view:?} at {size:?} draws {bad:?}:\n{text}"
            );
            assert!(text.contains(needle), "{view:?} at {size:?}:\n{text}");
        }
    }
}

#[test]
fn a_bucket_name_at_the_length_limit_keeps_the_verdict_on_screen() {
    let s = state((80, 24));
    let text = screen(&s);
    assert!(text.contains("PUBLIC"), "{text}");
}

#[test]
fn a_ten_megabyte_policy_is_analysed_and_drawn() {
    let statement = r#"{"Sid":"S","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}"#;
    let n = 10 * 1024 * 1024 / statement.len() + 1;
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        vec![statement; n].join(",")
    );
    assert!(doc.len() >= 10 * 1024 * 1024);
    let owner = Owner {
        account_id: Some("123456789012"),
        canonical_id: None,
        org_id: None,
    };
    let analysis = analyze(&doc, &owner).expect("analysed");
    assert_eq!(analysis.statements.len(), n);
    assert!(!analysis.is_public());
    // And the console can draw the bucket.
    let mut s = state((80, 24));
    let mut b = fixtures::private_bucket("huge-policy");
    b.policy = Fact::Known(Some(doc));
    update(&mut s, Msg::BucketRefreshed(Box::new(b)));
    s.selected = Some("huge-policy".into());
    s.view = View::Detail;
    let text = screen(&s);
    assert!(text.contains("huge-policy"), "{text}");
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)),
    );
    // The end of the view says what was left out.
    let text = screen(&s);
    assert!(text.contains("more statements"), "{text}");
}

#[test]
fn deeply_nested_json_is_refused_without_overflowing_the_stack() {
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let owner = Owner {
        account_id: None,
        canonical_id: None,
        org_id: None,
    };
    assert!(analyze(&deep, &owner).is_err());
    let policy = format!(r#"{{"Statement":{deep}}}"#);
    assert!(analyze(&policy, &owner).is_err());
    let record = format!(r#"{{"eventID":"x","requestParameters":{deep}}}"#);
    // Refused, or (read leniently) kept with the odd field said and empty.
    let kept_odd = |e: &warroom::model::trail::TrailEvent| {
        e.bucket.is_none()
            && e.odd
                .iter()
                .any(|o| o.starts_with("requestParameters is a list"))
    };
    if let Ok(e) = normalise_str(&record) {
        assert!(kept_odd(&e), "{:?}", e.odd);
    }
    let file = format!(r#"{{"Records":[{record}]}}"#);
    // Refused as a file, read with the record counted as bad, or kept as odd.
    if let Ok(parsed) = parse_log_file(file.as_bytes()) {
        assert!(
            parsed.bad_records == 1 && parsed.events.is_empty()
                || parsed.events.len() == 1 && kept_odd(&parsed.events[0]),
            "{parsed:?}"
        );
    }
}

#[test]
fn non_utf8_bytes_and_truncated_gzip_are_refused() {
    let good = r#"{"eventID":"g","eventTime":"2026-11-22T10:00:00Z","eventName":"GetObject"}"#;
    let mut bytes = format!(r#"{{"Records":[{good},{{"eventID":"b","userAgent":""#).into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    bytes.extend_from_slice(br#""}]}"#);
    match parse_log_file(&bytes) {
        Err(_) => {}
        Ok(parsed) => assert!(parsed.events.len() <= 1, "{:?}", parsed.events),
    }
    let gz = warroom::model::trail::log_file_gz(&vec![good.to_string(); 50]).expect("gzip");
    for cut in [0, 1, 10, gz.len() / 2, gz.len() - 1] {
        assert!(
            warroom::aws::trail::gunzip(&gz[..cut]).is_err(),
            "cut at {cut} of {}",
            gz.len()
        );
    }
    let whole = warroom::aws::trail::gunzip(&gz).expect("whole file");
    assert_eq!(parse_log_file(&whole).expect("parsed").events.len(), 50);
}

#[test]
fn a_source_whose_clock_is_skewed_cannot_move_a_watch() {
    use warroom::model::watch::{Target, Timing, Watch, WatchSpec};
    let cutoff = 1_795_860_000;
    let timing = Timing::default();
    let spec = WatchSpec {
        id: "W1".into(),
        target: Target::AccessKey {
            key_id: "AKIAEXAMPLECIDEPLOY1".into(),
        },
        account: None,
        cutoff,
        window_secs: timing.window_secs,
        allowance_secs: timing.allowance_secs,
        started_by: "by hand".into(),
    };
    let mut w = Watch::new(spec);
    let at = |secs: i64| {
        normalise_str(&format!(
            r#"{{"eventID":"e{secs}","eventTime":"{}","eventName":"GetObject","userIdentity":{{"type":"IAMUser","accessKeyId":"AKIAEXAMPLECIDEPLOY1"}}}}"#,
            warroom::time::iso_time(secs)
        ))
        .expect("event")
    };
    // A source running an hour ahead, or a day behind: outside the window.
    assert_eq!(w.offer(&at(cutoff + 3 * 3600)), None);
    assert_eq!(w.offer(&at(cutoff - 86_400)), None);
    assert_eq!(
        w.status(cutoff + 60).verdict,
        warroom::model::watch::Verdict::Watching
    );
    // IAM's record from a clock ahead of the window is not taken either.
    assert!(!w.offer_last_used(warroom::model::watch::LastUsed {
        time: cutoff + 3 * 3600,
        service: "s3".into(),
        region: "us-east-1".into(),
    }));
}

/// An attacker who can write to the trail bucket floods it with 100,000
/// tiny log files. The console stays live: the scan finishes, the tail
/// reads the flood in bounded rounds (each file once, in order) and says
/// it is catching up, instead of one poll that would run for an hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trail_bucket_flooded_with_100000_files_keeps_the_console_live() {
    const FILES: u64 = 100_000;
    const BUCKET: &str = "acme-trail-logs";
    let emu = warroom::emulator::Emulator::start(
        &support::python(),
        &[("WARROOM_BULK", "1"), ("WARROOM_COUNT_REQUESTS", "1")],
    )
    .expect("moto");
    let c = support::clients(&emu).await;
    support::create_bucket(&c, BUCKET).await;
    c.cloudtrail_in(support::REGION)
        .create_trail()
        .name("main")
        .s3_bucket_name(BUCKET)
        .send()
        .await
        .expect("trail");
    let now = warroom::time::now_secs();
    let (y, m, d) = warroom::time::days_between(now, now)[0];
    let time = warroom::time::iso_time(now);
    let dir = format!(
        "AWSLogs/{}/CloudTrail/us-east-1/{y:04}/{m:02}/{d:02}/",
        support::ACCOUNT
    );
    let stamp = format!("{y:04}{m:02}{d:02}T{}{}Z", &time[11..13], &time[14..16]);
    let record = format!(
        r#"{{"Records":[{{"eventVersion":"1.09","userIdentity":{{"type":"AWSAccount","principalId":"","accountId":"anonymous"}},"eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","requestParameters":{{"bucketName":"{BUCKET}","key":"x"}},"eventID":"flood-{{i}}","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"{}"}}]}}"#,
        support::ACCOUNT
    );
    support::bulk_put(
        &emu,
        BUCKET,
        &format!(
            "{dir}{}_CloudTrail_us-east-1_{stamp}_{{i}}.json.gz",
            support::ACCOUNT
        ),
        &record,
        0,
        FILES,
    );

    let mut d = Driver::headless(support::clients(&emu).await, &emu.endpoint(), None, |r| {
        r.tail_poll = std::time::Duration::from_secs(1)
    })
    .await;
    d.until("the scan", 120, |s| {
        !s.scan.running && !s.buckets.is_empty()
    })
    .await;
    // buckets → credentials → CloudTrail: the tail starts.
    d.code(KeyCode::Tab);
    d.code(KeyCode::Tab);
    assert_eq!(d.state.view, View::Trail);
    d.until("three rounds of the flood", 300, |s| {
        s.trail.backlog.is_some_and(|n| n >= 3_000)
    })
    .await;
    let screen = d.draw();
    assert!(screen.contains("catching up"), "{screen}");
    let held = d.state.trail.ring.len();
    assert!(
        (3_000..FILES as usize).contains(&held),
        "read in rounds, not all at once: {held}"
    );
    // Every file read so far was fetched once, and the oldest came first.
    let counts = support::request_counts(&emu);
    let gets: Vec<u64> = counts
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("GET /{BUCKET}/{dir}")))
        .map(|(_, n)| *n)
        .collect();
    assert!(gets.len() >= 3_000, "{}", gets.len());
    assert!(gets.iter().all(|n| *n == 1), "a file fetched twice");
    let mut ids: Vec<&str> = d
        .state
        .trail
        .ring
        .newest_first()
        .map(|e| e.event_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), held, "no event twice");
    assert_eq!(ids[0], "flood-00000000");
    assert_eq!(ids[held - 1], format!("flood-{:08}", held - 1));
}

/// Access points are named by whoever created them (the attacker, in an
/// incident) and their policies written by them: a name, alias, VPC id and
/// policy Sid carrying escapes and bidi overrides are drawn inert in the
/// detail's "Ways in" sections and the WHY, and still drawn (not dropped).
#[test]
fn hostile_access_point_names_and_policies_render_inert() {
    use warroom::model::facts::{AccessPoint, NetworkOrigin};
    let ap = |name: &str, multi_region: bool, origin: NetworkOrigin| AccessPoint {
        name: name.into(),
        account: "123456789012".into(),
        region: if multi_region {
            String::new()
        } else {
            "us-east-1".into()
        },
        alias: Some("al\u{1b}]52;c;aGk=\u{7}ias".into()),
        network_origin: Fact::Known(origin),
        public_access_block: Fact::Known(None),
        policy: Fact::Known(Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"grant\u202eall\u001b[2J","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:123456789012:accesspoint/{}/object/*"}}]}}"#,
            name.replace('\u{1b}', "\\u001b")
        ))),
        multi_region,
        s3_says_public: None,
    };
    let mut s = state((160, 200));
    let mut b = fixtures::private_bucket("ap-hostile");
    b.policy = Fact::Known(Some(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":["arn:aws:s3:::ap-hostile","arn:aws:s3:::ap-hostile/*"],"Condition":{"StringEquals":{"s3:DataAccessPointAccount":"123456789012"}}}]}"#.into(),
    ));
    b.access_points = Fact::Known(vec![
        ap("evil\u{1b}[31m-ap", false, NetworkOrigin::Internet),
        ap(
            "vpc\u{202e}-ap",
            false,
            NetworkOrigin::Vpc {
                vpc_id: Some("vpc-\u{1b}[2J1".into()),
            },
        ),
    ]);
    b.multi_region_access_points =
        Fact::Known(vec![ap("mr\u{2066}ap", true, NetworkOrigin::Internet)]);
    b.object_lambda_access_points = Fact::Known(vec![
        warroom::model::facts::ObjectLambdaAccessPoint {
            name: "ol\u{1b}[5m-view".into(),
            arn: "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/ol".into(),
            alias: Some("ol\u{7}--ol-s3".into()),
            supporting_access_point: "evil\u{1b}[31m-ap".into(),
            functions: vec!["arn:aws:lambda:us-east-1:999988887777:function:f\u{202e}n".into()],
            policy: Fact::Known(Some(
                r#"{"Statement":[{"Sid":"ol\u202eall","Effect":"Allow","Principal":"*","Action":"s3-object-lambda:GetObject","Resource":"*"}]}"#.into(),
            )),
        },
    ]);
    update(&mut s, Msg::BucketRefreshed(Box::new(b)));
    s.selected = Some("ap-hostile".into());
    for view in [View::Dashboard, View::Detail] {
        s.view = view;
        let text = screen(&s);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| warroom::sanitize::is_dangerous(*c))
            .collect();
        assert!(bad.is_empty(), "{view:?} draws {bad:?}:\n{text}");
        if view == View::Detail {
            for needle in [
                "evil\\x1b[31m-ap",
                "vpc\\u{202e}-ap",
                "mr\\u{2066}ap",
                "grant\\u{202e}all",
                "ol\\x1b[5m-view",
                "function:f\\u{202e}n",
            ] {
                assert!(text.contains(needle), "{needle} not drawn:\n{text}");
            }
        }
    }
}
