//! The views of the console and the one Tab ring through them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Dashboard,
    Detail,
    ActionLog,
    /// IAM keys, roles, EC2 key pairs and instances (Tab from the dashboard).
    Credentials,
    CredentialDetail,
    /// The live CloudTrail tail (Tab from the credentials pane).
    Trail,
    TrailDetail,
    /// The credential watches (Tab from the CloudTrail pane, or W).
    Watches,
    /// A bucket's changed keys and their versions (V).
    Versions,
    /// The playbook checklist (C, or Tab after the watches).
    Checklist,
    /// What the incident's principals changed (`!`, from any pane; part of
    /// the CloudTrail pane).
    Changes,
}

impl View {
    /// The Tab ring, in order: each pane once. Every other view belongs to
    /// the pane it is opened from ([`View::pane`]); Tab and Backtab move
    /// along this ring and nowhere else.
    pub const RING: [View; 5] = [
        View::Dashboard,
        View::Credentials,
        View::Trail,
        View::Watches,
        View::Checklist,
    ];

    /// The ring pane this view belongs to (`None`: the action log, which
    /// returns to where it was opened from).
    pub fn pane(self) -> Option<View> {
        match self {
            View::Dashboard | View::Detail | View::Versions => Some(View::Dashboard),
            View::Credentials | View::CredentialDetail => Some(View::Credentials),
            View::Trail | View::TrailDetail | View::Changes => Some(View::Trail),
            View::Watches => Some(View::Watches),
            View::Checklist => Some(View::Checklist),
            View::ActionLog => None,
        }
    }

    /// The pane Tab (`forward`) or Backtab leads to from this view.
    pub fn neighbour(self, forward: bool) -> Option<View> {
        let here = self.pane()?;
        let i = Self::RING.iter().position(|v| *v == here)?;
        let n = Self::RING.len();
        Some(
            Self::RING[if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }],
        )
    }

    /// What the help and the hints call a ring pane.
    pub fn pane_name(self) -> &'static str {
        match self.pane() {
            Some(View::Dashboard) => "buckets",
            Some(View::Credentials) => "credentials",
            Some(View::Trail) => "CloudTrail",
            Some(View::Watches) => "watches",
            Some(View::Checklist) => "playbook",
            _ => "action log",
        }
    }
}
