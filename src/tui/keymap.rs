//! Keys as data: `assets/keymap.toml`, with the user's
//! `~/.config/warroom/config.toml` `[keys]` merged over it. The help overlay
//! and the hint line are generated from the same table, so they never lie.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

use crate::actions::{ActionKind, TargetKind};
use crate::tui::state::view::View;

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Everything a key can do. The order here is the order of the help screen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Open,
    Back,
    Rescan,
    BlockPublicAccess,
    BlockPublicAccessAccount,
    RemovePolicyStatements,
    DeletePolicy,
    CloseAccessPoint,
    CloseSideDoor,
    Quarantine,
    ResetBucketAcl,
    ResetObjectAcls,
    DisableAcls,
    EnableVersioning,
    EnableEncryption,
    BlockSseC,
    DenyDestruction,
    RemoveLifecycleRules,
    EnableObjectLock,
    RestoreArchived,
    MfaDelete,
    Restore,
    Versions,
    SwitchPane,
    PrevPane,
    NextSection,
    PrevSection,
    Filter,
    MarkKey,
    Deactivate,
    Delete,
    RevokeSessions,
    DenyAll,
    LockTrust,
    DetachPolicies,
    RequireImdsV2,
    RotateKeyPair,
    Pivot,
    TailBucket,
    FilterPrincipal,
    Preserve,
    LakeSearch,
    Watch,
    Changes,
    Revert,
    Checklist,
    StepDone,
    StepNotApplicable,
    StepSkip,
    StepNote,
    Hint,
    Finish,
    ActionLog,
    Undo,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Help,
    Quit,
}

