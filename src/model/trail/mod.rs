//! One event model for everything CloudTrail says, whichever way it
//! arrived (LookupEvents, trail log files in S3, CloudTrail Lake), the
//! filters the tail applies, and which events matter for this incident.
//!
//! Pure: records come in as JSON text, events go out. The raw record is
//! kept verbatim for the detail view and for evidence. One job per file:
//! `event` (the model), `packed` (records held compressed), `record`
//! (reading one record, leniently, and cutting secrets), `log_file` (a
//! trail's log objects), `filter` (the tail's filter and what matters to
//! the incident), `ring` (the newest events, de-duplicated), `info` (what
//! a trail logs), `lake` (CloudTrail Lake's SQL and rows).

mod event;
mod filter;
mod info;
mod lake;
mod log_file;
mod packed;
mod record;
mod ring;
#[cfg(test)]
mod tests;

pub use event::*;
pub use filter::*;
pub use info::*;
pub use lake::*;
pub use log_file::*;
pub use packed::Raw;
pub use record::*;
pub use ring::*;
