//! Text to draw: untrusted strings made safe, and long names fitted to a
//! column without losing the part a responder needs.

use crate::sanitize::clean;

/// Untrusted text (from AWS or an attacker), made safe to draw.
pub fn untrusted(s: &str) -> String {
    clean(s).into_owned()
}

/// `s` (already made safe) in at most `width` columns, keeping the part a
/// responder needs: the end of an ARN, a path or an id (a user's name, a
/// bucket, a key) stays whole, and the less useful middle gives way to "…".
/// `arn:aws:iam::123456789012:user/mallory` in 24 columns is
/// `arn:aws:iam::12…/mallory`, the name whole.
pub fn fit(s: &str, width: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= width {
        return s.to_string();
    }
    if width <= 1 {
        return "…".chars().take(width).collect();
    }
    // The last segment (after the last '/' or ':'), with its separator.
    let tail_start = chars
        .iter()
        .rposition(|c| matches!(c, '/' | ':'))
        .filter(|&i| i + 1 < chars.len());
    let keep_tail = match tail_start {
        // A segment that fits with a little of the start before it.
        Some(i) if chars.len() - i < width.saturating_sub(1) => chars.len() - i,
        // No separator, or a segment too long to keep whole: the middle
        // goes, the end (where ids differ) is kept a little longer.
        _ => (width - 1).div_ceil(2).max(width - 1 - (width - 1) / 3),
    };
    let keep_head = width - 1 - keep_tail;
    let head: String = chars[..keep_head].iter().collect();
    let tail: String = chars[chars.len() - keep_tail..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod fit_tests {
    use super::fit;

    #[test]
    fn names_keep_their_meaningful_end() {
        let arn = "arn:aws:iam::123456789012:user/mallory";
        assert_eq!(fit(arn, 80), arn);
        let cut = fit(arn, 24);
        assert_eq!(cut.chars().count(), 24);
        assert!(cut.ends_with("/mallory"), "{cut}");
        assert!(cut.starts_with("arn:aws:"), "{cut}");
        // An endpoint keeps its port.
        let url = fit("http://127.0.0.1:43921", 14);
        assert!(url.ends_with(":43921"), "{url}");
        // No separator: both ends stay, the end a little longer.
        let ev = fit("PutAccountPublicAccessBlock", 16);
        assert_eq!(ev.chars().count(), 16);
        assert!(ev.starts_with("PutAc") && ev.ends_with("Block"), "{ev}");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit("abc", 0), "");
    }
}
