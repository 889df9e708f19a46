//! Styles. With NO_COLOR set, no colour is used at all: emphasis is carried by
//! bold/reverse and the verdict words themselves (PUBLIC, SHARED…).

use ratatui::style::{Color, Modifier, Style};

use crate::model::exposure::{Severity, Verdict};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(no_color: bool) -> Self {
        Self { color: !no_color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn verdict(&self, v: Verdict) -> Style {
        match v {
            Verdict::Public => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Verdict::Shared => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Verdict::Unknown => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            Verdict::Private => self.fg(Color::Green),
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Public => self.verdict(Verdict::Public),
            Severity::Shared => self.verdict(Verdict::Shared),
            Severity::Unknown => self.verdict(Verdict::Unknown),
            Severity::Mitigated => self.fg(Color::Cyan),
            Severity::Note => self.dim(),
        }
    }

    pub fn plain(&self) -> Style {
        Style::new()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}

/// A marker glyph per severity, so meaning survives without colour.
pub fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Public => "✗",
        Severity::Shared => "!",
        Severity::Unknown => "?",
        Severity::Mitigated => "~",
        Severity::Note => "·",
    }
}
