//! One CloudTrail record, as LookupEvents or a log file gives it: any
//! JSON an attacker can shape (user agents, keys, ARNs) must normalise or
//! be refused, never panic; and what is drawn from it must be inert.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warroom::model::trail::{normalise_str, without_secrets};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(e) = normalise_str(text) {
        let label = warroom::sanitize::clean(&e.actor.label()).into_owned();
        assert!(!label.chars().any(warroom::sanitize::is_dangerous), "{label:?}");
        let _ = without_secrets(text);
    }
});
