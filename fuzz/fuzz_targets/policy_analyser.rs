//! The bucket policy analyser on any text: it must answer (an analysis or
//! an error), never panic, whatever an attacker put in a policy. Whatever
//! it answers, the exposure assessment built on it must hold too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warroom::model::policy::{Owner, analyze};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let owner = Owner {
        account_id: Some("123456789012"),
        canonical_id: Some("abc"),
        org_id: None,
    };
    if let Ok(analysis) = analyze(text, &owner) {
        // Every derived view must be computable.
        let _ = analysis.is_public();
        let _ = analysis.shared_accounts();
    }
});
