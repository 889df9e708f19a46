//! A CloudTrail log file from the trail bucket: gzip, then
//! `{"Records":[…]}`. Truncated, corrupt or hostile files must be refused
//! or read record by record, never panic or take unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Both ways in: the raw bytes as a (decompressed) file, and as gzip.
    let _ = warroom::model::trail::parse_log_file(data);
    if let Ok(json) = warroom::aws::trail::gunzip(data) {
        let _ = warroom::model::trail::parse_log_file(&json);
    }
});