impl Action {
    pub fn describe(self) -> &'static str {
        match self {
            Action::Open => "open the selected bucket's detail",
            Action::Back => "back / close",
            Action::Rescan => "rescan all buckets",
            Action::BlockPublicAccess => "block public access on the selected bucket (asks first)",
            Action::BlockPublicAccessAccount => {
                "block public access for the whole account (asks first)"
            }
            Action::RemovePolicyStatements => {
                "remove public/shared policy statements: control plane first (asks first)"
            }
            Action::DeletePolicy => "delete the selected bucket's policy (asks first)",
            Action::Quarantine => {
                "quarantine the bucket: deny everything to all but you, every door (asks first)"
            }
            Action::CloseAccessPoint => {
                "close the bucket's open access point, the worst first: its policy goes, or the access point itself when the tail saw it made (asks first)"
            }
            Action::CloseSideDoor => {
                "close a side door, the worst first: a CloudFront distribution serving it to anyone, a KMS grant or key statement letting a shared account decrypt, replication or notifications to another account, access log grants to others, website, CORS (asks first)"
            }
            Action::ResetBucketAcl => "reset the bucket ACL to owner-only (asks first)",
            Action::ResetObjectAcls => "reset every object ACL to owner-only (asks first)",
            Action::DisableAcls => "disable ACLs: BucketOwnerEnforced (asks first)",
            Action::EnableVersioning => "enable versioning (asks first)",
            Action::EnableEncryption => "enable default encryption, SSE-S3 (asks first)",
            Action::DenyDestruction => {
                "deny deletes, lifecycle, versioning and encryption changes to all but you (asks first)"
            }
            Action::RemoveLifecycleRules => {
                "remove lifecycle rules: the ones the attacker planted, else those that expire data (asks first)"
            }
            Action::BlockSseC => {
                "block SSE-C writes: objects rewritten with a key only the attacker holds (asks first)"
            }
            Action::RestoreArchived => {
                "ask S3 to restore the archived (Glacier) versions the restore to the typed time needs (asks first)"
            }
            Action::EnableObjectLock => {
                "Object Lock: new versions locked 30 days, governance mode; cannot be turned off (asks first)"
            }
            Action::MfaDelete => "how to turn on MFA delete (explains; changes nothing)",
            Action::Restore => "restore the bucket to a point in time (asks first)",
            Action::Versions => "versions: keys changed in the incident window, with history",
            Action::SwitchPane => "next pane",
            Action::PrevPane => "previous pane (the same round, backwards)",
            Action::Checklist => "the playbook checklist",
            Action::StepDone => "checklist: step to do → in progress → done (and back)",
            Action::StepNotApplicable => "checklist: the step does not apply here (again: undo)",
            Action::StepSkip => "checklist: skip the step",
            Action::StepNote => "checklist: write a note on the step",
            Action::Hint => "Game Day: explain the next step of the checklist",
            Action::Finish => "Game Day: finish the game and show the score",
            Action::Watch => {
                "watches: watch the selected credential, or type one in (watches pane)"
            }
            Action::Pivot => {
                "CloudTrail: go to the event's principal (credentials pane, or filter)"
            }
            Action::TailBucket => "the CloudTrail tail, filtered to the selected bucket",
            Action::FilterPrincipal => "CloudTrail: filter the tail to the event's principal",
            Action::Preserve => "CloudTrail: preserve the filtered events as evidence",
            Action::LakeSearch => {
                "CloudTrail: search 30 days of history in CloudTrail Lake for the filter's bucket/principal/key"
            }
            Action::NextSection => "credentials: next section (keys, roles, key pairs, instances)",
            Action::PrevSection => "credentials: previous section",
            Action::Filter => "credentials: filter the rows",
            Action::MarkKey => "credentials: mark an access key the incident points at",
            Action::Deactivate => "credentials: deactivate the access key (asks first)",
            Action::Delete => {
                "credentials: delete the access key or key pair (irreversible; asks first)"
            }
            Action::RevokeSessions => {
                "credentials: revoke the role's or user's sessions (asks first)"
            }
            Action::DenyAll => "credentials: escalation: deny-all policy on the role (asks first)",
            Action::LockTrust => "credentials: escalation: nobody may assume the role (asks first)",
            Action::DetachPolicies => {
                "credentials: escalation: detach the role's managed policies (asks first)"
            }
            Action::RequireImdsV2 => {
                "credentials: require IMDSv2 on the instance / the role's instances (asks first)"
            }
            Action::RotateKeyPair => "credentials: rotate the EC2 key pair (asks first)",
            Action::Changes => {
                "what the incident's principals changed: keys, users, policies, trust, the trail (and whether it stands)"
            }
            Action::Revert => {
                "changes: take back the selected change (deactivate the key, delete the user or password, detach the policy, restore the trust, start the trail; asks first)"
            }
            Action::ActionLog => "show / hide the action log",
            Action::Undo => "undo the selected action (in the action log)",
            Action::Down => "move down",
            Action::Up => "move up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "go to top",
            Action::Bottom => "go to bottom",
            Action::Help => "show / hide this help",
            Action::Quit => "quit",
        }
    }

    /// The help screen's line: the description, with the Tab ring spelled
    /// from [`View::RING`], its one home, so the two cannot drift.
    pub fn help(self) -> std::borrow::Cow<'static, str> {
        match self {
            Action::SwitchPane => {
                let ring: Vec<&str> = View::RING.iter().map(|v| v.pane_name()).collect();
                format!("{}: {}", self.describe(), ring.join(" → ")).into()
            }
            _ => self.describe().into(),
        }
    }

    /// The actions of the one table ([`ActionKind`]) this key can start:
    /// which one depends on the selected row (`Z` picks the worst side
    /// door, Delete an access key or a key pair).
    pub fn starts(self) -> &'static [ActionKind] {
        use ActionKind as K;
        match self {
            Action::BlockPublicAccess => &[K::BlockPublicAccess],
            Action::BlockPublicAccessAccount => &[K::BlockPublicAccessAccount],
            Action::RemovePolicyStatements => &[K::RemovePolicyStatements],
            Action::DeletePolicy => &[K::DeleteBucketPolicy],
            Action::CloseAccessPoint => &[K::DeleteAccessPointPolicy, K::DeleteAccessPoint],
            Action::CloseSideDoor => &[
                K::DisableDistribution,
                K::RevokeGrant,
                K::RemoveKeyStatement,
                K::DisableReplicationRule,
                K::RemoveNotification,
                K::RemoveLogGrants,
                K::DisableWebsite,
                K::ResetCors,
            ],
            Action::Quarantine => &[K::Quarantine],
            Action::ResetBucketAcl => &[K::ResetBucketAcl],
            Action::ResetObjectAcls => &[K::ResetObjectAcls],
            Action::DisableAcls => &[K::DisableAcls],
            Action::EnableVersioning => &[K::EnableVersioning],
            Action::EnableEncryption => &[K::EnableEncryption],
            Action::BlockSseC => &[K::BlockSseC],
            Action::EnableObjectLock => &[K::EnableObjectLock],
            Action::RestoreArchived => &[K::RestoreArchived],
            Action::DenyDestruction => &[K::DenyDestruction],
            Action::RemoveLifecycleRules => &[K::RemoveLifecycleRules],
            Action::Restore => &[K::PitRestore, K::Undelete, K::RestoreVersion],
            Action::Deactivate => &[K::DeactivateKey],
            Action::Delete => &[K::DeleteKey, K::DeleteKeyPair],
            Action::RevokeSessions => &[K::RevokeRoleSessions, K::RevokeUserSessions],
            Action::DenyAll => &[K::DenyAllRole],
            Action::LockTrust => &[K::LockTrustPolicy],
            Action::DetachPolicies => &[K::DetachManagedPolicies],
            Action::RequireImdsV2 => &[K::RequireImdsV2],
            Action::RotateKeyPair => &[K::RotateKeyPair],
            // Among others the credential and account keys start too.
            Action::Revert => &[
                K::StartLogging,
                K::DeleteLoginProfile,
                K::DetachPolicy,
                K::DeleteInlinePolicy,
                K::RemoveFromGroup,
                K::RestoreTrustPolicy,
                K::DeleteUser,
                K::DeactivateKey,
                K::LockTrustPolicy,
                K::BlockPublicAccessAccount,
                K::RemovePolicyStatements,
            ],
            _ => &[],
        }
    }

    /// Would this action change anything in AWS? An action of the table,
    /// or an undo of one.
    pub fn mutates(self) -> bool {
        !self.starts().is_empty() || self == Action::Undo
    }

    /// The credentials pane's actions on its selected row: those that
    /// start an action on a credential rather than a bucket.
    pub fn is_credential_action(self) -> bool {
        // Revert acts on a change of the changes pane, not a credential row.
        self != Action::Revert
            && self
                .starts()
                .iter()
                .any(|k| !matches!(k.target(), TargetKind::Bucket | TargetKind::Account))
    }

    /// A short word for the hint line; None keeps it out of the hint line.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Action::Open => Some("detail"),
            Action::Back => Some("back"),
            Action::Rescan => Some("rescan"),
            Action::BlockPublicAccess => Some("block"),
            Action::RemovePolicyStatements => Some("policy"),
            Action::ActionLog => Some("log"),
            Action::SwitchPane => Some("pane"),
            Action::PrevPane => None,
            Action::Filter => Some("filter"),
            Action::NextSection => Some("section"),
            Action::Pivot => Some("who"),
            Action::TailBucket => Some("tail"),
            Action::FilterPrincipal => Some("same who"),
            Action::Preserve => Some("preserve"),
            Action::Watch => Some("watch"),
            Action::Changes => Some("changes"),
            Action::Revert => Some("revert"),
            Action::Checklist => Some("checklist"),
            Action::StepDone => Some("done"),
            Action::Undo => Some("undo"),
            Action::Help => Some("help"),
            Action::Quit => Some("quit"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Self {
        // Shift is implied by the character itself ("G", "?"): drop it so
        // terminals that do and do not report it behave the same.
        let mods = match ev.code {
            // BackTab is Shift-Tab: crossterm reports it with SHIFT set.
            KeyCode::Char(_) | KeyCode::BackTab => ev.modifiers - KeyModifiers::SHIFT,
            _ => ev.modifiers,
        };
        Key {
            code: ev.code,
            mods,
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().map_err(|_| format!("bad key {s:?}"))?)
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            _ => return Err(format!("unknown key name {s:?}")),
        };
        Ok(Key { code, mods })
    }

    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        match self.code {
            KeyCode::Enter => s.push('⏎'),
            KeyCode::Esc => s.push_str("Esc"),
            KeyCode::Tab => s.push_str("Tab"),
            KeyCode::BackTab => s.push_str("S-Tab"),
            KeyCode::Up => s.push('↑'),
            KeyCode::Down => s.push('↓'),
            KeyCode::Left => s.push('←'),
            KeyCode::Right => s.push('→'),
            KeyCode::Home => s.push_str("Home"),
            KeyCode::End => s.push_str("End"),
            KeyCode::PageUp => s.push_str("PgUp"),
            KeyCode::PageDown => s.push_str("PgDn"),
            KeyCode::F(n) => s.push_str(&format!("F{n}")),
            KeyCode::Char(' ') => s.push_str("Space"),
            KeyCode::Char(c) => s.push(c),
            _ => s.push('?'),
        }
        s
    }
}

