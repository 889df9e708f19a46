//! The credentials pane.

use super::*;

#[test]
fn snapshot_credentials_keys_80x24() {
    let s = with_credentials((80, 24));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("AKIAEXAMPLECIDEPLOY1"), "{text}");
    // The hostile user name is drawn inert.
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("analyst\\x1b"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn snapshot_credentials_roles_and_key_pairs_160x48() {
    let mut s = with_credentials((160, 48));
    update(&mut s, code(KeyCode::Right));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("another account (999988887777)"), "{text}");
    assert!(text.contains("Identity Center"), "{text}");
    insta::assert_snapshot!("credentials_roles_160x48", t.backend());
    update(&mut s, code(KeyCode::Right));
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("lt-0123456789abcdef0"), "{text}");
    insta::assert_snapshot!("credentials_key_pairs_160x48", t.backend());
}

#[test]
fn credential_keys_plan_the_action_for_the_selected_row() {
    use warroom::actions::ActionSpec;
    let mut s = with_credentials((80, 24));
    let cmds = update(&mut s, key('d'));
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::DeactivateAccessKey(a))]
            if a.key_id == "AKIAEXAMPLECIDEPLOY1" && a.user.as_deref() == Some("ci-deploy")),
        "{cmds:?}"
    );
    // A key that does not apply to the row says so and asks nothing.
    let mut s = with_credentials((80, 24));
    let cmds = update(&mut s, key('K'));
    assert!(cmds.is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("not on this row"))
    );
    // Roles: s revokes the role's sessions; T locks its trust policy.
    update(&mut s, code(KeyCode::Right));
    let cmds = update(&mut s, key('T'));
    assert!(
        matches!(&cmds[..], [Command::PlanAction(ActionSpec::LockTrustPolicy(r))] if r.role == "web"),
        "{cmds:?}"
    );
}

#[test]
fn identity_center_role_explains_instead_of_failing() {
    let mut s = with_credentials((80, 24));
    update(&mut s, code(KeyCode::Right));
    update(&mut s, key('j'));
    let cmds = update(&mut s, key('s'));
    let [Command::PlanAction(spec)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(spec.name(), "revoke-role-sessions");
    // What the runner answers for a role warroom must not change.
    let why = warroom::model::credentials::RoleKind::IdentityCenter
        .cannot_modify("AWSReservedSSO_Admin_0123456789abcdef")
        .expect("explained");
    update(
        &mut s,
        Msg::CannotDo {
            key: spec.lock_key(),
            what: spec.name().into(),
            why,
        },
    );
    let text = screen_text(&draw(&s));
    assert!(text.contains("permission set"), "{text}");
    assert!(s.busy.is_empty(), "the target is free again");
}

#[test]
fn mark_a_key_by_hand_lists_it_first_and_journals_it() {
    let mut s = with_credentials((80, 24));
    update(&mut s, key('j'));
    // The prompt starts with the selected key's id.
    update(&mut s, key('m'));
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Command::Note { kind, data, .. }]
            if kind == "key_marked" && data["access_key_id"] == "AKIAEXAMPLEANALYST01"),
        "{cmds:?}"
    );
    let text = screen_text(&draw(&s));
    let marked = text.find("AKIAEXAMPLEANALYST01").expect("shown");
    let other = text.find("AKIAEXAMPLECIDEPLOY1").expect("shown");
    assert!(marked < other, "the marked key is listed first");
    assert!(text.contains('★'));
    // A key id from a ticket that is not valid is refused politely.
    update(&mut s, key('m'));
    for _ in 0..20 {
        update(&mut s, code(KeyCode::Backspace));
    }
    for c in "not-a-key".chars() {
        update(&mut s, key(c));
    }
    let cmds = update(&mut s, code(KeyCode::Enter));
    assert!(cmds.is_empty());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.is_error && st.text.contains("not marked"))
    );
}

#[test]
fn filter_narrows_rows_and_esc_clears_it() {
    let mut s = with_credentials((80, 24));
    update(&mut s, key('/'));
    for c in "ci-dep".chars() {
        update(&mut s, key(c));
    }
    let text = screen_text(&draw(&s));
    assert!(text.contains("AKIAEXAMPLECIDEPLOY1"));
    assert!(!text.contains("AKIAEXAMPLEANALYST01"), "{text}");
    // Typed letters went to the filter, not to the keymap (d is deactivate).
    assert!(s.busy.is_empty());
    update(&mut s, code(KeyCode::Esc));
    assert!(screen_text(&draw(&s)).contains("AKIAEXAMPLEANALYST01"));
}

#[test]
fn snapshot_key_pair_rotation_plan_80x24() {
    use warroom::actions::key_pair;
    use warroom::model::credentials::KeyPairFacts;
    let mut s = with_credentials((80, 24));
    let facts = fixtures::credentials();
    let kp: KeyPairFacts = facts.key_pairs.known().expect("pairs")[0].clone();
    let usage = key_pair::Usage {
        region: kp.region.clone(),
        record: warroom::aws::ec2::KeyPairRecord {
            name: kp.name.clone(),
            key_pair_id: kp.key_pair_id.clone(),
            fingerprint: kp.fingerprint.clone(),
            key_type: kp.key_type.clone(),
            created: kp.created.clone(),
            public_key: Some("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ".into()),
        },
        instances: kp.instances.clone(),
        templates: kp.templates.known().cloned().unwrap_or_default(),
    };
    let plan = key_pair::rotation_plan(
        &key_pair::Args::named("ops-key"),
        usage,
        "ops-key-20261122183000",
    );
    assert!(
        plan.blast_radius.contains("i-0abc1234def567890"),
        "{}",
        plan.blast_radius
    );
    update(
        &mut s,
        Msg::Planned {
            key: plan.spec.lock_key(),
            result: Ok(Box::new(plan)),
        },
    );
    let t = draw(&s);
    let text = screen_text(&t);
    assert!(text.contains("Type ops-key to confirm"), "{text}");
    insta::assert_snapshot!(t.backend());
}

#[test]
fn action_log_and_help_open_from_the_credentials_pane_and_back_returns_there() {
    let mut s = with_credentials((80, 24));
    update(&mut s, key('a'));
    assert_eq!(s.view, View::ActionLog);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.view, View::Credentials);
    update(&mut s, key('?'));
    assert!(s.help);
    // The credential keys are in help, further down at 80x24.
    let mut seen = String::new();
    for _ in 0..6 {
        seen.push_str(&screen_text(&draw(&s)));
        update(&mut s, code(KeyCode::PageDown));
    }
    assert!(seen.contains("rotate the EC2 key pair"), "{seen}");
}
