use std::time::Duration;

use super::logs::{before, is_account_folder};
use super::*;

#[test]
fn listing_restarts_twenty_minutes_before_the_last_key() {
    assert_eq!(
        rewound(
            "AWSLogs/1/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261122T0010Z_abc.json.gz",
            20
        ),
        "AWSLogs/1/CloudTrail/us-east-1/2026/11/22/123456789012_CloudTrail_us-east-1_20261121T2350Z"
    );
    assert_eq!(rewound("odd-name.json.gz", 20), "odd-name.json.gz");
}

#[test]
fn seen_ids_are_bounded() {
    let mut s = SeenIds::new(2);
    assert!(s.first_time("a"));
    assert!(!s.first_time("a"));
    assert!(s.first_time("b"));
    assert!(s.first_time("c"));
    assert_eq!(s.len(), 2);
    assert!(s.first_time("a"), "forgotten once out of the window");
}

#[test]
fn only_account_id_folders_are_read_and_a_cursor_returns_its_key() {
    assert!(is_account_folder("AWSLogs/123456789012/"));
    assert!(is_account_folder("p/AWSLogs/o-abc/111122223333/"));
    for junk in [
        "AWSLogs/1/",
        "AWSLogs/12345678901x/",
        "AWSLogs/1234567890123/",
    ] {
        assert!(!is_account_folder(junk), "{junk}");
    }
    let key = "d/a_CloudTrail_r_20261122T1000Z_b.json.gz";
    let cursor = before(key).expect("a cursor");
    assert!(cursor.as_str() < key && key.starts_with(&cursor));
    assert_eq!(before("x"), None, "from the start");
}

#[test]
fn backoff_grows_and_caps() {
    assert_eq!(backoff(0), Duration::from_secs(2));
    assert_eq!(backoff(1), Duration::from_secs(4));
    assert_eq!(backoff(9), Duration::from_secs(60));
}

#[test]
fn gunzip_refuses_garbage_and_reads_concatenated_members() {
    use std::io::Write;
    let gz = |s: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(s).expect("write");
        e.finish().expect("finish")
    };
    let mut two = gz(b"ab");
    two.extend(gz(b"cd"));
    assert_eq!(gunzip(&two).expect("two members"), b"abcd");
    let whole = gz(b"{\"Records\":[]}");
    assert!(
        gunzip(&whole[..whole.len() / 2]).is_err(),
        "a truncated file"
    );
    assert!(gunzip(b"not gzip").is_err());
}
