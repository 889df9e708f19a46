use crate::aws::error::aws_error;
use crate::aws::{AwsError, Clients};
use crate::model::trail::{DataSelector, TrailInfo};

/// Every trail visible from this region (shadow trails of multi-region and
/// organisation trails included), with status and data-event selectors.
pub async fn discover_trails(c: &Clients) -> Result<Vec<TrailInfo>, AwsError> {
    let ct = c.cloudtrail_in(c.region());
    let out = ct
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let mut trails = Vec::new();
    for t in out.trail_list() {
        let arn = t.trail_arn().unwrap_or_default().to_string();
        // Status and selectors are asked of the trail's home region.
        let home = t.home_region().unwrap_or(c.region()).to_string();
        let home_ct = c.cloudtrail_in(&home);
        let status = home_ct.get_trail_status().name(&arn).send().await.ok();
        let logging = status.as_ref().and_then(|s| s.is_logging());
        let stopped_at = status
            .as_ref()
            .filter(|_| logging == Some(false))
            .and_then(|s| s.stop_logging_time())
            .map(|t| t.secs());
        let data = match home_ct.get_event_selectors().trail_name(&arn).send().await {
            Ok(sel) => selectors(&sel),
            Err(_) => Vec::new(),
        };
        trails.push(TrailInfo {
            name: t.name().unwrap_or_default().to_string(),
            arn,
            home_region: t.home_region().map(str::to_string),
            bucket: t.s3_bucket_name().map(str::to_string),
            prefix: t.s3_key_prefix().map(str::to_string),
            organisation: t.is_organization_trail().unwrap_or(false),
            multi_region: t.is_multi_region_trail().unwrap_or(false),
            logging,
            stopped_at,
            data,
        });
    }
    Ok(trails)
}

fn selectors(
    sel: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> Vec<DataSelector> {
    let mut out = Vec::new();
    for s in sel.event_selectors() {
        let rw = s.read_write_type().map(|r| r.as_str().to_string());
        let reads = rw.as_deref() != Some("WriteOnly");
        let writes = rw.as_deref() != Some("ReadOnly");
        for d in s.data_resources() {
            if d.r#type() != Some("AWS::S3::Object") {
                continue;
            }
            let all = d
                .values()
                .iter()
                .any(|v| v == "arn:aws:s3" || v == "arn:aws:s3:::");
            out.push(DataSelector {
                arn_prefixes: if all { Vec::new() } else { d.values().to_vec() },
                reads,
                writes,
            });
        }
    }
    for a in sel.advanced_event_selectors() {
        let field = |name: &str| a.field_selectors().iter().find(|f| f.field() == name);
        let data = field("eventCategory").is_some_and(|f| f.equals().iter().any(|v| v == "Data"));
        let s3 = field("resources.type")
            .is_some_and(|f| f.equals().iter().any(|v| v == "AWS::S3::Object"));
        if !(data && s3) {
            continue;
        }
        let ro = field("readOnly").map(|f| f.equals().to_vec());
        out.push(DataSelector {
            arn_prefixes: field("resources.ARN")
                .map(|f| f.starts_with().iter().chain(f.equals()).cloned().collect())
                .unwrap_or_default(),
            reads: ro.as_ref().is_none_or(|v| v.iter().any(|x| x == "true")),
            writes: ro.as_ref().is_none_or(|v| v.iter().any(|x| x == "false")),
        });
    }
    out
}

/// A trail's home region, from its ARN (`arn:aws:cloudtrail:REGION:…`);
/// a bare name is asked of the console's region.
fn home_of<'a>(c: &'a Clients, trail: &'a str) -> &'a str {
    trail
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').nth(2))
        .filter(|r| !r.is_empty())
        .unwrap_or(c.region())
}

/// Is the trail logging, and when it stopped if it is not.
pub async fn logging_status(c: &Clients, trail: &str) -> Result<(bool, Option<i64>), AwsError> {
    let out = c
        .cloudtrail_in(home_of(c, trail))
        .get_trail_status()
        .name(trail)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let on = out.is_logging().unwrap_or(false);
    Ok((
        on,
        out.stop_logging_time().filter(|_| !on).map(|t| t.secs()),
    ))
}

/// Start (`true`) or stop logging on a trail.
pub async fn set_logging(c: &Clients, trail: &str, on: bool) -> Result<(), AwsError> {
    let ct = c.cloudtrail_in(home_of(c, trail));
    if on {
        crate::aws::error::done(ct.start_logging().name(trail).send().await)
    } else {
        crate::aws::error::done(ct.stop_logging().name(trail).send().await)
    }
}
