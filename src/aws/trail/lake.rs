use std::time::Duration;

use crate::aws::error::aws_error;
use crate::aws::{AwsError, Clients};
use crate::model::trail::{self, TrailEvent};

/// CloudTrail Lake event data stores in this region (ARNs), if any.
pub async fn event_data_stores(c: &Clients) -> Result<Vec<String>, AwsError> {
    let out = c
        .cloudtrail_in(c.region())
        .list_event_data_stores()
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(out
        .event_data_stores()
        .iter()
        .filter_map(|s| s.event_data_store_arn().map(str::to_string))
        .collect())
}

/// Run a Lake query and read every page of its results: AWS scans the
/// organisation's history, not this machine. Polls every `poll` until the
/// query finishes; reports progress through `progress(status, rows so far)`.
pub async fn lake_query(
    ct: &aws_sdk_cloudtrail::Client,
    sql: &str,
    poll: Duration,
    mut progress: impl FnMut(&str, usize),
) -> Result<Vec<TrailEvent>, AwsError> {
    let started = ct
        .start_query()
        .query_statement(sql)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let id = started
        .query_id()
        .ok_or_else(|| AwsError::new("BadResponse", "StartQuery returned no query id"))?
        .to_string();
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ct
            .get_query_results()
            .query_id(&id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        let status = page
            .query_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        match status.as_str() {
            "QUEUED" | "RUNNING" => {
                progress(&status, events.len());
                tokio::time::sleep(poll).await;
                continue;
            }
            "FAILED" | "CANCELLED" | "TIMED_OUT" => {
                return Err(AwsError::new(
                    format!("Query{}", status.replace('_', "")),
                    page.error_message()
                        .unwrap_or("the query did not finish")
                        .to_string(),
                ));
            }
            _ => {}
        }
        for row in page.query_result_rows() {
            let cells: Vec<(String, String)> = row
                .iter()
                .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
                .collect();
            if let Ok(e) = trail::from_lake_row(&cells) {
                events.push(e);
            }
        }
        progress(&status, events.len());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(events);
        }
    }
}
