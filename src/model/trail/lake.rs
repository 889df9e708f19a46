use super::event::TrailEvent;
use super::record::{RecordError, normalise_str};

/// A CloudTrail Lake question: what a principal (or access key) did to a
/// bucket in the last N days. Values are checked and quoted here, so no
/// typed text can change the SQL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LakeQuestion {
    pub bucket: Option<String>,
    /// A substring of the principal ARN.
    pub principal: Option<String>,
    pub access_key: Option<String>,
    pub days: u32,
}

/// The columns asked for; each becomes a field of the record rebuilt for
/// [`normalise`].
pub const LAKE_COLUMNS: &[(&str, &str)] = &[
    ("eventID", "eventID"),
    ("eventTime", "eventTime"),
    ("eventSource", "eventSource"),
    ("eventName", "eventName"),
    ("awsRegion", "awsRegion"),
    ("sourceIPAddress", "sourceIPAddress"),
    ("userAgent", "userAgent"),
    ("errorCode", "errorCode"),
    ("errorMessage", "errorMessage"),
    ("eventCategory", "eventCategory"),
    ("userIdentity.arn", "arn"),
    ("userIdentity.accountId", "accountId"),
    ("userIdentity.accessKeyId", "accessKeyId"),
    ("element_at(requestParameters, 'bucketName')", "bucketName"),
    ("element_at(requestParameters, 'key')", "key"),
];

fn sql_literal(value: &str, allowed: impl Fn(char) -> bool) -> Result<String, String> {
    if value.is_empty() || value.len() > 256 || !value.chars().all(allowed) {
        return Err(format!(
            "{value:?}: only letters, digits and -_.:/@+=, are allowed in a query value"
        ));
    }
    Ok(format!("'{}'", value.replace('\'', "''")))
}

impl LakeQuestion {
    /// The SQL for an event data store (its id or ARN).
    pub fn sql(
        &self,
        event_data_store: &str,
        now_iso: &str,
        since_iso: &str,
    ) -> Result<String, String> {
        let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:/@+=,".contains(c);
        let store = event_data_store
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .ok_or_else(|| format!("{event_data_store:?} is not an event data store id"))?;
        let columns: Vec<String> = LAKE_COLUMNS
            .iter()
            .map(|(expr, alias)| format!("{expr} AS {alias}"))
            .collect();
        let time = |c: char| c.is_ascii_digit() || "-: .TZ".contains(c);
        let mut conditions = vec![
            format!("eventTime >= {}", sql_literal(since_iso, time)?),
            format!("eventTime <= {}", sql_literal(now_iso, time)?),
        ];
        if let Some(b) = &self.bucket {
            conditions.push(format!(
                "element_at(requestParameters, 'bucketName') = {}",
                sql_literal(b, safe)?
            ));
        }
        if let Some(p) = &self.principal {
            // LIKE wildcards in the value would widen the question: refused by `safe`.
            conditions.push(format!(
                "userIdentity.arn LIKE {}",
                sql_literal(&format!("%{p}%"), |c| safe(c) || c == '%')?
            ));
        }
        if let Some(k) = &self.access_key {
            conditions.push(format!(
                "userIdentity.accessKeyId = {}",
                sql_literal(k, safe)?
            ));
        }
        Ok(format!(
            "SELECT {} FROM {store} WHERE {} ORDER BY eventTime DESC",
            columns.join(", "),
            conditions.join(" AND ")
        ))
    }
}

/// Rebuild a record from one Lake result row (column → value) and
/// normalise it like any other.
pub fn from_lake_row(row: &[(String, String)]) -> Result<TrailEvent, RecordError> {
    let get = |k: &str| row.iter().find(|(c, _)| c == k).map(|(_, v)| v.clone());
    let mut record = serde_json::Map::new();
    for key in [
        "eventID",
        "eventTime",
        "eventSource",
        "eventName",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "eventCategory",
    ] {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            record.insert(key.into(), v.into());
        }
    }
    let mut identity = serde_json::Map::new();
    for key in ["arn", "accountId", "accessKeyId"] {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            identity.insert(key.into(), v.into());
        }
    }
    record.insert("userIdentity".into(), identity.into());
    let mut params = serde_json::Map::new();
    for key in ["bucketName", "key"] {
        if let Some(v) = get(key).filter(|v| !v.is_empty()) {
            params.insert(key.into(), v.into());
        }
    }
    record.insert("requestParameters".into(), params.into());
    normalise_str(&serde_json::Value::Object(record).to_string())
}
