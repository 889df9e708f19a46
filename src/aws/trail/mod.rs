//! CloudTrail sources: the LookupEvents poller (management events) behind
//! one shared rate limiter per account and region, trail discovery (which
//! trail logs S3 data events for which bucket), and the incremental reader
//! of trail log files in S3.

//!
//! One job per file: `limiter` (the shared LookupEvents rate), `lookup`
//! (the poller), `discover` (which trails log what), `logs` (the log file
//! reader and its backlog), `lake` (CloudTrail Lake).

mod discover;
mod lake;
mod limiter;
mod logs;
mod lookup;
#[cfg(test)]
mod tests;

pub use discover::*;
pub use lake::*;
pub use limiter::*;
pub use logs::*;
pub use lookup::*;
