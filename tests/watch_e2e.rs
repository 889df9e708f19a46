//! The credential watch end to end, on tokio's paused clock: 45 minutes of
//! watching pass in a moment.
//!
//! Real parts: the access key is created and deactivated in moto through
//! the action engine (which starts the watch), the trail's log files are
//! real objects in moto's S3 in the delivery layout, the journal and the
//! evidence are real files. Mocked, because moto cannot serve them:
//! CloudTrail's `DescribeTrails`/`GetTrailStatus`/`GetEventSelectors` and
//! `LookupEvents` (moto answers LookupEvents with HTTP 500), through
//! `aws-smithy-mocks`.
//!
//! The SDK's timeouts and stalled-stream protection are turned off for the
//! moto clients: on a paused clock, time jumps ahead while a request to
//! moto is in flight, and a timer would fire on a request that is fine.

mod support;

use std::sync::{Arc, Mutex as StdMutex};

use aws_sdk_cloudtrail::Client as CloudTrail;
use aws_sdk_cloudtrail::operation::describe_trails::DescribeTrailsOutput;
use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
use aws_sdk_cloudtrail::types::{DataResource, Event, EventSelector, Trail};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use support::*;
use warroom::actions::{ActionSpec, access_key};
use warroom::model::watch::Timing;
use warroom::time::iso_time;
use warroom::watch::{WatchMsg, WatchOptions};

const TRAIL_BUCKET: &str = "trail-logs";

fn record(id: &str, at: i64, key: &str, error: Option<&str>) -> String {
    let err = error
        .map(|e| format!(r#","errorCode":"{e}","errorMessage":"refused""#))
        .unwrap_or_default();
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/leaky","accountId":"123456789012","accessKeyId":"{key}"}},"eventTime":"{}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"185.220.101.7","requestParameters":{{"bucketName":"acme-customer-exports","key":"a.csv"}},"eventID":"{id}","readOnly":true,"eventCategory":"Data"{err}}}"#,
        iso_time(at)
    )
}

