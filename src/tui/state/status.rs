//! The status line and the notices drawn over everything.

/// A read-only explanation (e.g. how to turn on MFA delete).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub is_error: bool,
    /// The answer this line waits for, if it waits: only that answer
    /// replaces it. Any other status (an action's result) clears it, so a
    /// reload in the background never overwrites that result.
    pub awaiting: Option<Awaiting>,
}

/// What a status line can be waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    /// The IAM users, roles and key pairs the responder asked to read.
    Credentials,
    /// A bucket's versions the responder asked to read.
    Versions,
    /// The incident's events being written to the evidence store.
    Preserving,
    /// A watch the responder started by hand, being journaled.
    Watch,
    /// The attacker's changes being gathered.
    Changes,
}

pub fn info(text: impl Into<String>) -> Status {
    Status {
        text: text.into(),
        is_error: false,
        awaiting: None,
    }
}

/// A status line that waits for `what` (see [`Status::awaiting`]).
pub fn waiting(text: impl Into<String>, what: Awaiting) -> Status {
    Status {
        text: text.into(),
        is_error: false,
        awaiting: Some(what),
    }
}

pub fn error(text: impl Into<String>) -> Status {
    Status {
        text: text.into(),
        is_error: true,
        awaiting: None,
    }
}
