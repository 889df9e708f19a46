//! The CloudTrail pane.

use super::*;

#[test]
fn history_search_needs_a_filter_first() {
    let mut s = with_trail((80, 24));
    assert!(update(&mut s, key('L')).is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("filter first"))
    );
}

#[test]
fn snapshot_trail_pane_80x24_and_160x48() {
    let s = with_trail((80, 24));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("CloudTrail: 4 events"), "{text}");
    assert!(text.contains("following"));
    assert!(text.contains("no trail in this region"), "{text}");
    assert!(!text.contains('\u{1b}'), "the object key's escape is inert");
    insta::assert_snapshot!("trail_80x24", t.backend());
    let s = with_trail((160, 48));
    insta::assert_snapshot!("trail_160x48", draw(&s).backend());
}

#[test]
fn trail_filter_pause_detail_pivot_and_preserve() {
    let mut s = with_trail((100, 30));
    // Newest first, following.
    assert_eq!(
        s.trail.selected_event().map(|e| e.event_id.as_str()),
        Some("e4")
    );
    // Scrolling pauses; new events arrive above and the cursor stays put.
    update(&mut s, key('j'));
    assert!(!s.trail.follow);
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::Events {
            source: warroom::tail::Source::Lookup,
            events: vec![trail_event("e5", "10:04:00", "DeleteObject", "")],
        }),
    );
    assert_eq!(
        s.trail.selected_event().map(|e| e.event_id.as_str()),
        Some("e3")
    );
    assert!(screen_text(&draw(&s)).contains("paused"));

    // The detail view shows the record, sanitised.
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.view, View::TrailDetail);
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("access denied"), "why it matters: {text}");
    assert!(text.contains("curl\\x1b]0;owned\\x07"), "{text}");
    insta::assert_snapshot!("trail_detail_100x30", t.backend());
    // Further down the record: the session token CloudTrail logged is not drawn.
    update(&mut s, key('G'));
    let text = screen_text(&draw(&s));
    assert!(
        !text.contains("SECRETTOKENBODY"),
        "a session token is not drawn: {text}"
    );
    assert!(text.contains("(redacted, 20 characters)"), "{text}");
    update(&mut s, code(KeyCode::Esc));

    // A filter typed with / composes and shows in the title.
    update(&mut s, key('/'));
    for _ in 0..40 {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "errors bucket:acme-customer-exports".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Enter));
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("filter: bucket:acme-customer-exports errors"),
        "{text}"
    );
    assert_eq!(s.trail.visible().count(), 1);
    insta::assert_snapshot!("trail_filtered_100x30", draw(&s).backend());
    // The filter is also the history search: L asks CloudTrail Lake.
    let cmds = update(&mut s, key('L'));
    assert!(
        matches!(&cmds[..], [Command::LakeSearch(q)]
            if q.bucket.as_deref() == Some("acme-customer-exports") && q.days == 30),
        "{cmds:?}"
    );
    // On an emulator that does not serve Lake, the answer ends the
    // "asking…" line and says so plainly.
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("asking CloudTrail Lake"))
    );
    s.context.endpoint = Some("http://127.0.0.1:5000".into());
    update(
        &mut s,
        Msg::Tail(warroom::tail::TailMsg::SourceStatus {
            source: warroom::tail::Source::Lake,
            error: Some("HTTP500: the service answered HTTP500 without an error code".into()),
        }),
    );
    let st = s.status.clone().expect("status");
    assert!(st.text.contains("not available here"), "{st:?}");
    assert!(!st.text.contains("asking"), "{st:?}");
    let text = screen_text(&draw(&s));
    assert!(text.contains("Lake: not available here"), "{text}");
    s.context.endpoint = None;
    // A bad filter is refused politely and kept for correction.
    update(&mut s, key('/'));
    for c in " colour:red".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Enter));
    assert!(s.trail.input.is_some());
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
    // Corrected (Esc would clear the whole filter, the one rule).
    for _ in " colour:red".chars() {
        update(&mut s, code(KeyCode::Backspace));
    }
    update(&mut s, code(KeyCode::Enter));
    assert!(s.trail.input.is_none());

    // Preserve what the filter shows.
    let cmds = update(&mut s, key('E'));
    assert!(
        matches!(&cmds[..], [Command::PreserveEvents { records, filter }]
            if records.len() == 1 && filter.contains("errors")),
        "{cmds:?}"
    );

    // Pivot: this account's key → the credentials pane, filtered to it.
    update(&mut s, key('w'));
    assert_eq!(s.view, View::Credentials);
    assert_eq!(s.creds.filter, "AKIAEXAMPLECIDEPLOY1");
}
