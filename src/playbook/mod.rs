//! The response playbook as data (`assets/playbooks/*.toml`): five parts,
//! each a list of steps with guidance, an optional live check that ticks
//! the step, an optional console action, and an optional branch ("only if
//! credentials were involved"). Loaded and validated here; the checks are
//! in [`checks`], the step states (from the journal) in [`progress`].

pub mod checks;
pub mod progress;

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

pub use checks::Check;

/// The playbook warroom ships (its own words; see the file's header).
pub const BUILTIN: &str = include_str!("../../assets/playbooks/s3-unintended-access.toml");

/// The situations a step can be limited to.
pub const BRANCHES: &[&str] = &["credentials", "not_our_bucket", "ec2", "data_changed"];

/// Console actions a step can open (the names `warroom act` uses).
pub const ACTIONS: &[&str] = &[
    "block-public-access",
    "block-public-access-account",
    "remove-policy-statements",
    "lock-control-plane",
    "reset-object-acls",
    "enable-versioning",
    "deactivate-key",
    "revoke-role-sessions",
    "require-imdsv2",
    "rotate-key-pair",
    "preserve-events",
    "pit-restore",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub guidance: String,
    pub check: Option<Check>,
    pub action: Option<String>,
    pub when: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    part: Vec<FilePart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePart {
    id: String,
    title: String,
    #[serde(default)]
    step: Vec<FileStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStep {
    id: Spanned<String>,
    title: String,
    guidance: String,
    check: Option<Spanned<String>>,
    action: Option<Spanned<String>>,
    when: Option<Spanned<String>>,
}

/// Line and column (1-based) of a byte offset.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl Playbook {
    pub fn builtin() -> Result<Self, PlaybookError> {
        Self::parse(BUILTIN, "assets/playbooks/s3-unintended-access.toml")
    }

    pub fn load(path: &Path) -> Result<Self, PlaybookError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlaybookError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse and validate; every error names the line and column.
    pub fn parse(text: &str, path: &str) -> Result<Self, PlaybookError> {
        let at = |offset: usize, message: String| {
            let (line, column) = position(text, offset);
            PlaybookError::Invalid {
                path: path.to_string(),
                line,
                column,
                message,
            }
        };
        let doc: FileDoc = toml::from_str(text).map_err(|e| {
            at(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
            )
        })?;
        if doc.part.is_empty() {
            return Err(at(0, "a playbook needs at least one [[part]]".into()));
        }
        let mut ids = std::collections::HashSet::new();
        let mut parts = Vec::new();
        for p in doc.part {
            let mut steps = Vec::new();
            for s in p.step {
                if !ids.insert(s.id.get_ref().clone()) {
                    return Err(at(
                        s.id.span().start,
                        format!("step id {:?} is used twice", s.id.get_ref()),
                    ));
                }
                let check = match &s.check {
                    Some(c) => Some(Check::from_name(c.get_ref()).ok_or_else(|| {
                        at(
                            c.span().start,
                            format!(
                                "unknown check {:?} (known: {})",
                                c.get_ref(),
                                Check::ALL
                                    .iter()
                                    .map(|c| c.name())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?),
                    None => None,
                };
                for (field, value, known) in
                    [("action", &s.action, ACTIONS), ("when", &s.when, BRANCHES)]
                {
                    if let Some(v) = value
                        && !known.contains(&v.get_ref().as_str())
                    {
                        return Err(at(
                            v.span().start,
                            format!(
                                "unknown {field} {:?} (known: {})",
                                v.get_ref(),
                                known.join(", ")
                            ),
                        ));
                    }
                }
                steps.push(Step {
                    id: s.id.into_inner(),
                    title: s.title,
                    guidance: s.guidance,
                    check,
                    action: s.action.map(Spanned::into_inner),
                    when: s.when.map(Spanned::into_inner),
                });
            }
            parts.push(Part {
                id: p.id,
                title: p.title,
                steps,
            });
        }
        Ok(Playbook { parts })
    }

    pub fn steps(&self) -> impl Iterator<Item = (&Part, &Step)> {
        self.parts
            .iter()
            .flat_map(|p| p.steps.iter().map(move |s| (p, s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_playbook_is_valid_and_has_five_parts() {
        let p = Playbook::builtin().expect("valid");
        assert_eq!(p.parts.len(), 5);
        assert!(p.steps().filter(|(_, s)| s.check.is_some()).count() >= 10);
        // Every check warroom knows is used by some step.
        for c in Check::ALL {
            assert!(p.steps().any(|(_, s)| s.check == Some(*c)), "{c:?} unused");
        }
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let bad = "[[part]]\nid = \"a\"\ntitle = \"A\"\n\n[[part.step]]\nid = \"s\"\ntitle = \"S\"\nguidance = \"g\"\ncheck = \"bucket_is_fine\"\n";
        let e = Playbook::parse(bad, "mine.toml")
            .expect_err("unknown check")
            .to_string();
        assert!(
            e.starts_with("mine.toml:9:9: unknown check \"bucket_is_fine\""),
            "{e}"
        );
        let e = Playbook::parse("[[part]]\nid = \"a\"\ntitle = 3\n", "x.toml")
            .expect_err("type")
            .to_string();
        assert!(e.starts_with("x.toml:3:"), "{e}");
        let e = Playbook::parse("[[part]\n", "x.toml")
            .expect_err("syntax")
            .to_string();
        assert!(e.starts_with("x.toml:1:"), "{e}");
        let twice = "[[part]]\nid = \"a\"\ntitle = \"A\"\n[[part.step]]\nid = \"s\"\ntitle = \"S\"\nguidance = \"g\"\n[[part.step]]\nid = \"s\"\ntitle = \"T\"\nguidance = \"g\"\n";
        let e = Playbook::parse(twice, "x.toml")
            .expect_err("dup")
            .to_string();
        assert!(
            e.starts_with("x.toml:9:6: step id \"s\" is used twice"),
            "{e}"
        );
        let e = Playbook::parse(
            "[[part]]\nid = \"a\"\ntitle = \"A\"\n[[part.step]]\nid = \"s\"\ntitle = \"S\"\nguidance = \"g\"\nwhen = \"always\"\n",
            "x.toml",
        )
        .expect_err("branch")
        .to_string();
        assert!(e.contains("unknown when \"always\""), "{e}");
    }
}
