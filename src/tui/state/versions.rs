//! The versions view's state: the bucket, the window, what was read.

use super::view::View;
use crate::aws::AwsError;
use crate::tui::msg::VersionsList;

#[derive(Debug, Clone)]
pub struct VersionsState {
    pub bucket: String,
    pub since: i64,
    /// None while loading.
    pub list: Option<Result<VersionsList, AwsError>>,
    pub selected: usize,
    /// The view it was opened from: Esc goes back there.
    pub from: View,
}