/// CloudTrail as the watch sees it: one trail logging to `trail-logs`, and
/// LookupEvents answering with one denied use of `key` on the first call
/// (then nothing new).
fn cloudtrail(key: &str, cutoff: i64) -> CloudTrail {
    let trails = mock!(CloudTrail::describe_trails).then_output(|| {
        DescribeTrailsOutput::builder()
            .trail_list(
                Trail::builder()
                    .name("main")
                    .trail_arn("arn:aws:cloudtrail:us-east-1:123456789012:trail/main")
                    .home_region("us-east-1")
                    .s3_bucket_name(TRAIL_BUCKET)
                    .is_multi_region_trail(true)
                    .build(),
            )
            .build()
    });
    let status = mock!(CloudTrail::get_trail_status)
        .then_output(|| GetTrailStatusOutput::builder().is_logging(true).build());
    let selectors = mock!(CloudTrail::get_event_selectors).then_output(|| {
        GetEventSelectorsOutput::builder()
            .event_selectors(
                EventSelector::builder()
                    .data_resources(
                        DataResource::builder()
                            .r#type("AWS::S3::Object")
                            .values("arn:aws:s3:::acme-customer-exports/")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let denied = record(
        "lookup-denied",
        cutoff + 60,
        key,
        Some("InvalidAccessKeyId"),
    );
    let lookup = mock!(CloudTrail::lookup_events)
        .sequence()
        .output(move || {
            LookupEventsOutput::builder()
                .events(
                    Event::builder()
                        .event_id("lookup-denied")
                        .event_name("GetObject")
                        .cloud_trail_event(denied.clone())
                        .build(),
                )
                .build()
        })
        .output(|| LookupEventsOutput::builder().build())
        .repeatedly()
        .build();
    mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        [&trails, &status, &selectors, &lookup]
    )
}

/// Clients on moto with no timers of the SDK's own (see the module note).
async fn paused_clock_clients(emu: &warroom::emulator::Emulator) -> warroom::aws::Clients {
    let sdk = warroom::aws::emulator_sdk_config(
        &emu.endpoint(),
        "us-east-1",
        "AKIATESTTESTTESTTEST",
        "test-secret",
    )
    .await
    .into_builder()
    .timeout_config(aws_sdk_s3::config::timeout::TimeoutConfig::disabled())
    .stalled_stream_protection(aws_sdk_s3::config::StalledStreamProtectionConfig::disabled())
    .build();
    warroom::aws::Clients::from_sdk_config(sdk, false).expect("region")
}

/// A log file in the delivery layout, named for the time it was delivered.
async fn deliver(c: &warroom::aws::Clients, delivered_at: i64, records: &[String]) {
    let (y, m, d) = warroom::time::days_between(delivered_at, delivered_at)[0];
    let hhmm = &iso_time(delivered_at)[11..16].replace(':', "");
    c.s3.put_object()
        .bucket(TRAIL_BUCKET)
        .key(format!("AWSLogs/123456789012/CloudTrail/us-east-1/{y:04}/{m:02}/{d:02}/123456789012_CloudTrail_us-east-1_{y:04}{m:02}{d:02}T{hhmm}Z_late.json.gz"))
        .body(ByteStream::from(
            warroom::model::trail::log_file_gz(records).expect("gzip"),
        ))
        .send()
        .await
        .expect("deliver");
}

#[tokio::test(start_paused = true)]
async fn a_revoked_key_watched_to_its_verdict_from_both_sources() {
    let emu = start_moto();
    let moto = paused_clock_clients(&emu).await;
    create_bucket(&moto, TRAIL_BUCKET).await;
    let (key, _) = user_with_key(&moto, "leaky", None).await;

    // Revoke the key through the action engine: the watch starts by itself
    // with the configured timing.
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let incident =
        tokio::sync::Mutex::new(warroom::incident::Incident::open(Some(&dir)).expect("incident"));
    let timing = Timing::default();
    let spec = ActionSpec::DeactivateAccessKey(access_key::Args::key(&key));
    let plan = warroom::actions::plan(&moto, &spec).await.expect("plan");
    let cx = warroom::actions::Cx::new(&moto, &incident).with_watch_timing(timing);
    warroom::actions::execute(&cx, &plan, true, "test", false)
        .await
        .expect("deactivate");
    let watches = warroom::watch::replay(&incident.lock().await.all_entries().expect("entries"));
    let [(w, None)] = &watches[..] else {
        panic!("one open watch: {watches:?}")
    };
    let cutoff = w.spec.cutoff;

    let c = moto
        .clone()
        .with_cloudtrail("us-east-1", cloudtrail(&key, cutoff));
    // What the runner reports, and the virtual time of each report.
    let seen: Arc<StdMutex<Vec<(tokio::time::Instant, String)>>> = Arc::default();
    let t0 = tokio::time::Instant::now();
    let opts = WatchOptions {
        every: std::time::Duration::from_secs(60),
        regions: Vec::new(),
        follow: false,
        wake: None,
    };
    // The runner's own clock, for the attacker to act on: seconds until
    // final, from each status. (Waiting on this rather than on a timer of
    // its own keeps the paused clock from jumping while the runner talks
    // to moto.)
    let (clock_tx, mut clock_rx) = tokio::sync::watch::channel(i64::MAX);
    let runner = {
        let seen = seen.clone();
        async {
            warroom::watch::run(&c, &incident, &opts, move |m| {
                if let WatchMsg::Status { status, .. } = &m {
                    clock_tx.send_replace(status.final_left);
                }
                let line = match &m {
                    WatchMsg::Status { watch, status } => format!(
                        "status {:?} s{} d{} final_left {}",
                        status.verdict, watch.succeeded, watch.denied, status.final_left
                    ),
                    WatchMsg::Alert { text, .. } => format!("alert {text}"),
                    WatchMsg::Blind { text, .. } => format!("blind {text}"),
                    WatchMsg::SourceError { source, error } => format!("error {source} {error}"),
                    WatchMsg::Final { verdict, .. } => format!("final {verdict}"),
                };
                seen.lock()
                    .expect("seen")
                    .push((tokio::time::Instant::now(), line));
                true
            })
            .await
        }
    };
    // The attacker's late events: a success at minute 29 of the window and
    // another at minute 31 (outside it), in one file CloudTrail delivers at
    // minute 34 — after the window closed, inside the allowance.
    let attacker = async {
        clock_rx
            .wait_for(|final_left| *final_left <= 11 * 60)
            .await
            .expect("the runner reached minute 34");
        deliver(
            &moto,
            cutoff + 34 * 60,
            &[
                record("late-success", cutoff + 29 * 60, &key, None),
                record("outside-window", cutoff + 31 * 60, &key, None),
                // The same denied use LookupEvents gave: counted once.
                record(
                    "lookup-denied",
                    cutoff + 60,
                    &key,
                    Some("InvalidAccessKeyId"),
                ),
            ],
        )
        .await;
    };
    let (result, ()) = tokio::join!(runner, attacker);
    result.expect("the watch ran to its verdict");

    let seen = seen.lock().expect("seen").clone();
    let lines: Vec<&str> = seen.iter().map(|(_, l)| l.as_str()).collect();
    // The denied use came through LookupEvents in the first round.
    assert!(lines[0].contains("d1"), "{lines:?}");
    assert!(lines[0].contains("Watching"), "{lines:?}");
    let alert = lines
        .iter()
        .position(|l| l.starts_with("alert") && l.contains("GetObject"))
        .expect("an alert for the late success");
    let (alert_at, _) = seen[alert];
    assert!(
        alert_at - t0 >= std::time::Duration::from_secs(34 * 60),
        "the alert came with the late file, not before"
    );
    let (final_at, final_line) = seen.last().expect("a final message");
    assert_eq!(final_line, "final activity");
    // Final only after the window and the allowance (45 minutes), and not
    // much later (one poll interval).
    let waited = *final_at - t0;
    assert!(
        waited >= std::time::Duration::from_secs(45 * 60)
            && waited <= std::time::Duration::from_secs(47 * 60),
        "{waited:?}"
    );

    // The journal says the same: one denied (counted once although both
    // sources gave it), one success, the minute-31 event not counted.
    let inc = incident.lock().await;
    let entries = inc.all_entries().expect("entries");
    let uses: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == warroom::watch::USE)
        .map(|e| e.data["event"]["event_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(uses, ["lookup-denied", "late-success"]);
    let verdict = entries
        .iter()
        .find(|e| e.kind == warroom::watch::VERDICT)
        .expect("a verdict entry");
    assert_eq!(verdict.data["verdict"], "activity");
    assert_eq!(verdict.data["succeeded"], 1);
    assert_eq!(verdict.data["denied"], 1);
    // The evidence file holds exactly the two counted records.
    let file = verdict.data["evidence"]["file"]
        .as_str()
        .expect("evidence named");
    let gz = std::fs::read(dir.join(file)).expect("read evidence");
    let text = String::from_utf8(warroom::aws::trail::gunzip(&gz).expect("gunzip")).expect("utf-8");
    assert!(text.contains("late-success") && text.contains("lookup-denied"));
    assert!(!text.contains("outside-window"));
    drop(inc);
    let report = warroom::incident::verify::verify(&dir).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
}
