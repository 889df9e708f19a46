//! The ground floor for time: every clock read, every timestamp written or
//! parsed, and durations typed by a person, in one module that depends on
//! nothing of warroom's. Calendar work is the smithy runtime's `DateTime`
//! (already linked by every AWS client), so no calendar maths is written
//! here by hand.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

/// Seconds since the epoch, now.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `2026-11-22T10:00:00Z` for seconds since the epoch.
pub fn iso_time(secs: i64) -> String {
    DateTime::from_secs(secs)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| secs.to_string())
}

/// UTC now as `2026-11-22T14:43:33.020Z`: always millisecond precision, so
/// timelines line up.
pub fn now_rfc3339() -> String {
    let full = DateTime::from(SystemTime::now())
        .fmt(Format::DateTime)
        .unwrap_or_default();
    let base = full.trim_end_matches('Z');
    let (secs, frac) = base.split_once('.').unwrap_or((base, ""));
    let millis: String = frac.chars().chain(std::iter::repeat('0')).take(3).collect();
    format!("{secs}.{millis}Z")
}

/// Seconds since the epoch of a CloudTrail time: `2026-11-22T10:00:00Z`
/// (also with fractions), or Lake's `2026-11-22 10:00:00.000`.
pub fn parse_time(s: &str) -> Option<i64> {
    let t = s.trim().replace(' ', "T");
    let t = if t.ends_with('Z') { t } else { format!("{t}Z") };
    DateTime::from_str(&t, Format::DateTime)
        .ok()
        .map(|d| d.secs())
}

/// UTC days (year, month, day) from `since` to `now`, both in seconds
/// (at most 400: CloudTrail keeps 90 days).
pub fn days_between(since: i64, now: i64) -> Vec<(i32, u32, u32)> {
    let mut out = Vec::new();
    let mut day = since.div_euclid(86_400);
    let last = now.div_euclid(86_400);
    while day <= last && out.len() < 400 {
        if let Some(date) = civil_date(day * 86_400) {
            out.push(date);
        }
        day += 1;
    }
    out
}

/// The UTC calendar date of a moment, read off its RFC 3339 form.
fn civil_date(secs: i64) -> Option<(i32, u32, u32)> {
    let iso = iso_time(secs);
    let mut parts = iso.get(..10)?.splitn(3, '-');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

/// "90s", "30m", "2h", "7d" → seconds (a bare number is minutes).
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{s:?}: a number and a unit, e.g. 30m, 2h, 7d"))?;
    let secs = match unit {
        "s" => n,
        "m" | "" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: the unit is s, m, h or d")),
    };
    if secs <= 0 || secs > 90 * 86_400 {
        return Err(format!(
            "{s:?}: between 1s and 90d (CloudTrail keeps 90 days)"
        ));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_have_a_fixed_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), "2026-11-22T14:43:33.020Z".len(), "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T' && t.as_bytes()[19] == b'.');
        assert_eq!(iso_time(1_795_860_000), "2026-11-28T10:00:00Z");
        assert_eq!(parse_time("2026-11-28T10:00:00Z"), Some(1_795_860_000));
        assert_eq!(parse_time("2026-11-28 10:00:00.000"), Some(1_795_860_000));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn days_cross_months_years_and_leap_days() {
        let at = |s: &str| parse_time(s).expect("time");
        assert_eq!(
            days_between(at("2024-02-28T23:00:00Z"), at("2024-03-01T01:00:00Z")),
            vec![(2024, 2, 28), (2024, 2, 29), (2024, 3, 1)]
        );
        assert_eq!(
            days_between(at("2026-12-31T12:00:00Z"), at("2027-01-01T00:00:00Z")),
            vec![(2026, 12, 31), (2027, 1, 1)]
        );
        assert_eq!(
            days_between(at("1969-12-31T00:00:00Z"), at("1969-12-31T01:00:00Z")),
            vec![(1969, 12, 31)]
        );
        assert!(
            days_between(86_400, 0).is_empty(),
            "a day before the start: none"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Ok(7200));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert!(parse_duration("91d").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("2w").is_err());
    }
}
