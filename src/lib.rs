//! warroom: a terminal console for responding to unintended access to an
//! Amazon S3 bucket.
//!
//! Data flows one way: AWS → [`aws`] → [`model`] → [`tui`] state → render;
//! and key → `update()` → command → [`aws`] → message → `update()`.

pub mod actions;
pub mod after_action;
pub mod aws;
pub mod changes;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod emulator;
#[doc(hidden)]
pub mod fixtures;
pub mod gameday;
pub mod incident;
pub mod model;
pub mod playbook;
pub mod report;
pub mod sanitize;
pub mod scan;
pub mod tail;
pub mod time;
pub mod tui;
pub mod watch;
