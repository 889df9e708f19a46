use serde::{Deserialize, Serialize};

/// Which S3 object events a trail's selector logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSelector {
    /// `arn:aws:s3:::bucket/prefix` starts; empty: every bucket.
    pub arn_prefixes: Vec<String>,
    /// Read events (GetObject) are logged.
    pub reads: bool,
    /// Write events (PutObject, DeleteObject) are logged.
    pub writes: bool,
}

impl DataSelector {
    pub fn covers(&self, bucket: &str) -> bool {
        self.arn_prefixes.is_empty()
            || self.arn_prefixes.iter().any(|p| {
                let p = p.strip_prefix("arn:aws:s3:::").unwrap_or(p);
                // "bucket/" or "bucket/prefix" or "bucket" (advanced StartsWith).
                let b = p.split('/').next().unwrap_or(p);
                b == bucket
                    || (p.len() <= bucket.len() && bucket.starts_with(p) && !p.contains('/'))
            })
    }
}

/// A trail and whether it logs S3 data events for a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailInfo {
    pub name: String,
    pub arn: String,
    pub home_region: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub organisation: bool,
    pub multi_region: bool,
    pub logging: Option<bool>,
    /// When logging was last stopped (GetTrailStatus' StopLoggingTime), if
    /// it is stopped and the status says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<i64>,
    pub data: Vec<DataSelector>,
}

impl TrailInfo {
    /// Does this trail write GetObject records for `bucket` to S3?
    pub fn logs_reads_of(&self, bucket: &str) -> bool {
        self.logging != Some(false)
            && self.bucket.is_some()
            && self.data.iter().any(|d| d.reads && d.covers(bucket))
    }
}
