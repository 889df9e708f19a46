//! The CloudTrail Lake query flow against a mocked client: moto does not
//! implement Lake queries (StartQuery / GetQueryResults), so aws-smithy-mocks
//! answers for it. Queued, then running, then two pages of results;
//! and a failed query is an error with AWS's message.

use std::collections::HashMap;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_cloudtrail::operation::start_query::StartQueryOutput;
use aws_sdk_cloudtrail::types::QueryStatus;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use warroom::aws::trail::lake_query;

fn row(id: &str) -> Vec<HashMap<String, String>> {
    [
        ("eventID", id),
        ("eventName", "GetObject"),
        ("eventTime", "2026-11-20 10:00:00.000"),
        ("arn", "arn:aws:iam::123456789012:user/ci-deploy"),
        ("bucketName", "acme-customer-exports"),
    ]
    .iter()
    .map(|(k, v)| HashMap::from([(k.to_string(), v.to_string())]))
    .collect()
}

#[tokio::test(start_paused = true)]
async fn a_query_is_followed_to_its_last_page() {
    let start = mock!(Client::start_query)
        .match_requests(|r| {
            r.query_statement()
                .is_some_and(|q| q.contains("'acme-customer-exports'"))
        })
        .then_output(|| StartQueryOutput::builder().query_id("q-1").build());
    let results = mock!(Client::get_query_results)
        .sequence()
        .output(|| {
            GetQueryResultsOutput::builder()
                .query_status(QueryStatus::Queued)
                .build()
        })
        .output(|| {
            GetQueryResultsOutput::builder()
                .query_status(QueryStatus::Running)
                .build()
        })
        .output(|| {
            GetQueryResultsOutput::builder()
                .query_status(QueryStatus::Finished)
                .query_result_rows(row("l1"))
                .next_token("more")
                .build()
        })
        .output(|| {
            GetQueryResultsOutput::builder()
                .query_status(QueryStatus::Finished)
                .query_result_rows(row("l2"))
                .build()
        })
        .build();
    let ct = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&start, &results]);
    let question = warroom::model::trail::LakeQuestion {
        bucket: Some("acme-customer-exports".into()),
        principal: Some("user/ci-deploy".into()),
        access_key: None,
        days: 7,
    };
    let sql = question
        .sql("eds-1", "2026-11-22 10:00:00", "2026-11-15 10:00:00")
        .expect("sql");
    let mut seen = Vec::new();
    let events = lake_query(&ct, &sql, std::time::Duration::from_secs(2), |s, n| {
        seen.push((s.to_string(), n))
    })
    .await
    .expect("query");
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["l1", "l2"]);
    assert_eq!(events[0].bucket.as_deref(), Some("acme-customer-exports"));
    assert_eq!(results.num_calls(), 4);
    assert_eq!(seen[0].0, "QUEUED", "progress is reported: {seen:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_query_is_an_error_with_the_reason() {
    let start = mock!(Client::start_query)
        .then_output(|| StartQueryOutput::builder().query_id("q").build());
    let results = mock!(Client::get_query_results).then_output(|| {
        GetQueryResultsOutput::builder()
            .query_status(QueryStatus::Failed)
            .error_message("column not found")
            .build()
    });
    let ct = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&start, &results]);
    let err = lake_query(
        &ct,
        "SELECT 1",
        std::time::Duration::from_secs(1),
        |_, _| {},
    )
    .await
    .expect_err("failed");
    assert_eq!(err.code, "QueryFAILED");
    assert!(err.message.contains("column not found"));
}
