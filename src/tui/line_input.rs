//! One line of typed text (a filter, a key id, an ARN): the keys every
//! prompt in the console shares.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// A character was added or removed.
    Changed,
    /// A key that does nothing here (or the line is full).
    Ignored,
    /// Esc: give up the line.
    Cancel,
    /// Enter: use the line.
    Submit,
    /// Ctrl-C: quit, as everywhere.
    Quit,
}

/// Ctrl-C, which quits from any line.
pub fn is_quit(key: &KeyEvent) -> bool {
    key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// Apply one key to `text`, which never grows past `max` bytes.
pub fn edit(text: &mut String, key: KeyEvent, max: usize) -> Edit {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        _ if is_quit(&key) => Edit::Quit,
        KeyCode::Char(ch) if !ctrl && text.len() + ch.len_utf8() <= max => {
            text.push(ch);
            Edit::Changed
        }
        KeyCode::Backspace => {
            text.pop();
            Edit::Changed
        }
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Enter => Edit::Submit,
        _ => Edit::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_the_limit() {
        let mut t = String::new();
        assert_eq!(edit(&mut t, key(KeyCode::Char('a')), 2), Edit::Changed);
        assert_eq!(edit(&mut t, key(KeyCode::Char('é')), 2), Edit::Ignored);
        assert_eq!(edit(&mut t, key(KeyCode::Char('b')), 2), Edit::Changed);
        assert_eq!(edit(&mut t, key(KeyCode::Char('c')), 2), Edit::Ignored);
        assert_eq!(t, "ab");
        assert_eq!(edit(&mut t, key(KeyCode::Backspace), 2), Edit::Changed);
        assert_eq!(t, "a");
        assert_eq!(edit(&mut t, key(KeyCode::Enter), 2), Edit::Submit);
        assert_eq!(edit(&mut t, key(KeyCode::Esc), 2), Edit::Cancel);
        assert_eq!(
            edit(
                &mut t,
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                2
            ),
            Edit::Quit
        );
    }
}