#[derive(Debug, Deserialize)]
struct KeymapFile {
    #[serde(default)]
    keys: BTreeMap<Action, Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    /// Action → its keys, in help order.
    bindings: BTreeMap<Action, Vec<Key>>,
}

/// The settings file's errors: keys and watch settings share the file.
pub use crate::config::ConfigError as KeymapError;

impl Keymap {
    pub fn defaults() -> Self {
        // The bundled file is part of the binary and covered by a test.
        Self::build(DEFAULT_KEYMAP, "assets/keymap.toml", None).unwrap_or_else(|_| Self {
            by_key: HashMap::new(),
            bindings: BTreeMap::new(),
        })
    }

    /// Defaults merged with the user's file, if it exists.
    pub fn load(user_file: Option<&Path>) -> Result<Self, KeymapError> {
        let user = crate::config::read_user_file(user_file)?;
        Self::build(
            DEFAULT_KEYMAP,
            "assets/keymap.toml",
            user.as_ref().map(|(t, p)| (t.as_str(), p.as_str())),
        )
    }

    fn build(defaults: &str, name: &str, user: Option<(&str, &str)>) -> Result<Self, KeymapError> {
        let parse = |text: &str, path: &str| -> Result<KeymapFile, KeymapError> {
            toml::from_str(text).map_err(|e| KeymapError::Invalid {
                path: path.to_string(),
                message: e.to_string(),
            })
        };
        let mut merged = parse(defaults, name)?.keys;
        if let Some((text, path)) = user {
            for (action, keys) in parse(text, path)?.keys {
                merged.insert(action, keys);
            }
        }
        let mut by_key = HashMap::new();
        let mut bindings = BTreeMap::new();
        for (action, names) in merged {
            let mut keys = Vec::new();
            for n in names {
                let key = Key::parse(&n).map_err(|message| KeymapError::Invalid {
                    path: user.map(|(_, p)| p).unwrap_or(name).to_string(),
                    message: format!("[keys] {action:?}: {message}"),
                })?;
                by_key.insert(key, action);
                keys.push(key);
            }
            bindings.insert(action, keys);
        }
        // Ctrl-C always quits, so a bad config can never trap the responder.
        by_key.insert(
            Key {
                code: KeyCode::Char('c'),
                mods: KeyModifiers::CONTROL,
            },
            Action::Quit,
        );
        Ok(Self { by_key, bindings })
    }

    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.by_key.get(&Key::from_event(ev)).copied()
    }

    /// (keys, description) rows for the help overlay.
    pub fn help_rows(&self) -> Vec<(String, std::borrow::Cow<'static, str>)> {
        self.bindings
            .iter()
            .map(|(a, keys)| {
                let labels: Vec<String> = keys.iter().map(Key::label).collect();
                (labels.join(" "), a.help())
            })
            .collect()
    }

    /// "? help · r rescan · q quit" style hints, first key of each.
    /// The first key bound to `action` ("b", "S-Tab"), if any.
    pub fn key_of(&self, action: Action) -> Option<String> {
        Some(self.bindings.get(&action)?.first()?.label())
    }

    pub fn hints(&self, only: &[Action]) -> Vec<(String, &'static str)> {
        only.iter()
            .filter_map(|a| {
                let key = self.bindings.get(a)?.first()?;
                Some((key.label(), a.hint()?))
            })
            .collect()
    }
}

