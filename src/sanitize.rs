//! The one sanitiser every untrusted string passes through before it is drawn
//! or printed.
//!
//! Policy documents, ACL display names, tags, AWS error messages and (later)
//! CloudTrail fields are attacker-controlled. A raw ESC, a C1 control, or a
//! bidi override could move the cursor, rewrite the responder's screen, set
//! the window title, or make `arn:aws:iam::111` read as something else. We do
//! not strip such characters (that would hide the attack); we replace each with
//! a visible, inert escape like `\x1b` or `\u{202e}` so the responder sees
//! exactly what is there.

use std::borrow::Cow;

/// Returns `s` unchanged when it is safe to draw, otherwise a copy with every
/// dangerous character replaced by a visible escape.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`clean`], but keeps newlines so multi-line text (a pretty-printed
/// policy) can be split into lines by the caller. Tabs become spaces.
pub fn clean_multiline(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_dangerous(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if is_dangerous(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Characters that must never reach a terminal raw.
pub fn is_dangerous(c: char) -> bool {
    c.is_control() // C0 (incl. ESC, BEL, CR, LF, TAB), DEL, C1 (incl. CSI 0x9b)
        || matches!(c,
            '\u{200B}'..='\u{200F}' // zero-width space/joiners, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line/paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061C}' // Arabic letter mark
            | '\u{FEFF}' // BOM / zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation controls
        )
}

fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let code = c as u32;
    // Writing to a String cannot fail.
    let _ = if code <= 0xff {
        write!(out, "\\x{code:02x}")
    } else {
        write!(out, "\\u{{{code:04x}}}")
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn safe_text_is_borrowed() {
        assert!(matches!(
            clean("arn:aws:s3:::bucket/é/日本"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(clean("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(clean("title\x1b]0;pwned\x07"), "title\\x1b]0;pwned\\x07");
        assert_eq!(clean("c1\u{9b}31m"), "c1\\x9b31m");
        assert_eq!(clean("line\r\nnext"), "line\\x0d\\x0anext");
    }

    #[test]
    fn bidi_overrides_become_visible() {
        assert_eq!(clean("user\u{202e}gnp.exe"), "user\\u{202e}gnp.exe");
        assert_eq!(clean("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn multiline_keeps_newlines_only() {
        assert_eq!(clean_multiline("a\n\tb\x1b"), "a\n    b\\x1b");
    }

    proptest! {
        #[test]
        fn output_never_contains_dangerous_chars(s in any::<String>()) {
            prop_assert!(!clean(&s).chars().any(is_dangerous));
            prop_assert!(!clean_multiline(&s).chars().any(|c| c != '\n' && is_dangerous(c)));
        }
    }
}
