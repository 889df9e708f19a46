//! `--read-only`: one choke point refuses every mutating call before any
//! request leaves the process.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::*;
use warroom::model::exposure::Verdict;
use warroom::scan::{self, ScanOptions};

/// A loopback server that counts the connections it receives and answers
/// each with an empty 200.
fn counting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(1000) {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut s = stream;
            let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (endpoint, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_mutating_request_leaves_the_process() {
    let (endpoint, count) = counting_server();
    let c = read_only_clients(&endpoint).await;
    assert!(c.is_read_only());

    let eu = c.s3_in("eu-west-1");
    let results = vec![
        (
            "PutBucketPolicy",
            c.s3.put_bucket_policy()
                .bucket("b")
                .policy("{}")
                .send()
                .await
                .err()
                .map(|e| warroom::aws::error::aws_error(&e)),
        ),
        (
            "DeleteBucketPolicy",
            c.s3.delete_bucket_policy()
                .bucket("b")
                .send()
                .await
                .err()
                .map(|e| warroom::aws::error::aws_error(&e)),
        ),
        (
            "PutBucketAcl",
            c.s3.put_bucket_acl()
                .bucket("b")
                .acl(aws_sdk_s3::types::BucketCannedAcl::Private)
                .send()
                .await
                .err()
                .map(|e| warroom::aws::error::aws_error(&e)),
        ),
        (
            "CreateBucket",
            c.s3.create_bucket()
                .bucket("b")
                .send()
                .await
                .err()
                .map(|e| warroom::aws::error::aws_error(&e)),
        ),
        (
            "PutObject (other region)",
            eu.put_object()
                .bucket("b")
                .key("k")
                .send()
                .await
                .err()
                .map(|e| warroom::aws::error::aws_error(&e)),
        ),
        (
            "PutPublicAccessBlock (S3 Control)",
            c.s3control
                .put_public_access_block()
                .account_id(ACCOUNT)
                .public_access_block_configuration(
                    aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder().build(),
                )
                .send()
                .await
                .err()
                .map(|e| warroom::aws::error::aws_error(&e)),
        ),
    ];
    for (what, err) in &results {
        let err = err
            .as_ref()
            .unwrap_or_else(|| panic!("{what} was not refused"));
        assert_eq!(err.code, "ReadOnly", "{what}: {err:?}");
        assert!(
            err.message.contains("refused by --read-only"),
            "{what}: {}",
            err.message
        );
    }
    assert_eq!(
        count.load(Ordering::SeqCst),
        0,
        "a mutating request reached the server"
    );

    // The counter works: a read does reach it.
    let _ = c.s3.get_bucket_policy().bucket("b").send().await;
    assert!(
        count.load(Ordering::SeqCst) >= 1,
        "reads must still be sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_scan_sees_everything_and_changes_nothing() {
    let emu = start_moto();
    let admin = clients(&emu).await;
    create_bucket(&admin, "ro-public").await;
    let policy = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::ro-public/*"}]}"#;
    put_policy(&admin, "ro-public", policy).await;

    let ro = read_only_clients(&emu.endpoint()).await;
    let (report, _) = scan::collect(
        &ro,
        &ScanOptions {
            buckets: Vec::new(),
            concurrency: 4,
            ..Default::default()
        },
    )
    .await;
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!(report.buckets[0].assessment.verdict, Verdict::Public);

    let refused = ro
        .s3
        .delete_bucket_policy()
        .bucket("ro-public")
        .send()
        .await
        .expect_err("refused");
    assert_eq!(warroom::aws::error::aws_error(&refused).code, "ReadOnly");
    let after = admin
        .s3
        .get_bucket_policy()
        .bucket("ro-public")
        .send()
        .await
        .expect("policy still there");
    assert_eq!(after.policy(), Some(policy), "state read back is unchanged");
}