/// `$XDG_CONFIG_HOME/warroom/config.toml`, else `~/.config/warroom/config.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WARROOM_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("warroom").join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action of the table has a key, and a key's bucket action is one
    /// of those the key says it starts.
    #[test]
    fn keys_start_the_actions_of_the_table() {
        use strum::IntoEnumIterator;
        let km = Keymap::build(DEFAULT_KEYMAP, "default", None).expect("bundled keymap");
        for kind in ActionKind::iter() {
            let key = Action::iter().find(|a| a.starts().contains(&kind));
            let key = key.unwrap_or_else(|| panic!("no key starts {}", kind.name()));
            assert!(
                km.bindings.get(&key).is_some_and(|k| !k.is_empty()),
                "{key:?} ({}) unbound",
                kind.name()
            );
        }
        for a in Action::iter() {
            if let Some(spec) = crate::tui::offers::bucket_action(a, "b") {
                assert!(a.starts().contains(&spec.kind()), "{a:?}: {}", spec.name());
            }
        }
    }

    #[test]
    fn bundled_keymap_parses_and_binds_every_action() {
        let km = Keymap::build(DEFAULT_KEYMAP, "default", None).expect("bundled keymap");
        for a in [
            Action::Open,
            Action::Back,
            Action::Rescan,
            Action::BlockPublicAccess,
            Action::DeletePolicy,
            Action::CloseAccessPoint,
            Action::CloseSideDoor,
            Action::Quarantine,
            Action::ActionLog,
            Action::Undo,
            Action::Down,
            Action::Up,
            Action::PageDown,
            Action::PageUp,
            Action::Top,
            Action::Bottom,
            Action::Help,
            Action::Quit,
        ] {
            assert!(
                km.bindings.get(&a).is_some_and(|k| !k.is_empty()),
                "{a:?} unbound"
            );
        }
    }

    #[test]
    fn user_file_overrides_and_bad_file_is_refused_with_location() {
        let km = Keymap::build(
            DEFAULT_KEYMAP,
            "default",
            Some(("[keys]\nrescan = [\"f5\"]\n", "user.toml")),
        )
        .expect("valid override");
        let f5 = KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE);
        let r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE);
        assert_eq!(km.action(&f5), Some(Action::Rescan));
        assert_eq!(km.action(&r), None);

        let err = Keymap::build(
            DEFAULT_KEYMAP,
            "default",
            Some(("[keys]\nrescan = [\"nope-key\"]\n", "user.toml")),
        )
        .expect_err("bad key name");
        assert!(err.to_string().contains("user.toml"), "{err}");
        let err = Keymap::build(DEFAULT_KEYMAP, "default", Some(("[keys\n", "user.toml")))
            .expect_err("bad toml");
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    #[test]
    fn ctrl_c_always_quits() {
        let km = Keymap::build(
            DEFAULT_KEYMAP,
            "default",
            Some(("[keys]\nquit = [\"x\"]\n", "u.toml")),
        )
        .expect("ok");
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.action(&ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn shifted_characters_match_regardless_of_reported_shift() {
        let km = Keymap::defaults();
        let g_shift = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(km.action(&g_shift), Some(Action::Bottom));
    }
}
