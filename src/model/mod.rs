//! Pure data and pure logic: no I/O, no async. Everything here is testable
//! without a network or a terminal.

pub mod changes;
pub mod credentials;
pub mod exposure;
pub mod facts;
pub mod ids;
pub mod kms;
pub mod ledger;
pub mod lifecycle;
pub mod policy;
pub mod restore;
pub mod trail;
pub mod watch;

#[cfg(test)]
mod exposure_tests;
#[cfg(test)]
mod policy_tests;
