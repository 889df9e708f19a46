//! Printing a scan for a terminal or a pipe. Every string that came from AWS
//! goes through the sanitiser, in the table and in the JSON alike.

use std::io::{self, Write};

use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use crate::model::exposure::Severity;
use crate::sanitize::{clean, is_dangerous};
use crate::scan::ScanReport;

pub fn write_table(report: &ScanReport, out: &mut impl Write) -> io::Result<()> {
    if let Some(id) = &report.caller {
        writeln!(
            out,
            "account {}  caller {}  region {}",
            clean(&id.account),
            clean(&id.arn),
            clean(&report.region)
        )?;
    } else if let Some(e) = &report.caller_error {
        writeln!(out, "caller identity {}: {}", e, clean(&e.message))?;
    }
    if let Some(acct) = &report.account {
        let pab = match &acct.public_access_block {
            crate::model::facts::Fact::Known(Some(p)) => format!(
                "BlockPublicAcls={} IgnorePublicAcls={} BlockPublicPolicy={} RestrictPublicBuckets={}",
                p.block_public_acls,
                p.ignore_public_acls,
                p.block_public_policy,
                p.restrict_public_buckets
            ),
            crate::model::facts::Fact::Known(None) => "not configured (all off)".to_string(),
            crate::model::facts::Fact::Unknown(e) => e.to_string(),
        };
        writeln!(out, "account Public Access Block: {pab}")?;
    }
    if let Some(e) = &report.error {
        writeln!(
            out,
            "error: scan stopped: {} ({})",
            clean(&e.message),
            e.code
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "{} buckets: {} public, {} shared, {} unknown, {} private\n",
        report.buckets.len(),
        s.public,
        s.shared,
        s.unknown,
        s.private
    )?;
    let width = report
        .buckets
        .iter()
        .map(|b| b.facts.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:<8} {:<width$} {:<14} WHY",
        "VERDICT", "BUCKET", "REGION"
    )?;
    for b in &report.buckets {
        let region = b.facts.region.known().map(String::as_str).unwrap_or("?");
        let why = b
            .assessment
            .reasons
            .iter()
            .find(|r| r.severity <= Severity::Mitigated)
            .map(|r| r.text.as_str())
            .unwrap_or("-");
        writeln!(
            out,
            "{:<8} {:<width$} {:<14} {}",
            b.assessment.label(),
            clean(&b.facts.name),
            clean(region),
            clean(why)
        )?;
        for r in b.assessment.reasons.iter().skip(1) {
            if r.severity <= Severity::Mitigated {
                writeln!(
                    out,
                    "{:<8} {:<width$} {:<14} {}",
                    "",
                    "",
                    "",
                    clean(&r.text)
                )?;
            }
        }
    }
    Ok(())
}

/// Pretty JSON in which every character a terminal could act on is escaped
/// (`\u001b`, `\u202e`…), so `warroom scan --json` is safe to print raw and
/// still round-trips through any JSON parser to the exact original text.
pub fn write_json(report: &ScanReport, out: &mut impl Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Safe(PrettyFormatter::new()));
    serde::Serialize::serialize(report, &mut ser).map_err(io::Error::other)?;
    writeln!(out)
}

/// One compact JSON line, escaped the same way (`journal show --json`).
pub fn write_json_line(value: &impl serde::Serialize, out: &mut impl Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Safe(CompactFormatter));
    value.serialize(&mut ser).map_err(io::Error::other)?;
    writeln!(out)
}

/// Wraps a JSON formatter: layout is the inner formatter's; string contents
/// have every dangerous character written as a `\uXXXX` escape.
struct Safe<F>(F);

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_dangerous(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_json_escapes_terminal_controls_and_round_trips() {
        let value = serde_json::json!({"sid": "a\u{1b}[2J\u{202e}b"});
        let mut buf = Vec::new();
        let mut ser =
            serde_json::Serializer::with_formatter(&mut buf, Safe(PrettyFormatter::new()));
        serde::Serialize::serialize(&value, &mut ser).expect("serialise");
        let text = String::from_utf8(buf).expect("utf8");
        assert!(
            !text.chars().any(|c| c != '\n' && is_dangerous(c)),
            "{text:?}"
        );
        assert!(text.contains("\\u001b") && text.contains("\\u202e"));
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, value);
    }
}
