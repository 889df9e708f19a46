//! The credential watches pane.

use super::*;

#[test]
fn an_alert_shows_a_banner_everywhere_rings_once_and_turns_the_verdict_red() {
    let mut s = with_watches();
    assert!(s.watches.ring, "the bell is asked for");
    // The runtime rings it and clears it; a second alert would ask again.
    s.watches.ring = false;
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("ALERT W1: access key AKIAEXAMPLECIDEPLOY1"),
        "{text}"
    );
    // Still there on another pane.
    update(&mut s, code(KeyCode::Tab));
    let text = screen_text(&draw(&s));
    assert!(text.contains("ALERT W1"), "{text}");
    // W (outside the credentials pane, where it watches the row) opens
    // the watches; the banner has been seen and goes.
    update(&mut s, code(KeyCode::Esc));
    update(&mut s, key('W'));
    assert_eq!(s.view, View::Watches);
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(!text.contains("ALERT W1:"), "{text}");
    assert!(text.contains("ACTIVITY"), "{text}");
    assert!(text.contains("CLEAN"), "{text}");
    // Both clocks of W1, 12:05 after the cutoff: 17:55 of the window and
    // 32:55 to final.
    assert!(text.contains("17:55"), "{text}");
    assert!(text.contains("32:55"), "{text}");
    // Last seen: time, IP, event.
    assert!(
        text.contains("2026-11-28T10:07:00Z GetObject from 185.220.101.7"),
        "{text}"
    );
    insta::assert_snapshot!("watches_80x24", t.backend());
    // The verdict cell is drawn in the error style (red with colour on).
    let mut colour = with_watches();
    colour.no_color = false;
    update(&mut colour, key('W'));
    let t = draw(&colour);
    let buf = t.backend().buffer();
    let (x, y) = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| {
            (0..8).all(|i| {
                buf.cell((x + i, y))
                    .is_some_and(|c| c.symbol() == &"ACTIVITY"[i as usize..=i as usize])
            })
        })
        .expect("ACTIVITY drawn");
    assert_eq!(
        buf.cell((x, y)).map(|c| c.fg),
        Some(ratatui::style::Color::Red)
    );
}

#[test]
fn the_clock_ticks_only_redraw_an_open_watch_on_screen() {
    let mut s = with_watches();
    update(&mut s, key('W'));
    s.dirty = false;
    update(&mut s, Msg::Tick(CUTOFF + 13 * 60));
    assert!(s.dirty);
    assert!(screen_text(&draw(&s)).contains("17:00"));
    update(&mut s, code(KeyCode::Tab));
    s.dirty = false;
    update(&mut s, Msg::Tick(CUTOFF + 14 * 60));
    assert!(!s.dirty, "nothing counts down on the dashboard");
}

#[test]
fn a_watch_is_started_by_hand_from_the_credentials_pane_or_typed_in() {
    use warroom::model::watch::Target;
    let mut s = with_credentials((80, 24));
    let cmds = update(&mut s, key('W'));
    assert_eq!(
        cmds,
        vec![Command::StartWatch(Target::AccessKey {
            key_id: "AKIAEXAMPLECIDEPLOY1".into()
        })]
    );
    // Roles section: the role, with the role semantics.
    update(&mut s, code(KeyCode::Right));
    let cmds = update(&mut s, key('W'));
    assert!(
        matches!(&cmds[..], [Command::StartWatch(Target::Role { arn })] if arn.ends_with(":role/web")),
        "{cmds:?}"
    );
    // In the watches pane, W asks for a target; bad input is refused and
    // stays to be corrected.
    let mut s = with_watches();
    update(&mut s, key('W'));
    assert!(update(&mut s, key('W')).is_empty());
    for c in "AKIA-nope".chars() {
        update(&mut s, key(c));
    }
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(
        s.status.as_ref().is_some_and(|st| st.is_error),
        "{:?}",
        s.status
    );
    assert_eq!(s.watches.input.as_deref(), Some("AKIA-nope"));
    for _ in 0..9 {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "arn:aws:iam::123456789012:user/ci".chars() {
        update(&mut s, key(c));
    }
    let text = screen_text(&draw(&s));
    assert!(
        text.contains("watch: arn:aws:iam::123456789012:user/ci"),
        "{text}"
    );
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        cmds,
        vec![Command::StartWatch(Target::User {
            arn: "arn:aws:iam::123456789012:user/ci".into()
        })]
    );
    assert!(s.watches.input.is_none());
    // Without an incident directory there is no journal to keep it in.
    let mut s = scanned((80, 24));
    update(&mut s, key('W'));
    assert!(update(&mut s, key('W')).is_empty());
    assert!(s.watches.input.is_none());
    assert!(s.status.as_ref().is_some_and(|st| st.is_error));
}

#[test]
fn tab_reaches_the_watches_after_the_trail_and_a_final_verdict_is_shown() {
    use warroom::watch::WatchMsg;
    let mut s = with_watches();
    update(&mut s, code(KeyCode::Tab)); // credentials
    update(&mut s, code(KeyCode::Tab)); // trail
    assert_eq!(s.view, View::Trail);
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Watches);
    update(
        &mut s,
        Msg::Watch(WatchMsg::Final {
            watch_id: "W1".into(),
            verdict: "activity".into(),
        }),
    );
    assert!(!s.watches.any_open());
    let text = screen_text(&draw(&s));
    assert!(text.contains("final verdict ACTIVITY"), "{text}");
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Checklist);
    update(&mut s, code(KeyCode::Tab));
    assert_eq!(s.view, View::Dashboard);
}
