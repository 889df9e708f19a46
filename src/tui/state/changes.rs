//! The attacker's changes view: the rows last gathered, and what could not
//! be read.

use crate::model::changes::Change;

#[derive(Debug, Default)]
pub struct ChangesState {
    /// A gather is under way.
    pub loading: bool,
    /// Gathered at least once.
    pub loaded: bool,
    pub rows: Vec<Change>,
    /// Sources that could not be read, each a line.
    pub problems: Vec<String>,
    /// The gather itself failed.
    pub error: Option<String>,
    /// The window's start the rows were gathered from.
    pub since: Option<i64>,
    pub events_read: usize,
    pub selected: usize,
}
