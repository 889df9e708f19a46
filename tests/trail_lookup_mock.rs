//! LookupEvents, against a mocked CloudTrail client. This is the one source
//! not tested against moto, because moto answers LookupEvents with HTTP 500:
//! `aws-smithy-mocks` stands in for it. Covered here: paging, overlap de-duplication, the
//! throttling signal, and (with tokio's paused clock) that the shared
//! limiter never lets more than 2 calls a second through when two
//! consumers poll together.

use std::sync::{Arc, Mutex};

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};
use aws_sdk_cloudtrail::types::Event;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use warroom::aws::trail::{Limiter, LookupPoller};

fn event(id: &str, name: &str) -> Event {
    Event::builder()
        .event_id(id)
        .event_name(name)
        .cloud_trail_event(format!(
            r#"{{"eventID":"{id}","eventName":"{name}","eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE0000000001"}},"userAgent":"evil\u001b[2J","requestParameters":{{"bucketName":"acme-customer-exports"}},"managementEvent":true}}"#
        ))
        .build()
}

fn ids(events: &[warroom::model::trail::TrailEvent]) -> Vec<&str> {
    let mut v: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    v.sort();
    v
}

#[tokio::test(start_paused = true)]
async fn pages_are_followed_and_overlapping_polls_return_only_new_events() {
    let first = mock!(Client::lookup_events)
        .match_requests(|r| r.next_token().is_none())
        .sequence()
        .output(|| {
            LookupEventsOutput::builder()
                .events(event("e1", "PutBucketPolicy"))
                .next_token("page2")
                .build()
        })
        // The second poll overlaps the first: e2 again, and e3 is new.
        .output(|| {
            LookupEventsOutput::builder()
                .events(event("e2", "GetBucketAcl"))
                .events(event("e3", "PutBucketAcl"))
                .build()
        })
        .build();
    let second_page = mock!(Client::lookup_events)
        .match_requests(|r| r.next_token() == Some("page2"))
        .then_output(|| {
            LookupEventsOutput::builder()
                .events(event("e2", "GetBucketAcl"))
                .build()
        });
    let client = mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        [&first, &second_page]
    );
    let mut poller = LookupPoller::new(client, Arc::new(Limiter::new(2)), 1_000);
    let got = poller.poll(2_000).await.expect("poll");
    assert_eq!(ids(&got), ["e1", "e2"]);
    assert_eq!(second_page.num_calls(), 1, "the second page was asked for");
    // The raw user agent keeps its escape (evidence); drawing sanitises it.
    assert!(
        got[0]
            .user_agent
            .as_deref()
            .is_some_and(|u| u.contains('\u{1b}'))
    );
    let again = poller.poll(3_000).await.expect("poll");
    assert_eq!(
        ids(&again),
        ["e3"],
        "e2 came again in the overlap and is dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_is_reported_as_such() {
    let rule = mock!(Client::lookup_events).then_error(|| {
        LookupEventsError::generic(
            aws_sdk_cloudtrail::error::ErrorMetadata::builder()
                .code("ThrottlingException")
                .message("Rate exceeded")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule]);
    let mut poller = LookupPoller::new(client, Arc::new(Limiter::new(2)), 1_000);
    let err = poller.poll(2_000).await.expect_err("throttled");
    assert!(err.throttled, "{:?}", err.error);
    assert_eq!(err.error.code, "ThrottlingException");
}

/// Two consumers (the tail and, later, the credential watch) share one
/// limiter. On tokio's paused clock, every call's time is exact: no
/// one-second window holds more than 2 calls.
#[tokio::test(start_paused = true)]
async fn the_shared_limiter_never_exceeds_two_calls_per_second() {
    let calls: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let seen = calls.clone();
    let rule = mock!(Client::lookup_events)
        .match_requests(move |_| {
            seen.lock().expect("lock").push(tokio::time::Instant::now());
            true
        })
        .then_output(|| LookupEventsOutput::builder().build());
    let limiter = Arc::new(Limiter::new(2));
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule]);
        let limiter = limiter.clone();
        tasks.push(tokio::spawn(async move {
            let mut p = LookupPoller::new(client, limiter, 0);
            for i in 0..10 {
                p.poll(100 + i).await.expect("poll");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let mut times = calls.lock().expect("lock").clone();
    times.sort();
    assert_eq!(times.len(), 20, "every poll made its call");
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|u| **u < *t + std::time::Duration::from_secs(1))
            .count();
        assert!(
            in_window <= 2,
            "{in_window} calls in the second after call {i}"
        );
    }
    // And it is not slower than it must be: 20 calls at 2/s take ~9.5 s.
    let span = *times.last().expect("calls") - start;
    assert!(span <= std::time::Duration::from_millis(9_500), "{span:?}");
}
