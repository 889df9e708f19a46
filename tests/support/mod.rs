//! Shared test harness: a real AWS API (moto) per test, on a free loopback
//! port, killed when the test ends; clients with fixed fake credentials; and
//! small SDK helpers to build the state a test asserts on.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

use warroom::aws::Clients;
use warroom::emulator::Emulator;

pub mod gameday;
pub mod tmux;

pub const REGION: &str = "us-east-1";
/// moto's account.
pub const ACCOUNT: &str = "123456789012";

pub fn python() -> PathBuf {
    std::env::var_os("WARROOM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"))
}

pub fn start_moto() -> Emulator {
    Emulator::start(&python(), &[]).unwrap_or_else(|e| {
        panic!("cannot start moto ({e}); run `make venv` or set WARROOM_PYTHON")
    })
}

pub async fn clients_with(endpoint: &str, key: &str, secret: &str) -> Clients {
    let sdk = warroom::aws::emulator_sdk_config(endpoint, REGION, key, secret).await;
    Clients::from_sdk_config(sdk, false).expect("region is set")
}

/// The secret key and session token of [`session_clients`]: temporary
/// credentials, as a responder's SSO session or assumed role has, distinct
/// from [`clients`]' so a test can search for them.
pub const SESSION_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/responderSessionSecretKey";
pub const SESSION_TOKEN: &str =
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQresponderSessionToken==";

/// Clients signing with temporary credentials (key id, secret, session token).
pub async fn session_clients(endpoint: &str) -> Clients {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "ASIARESPONDER0000001",
            SESSION_SECRET,
            Some(SESSION_TOKEN.to_string()),
            None,
            "test-session",
        ))
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint)
        .load()
        .await;
    Clients::from_sdk_config(sdk, false).expect("region is set")
}

/// Clients in --read-only mode.
pub async fn read_only_clients(endpoint: &str) -> Clients {
    let sdk =
        warroom::aws::emulator_sdk_config(endpoint, REGION, "AKIATESTTESTTESTTEST", "test-secret")
            .await;
    Clients::from_sdk_config(sdk, true).expect("region is set")
}

pub async fn clients(emu: &Emulator) -> Clients {
    clients_with(&emu.endpoint(), "AKIATESTTESTTESTTEST", "test-secret").await
}

pub async fn iam(emu: &Emulator) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&clients(emu).await.sdk)
}

pub async fn create_bucket(c: &Clients, name: &str) {
    warroom::aws::seed::create_bucket(c, name, REGION)
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e:?}"));
}

/// The bucket owner's canonical user id, as its ACL names it.
pub async fn owner_id(c: &Clients, bucket: &str) -> String {
    c.s3.get_bucket_acl()
        .bucket(bucket)
        .send()
        .await
        .expect("acl")
        .owner()
        .and_then(|o| o.id())
        .map(str::to_string)
        .expect("owner id")
}

pub async fn put_policy(c: &Clients, bucket: &str, doc: &str) {
    c.s3.put_bucket_policy()
        .bucket(bucket)
        .policy(doc)
        .send()
        .await
        .unwrap_or_else(|e| panic!("policy on {bucket}: {e:?}"));
}

/// Switch moto's IAM authentication on for every request from now on.
pub fn enable_moto_auth(emu: &Emulator) {
    http(emu, "POST", "/moto-api/reset-auth", "0");
}

/// moto that counts the requests it receives (see `request_counts`).
pub fn start_counting_moto() -> Emulator {
    Emulator::start(&python(), &[("WARROOM_COUNT_REQUESTS", "1")]).unwrap_or_else(|e| {
        panic!("cannot start moto ({e}); run `make venv` or set WARROOM_PYTHON")
    })
}

/// How many requests the emulator received, by "METHOD /path?subresource".
pub fn request_counts(emu: &Emulator) -> std::collections::HashMap<String, u64> {
    let body = http(emu, "GET", "/_warroom/requests", "");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("counts: {e}: {body}"))
}

/// POST to one of the launcher's test hooks (`/_warroom/…`).
pub fn emulator_hook(emu: &Emulator, path_and_query: &str, body: &str) {
    http(emu, "POST", path_and_query, body);
}

/// One plain HTTP request to the emulator itself (its test and admin
/// hooks), which must answer 200; the body of the answer.
fn http(emu: &Emulator, method: &str, path_and_query: &str, body: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).expect("connect to moto");
    write!(
        s,
        "{method} {path_and_query} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    assert!(
        resp.starts_with("HTTP/1.1 200") || resp.starts_with("HTTP/1.0 200"),
        "{method} {path_and_query}: {resp}"
    );
    resp.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}

/// The text of one frame of the console, drawn at `width` x `height` as a
/// terminal would draw it.
pub fn frame(state: &warroom::tui::app::State, width: u16, height: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("a test terminal");
    t.draw(|f| warroom::tui::render::render(state, f))
        .expect("draw");
    t.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

/// From now on, answer requests as `mode` says (`ok`, `down`, `expired`,
/// `throttle:N`): the emulator must run with `WARROOM_FAULTS=1`.
pub fn fault(emu: &Emulator, mode: &str) {
    emulator_hook(emu, &format!("/_warroom/fault?mode={mode}"), "");
}

/// Put `count` objects into `bucket` inside the emulator, numbered from
/// `first`, `{i}` in `key` and `body` standing for the number (8 digits);
/// bodies are gzip'd. The emulator must run with `WARROOM_BULK=1`.
pub fn bulk_put(emu: &Emulator, bucket: &str, key: &str, body: &str, first: u64, count: u64) {
    let spec = serde_json::json!({
        "bucket": bucket, "key": key, "body": body, "first": first, "count": count,
    });
    emulator_hook(emu, "/_warroom/bulk", &spec.to_string());
}

/// Put `n` small objects named `{prefix}{i:05}`, each with a public-read ACL.
pub async fn put_public_objects(c: &Clients, bucket: &str, prefix: &str, n: usize) {
    use futures::StreamExt;
    futures::stream::iter(0..n)
        .map(|i| {
            let s3 = c.s3.clone();
            let key = format!("{prefix}{i:05}");
            let bucket = bucket.to_string();
            async move {
                s3.put_object()
                    .bucket(bucket)
                    .key(&key)
                    .acl(aws_sdk_s3::types::ObjectCannedAcl::PublicRead)
                    .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
}

/// A moto server, clients, and an incident directory for action tests.
pub struct Bench {
    pub emu: Emulator,
    pub c: Clients,
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub incident: tokio::sync::Mutex<warroom::incident::Incident>,
}

/// A fresh emulator with these buckets, and an empty incident.
pub async fn bench(buckets: &[&str]) -> Bench {
    bench_with(buckets, &[]).await
}

/// [`bench`], the emulator started with these test hooks
/// (`WARROOM_RESTORE_SECS`, …).
pub async fn bench_with(buckets: &[&str], env: &[(&str, &str)]) -> Bench {
    let emu = Emulator::start(&python(), env).unwrap_or_else(|e| {
        panic!("cannot start moto ({e}); run `make venv` or set WARROOM_PYTHON")
    });
    let c = clients(&emu).await;
    for b in buckets {
        create_bucket(&c, b).await;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inc");
    let incident =
        tokio::sync::Mutex::new(warroom::incident::Incident::open(Some(&dir)).expect("incident"));
    Bench {
        emu,
        c,
        _tmp: tmp,
        dir,
        incident,
    }
}

impl Bench {
    pub fn cx(&self) -> warroom::actions::Cx<'_> {
        warroom::actions::Cx::new(&self.c, &self.incident)
    }

    /// Plan and apply with confirmation; the outcome must be Done.
    pub async fn apply(
        &self,
        spec: &warroom::actions::ActionSpec,
    ) -> (warroom::actions::Plan, String) {
        let plan = warroom::actions::plan(&self.c, spec).await.expect("plan");
        let out = warroom::actions::execute(&self.cx(), &plan, true, "test", false)
            .await
            .expect("execute");
        let warroom::actions::Outcome::Done { action_id, .. } = out else {
            panic!("{out:?}")
        };
        (plan, action_id)
    }

    /// Undo; the outcome must be Done (state read back equals the record).
    pub async fn undo(&self, id: &str) {
        let out = warroom::actions::undo(&self.cx(), id, "test")
            .await
            .expect("undo");
        assert!(
            matches!(out, warroom::actions::Outcome::Done { .. }),
            "{out:?}"
        );
    }

    /// Undo is refused: the action cannot be reversed.
    pub async fn undo_refused(&self, id: &str) {
        let undo = warroom::actions::undo(&self.cx(), id, "test").await;
        assert!(
            matches!(undo, Err(warroom::actions::ActionError::CannotUndo { .. })),
            "{undo:?}"
        );
    }

    /// The journal's chain and every evidence hash verify.
    pub fn journal_ok(&self) {
        let r = warroom::incident::verify::verify(&self.dir).expect("verify");
        assert!(r.ok(), "{:?}", r.problems);
    }

    pub fn journal_text(&self) -> String {
        std::fs::read_to_string(self.dir.join("journal.jsonl")).expect("journal")
    }
}

/// A new IAM user with an inline policy and an access key: (key id, secret).
pub async fn user_with_key(c: &Clients, user: &str, policy: Option<&str>) -> (String, String) {
    c.iam
        .create_user()
        .user_name(user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("user {user}: {e:?}"));
    if let Some(doc) = policy {
        c.iam
            .put_user_policy()
            .user_name(user)
            .policy_name("test")
            .policy_document(doc)
            .send()
            .await
            .unwrap_or_else(|e| panic!("policy of {user}: {e:?}"));
    }
    let out = c
        .iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("key of {user}: {e:?}"));
    let key = out.access_key().expect("an access key");
    (
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    )
}

/// The warroom binary pointed at the emulator, with the fixed fake
/// credentials and no user config; stdin closed, output captured.
pub fn warroom(emu: &Emulator) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"));
    cmd.args(["--endpoint-url", &emu.endpoint(), "--region", REGION])
        .env("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// How many bulk-action batches the journal holds with `phase` ("done",
/// "started", "resumed"), read straight from the file: a torn last line,
/// from a kill mid-write, is skipped.
pub fn batch_lines(dir: &std::path::Path, phase: &str) -> usize {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| {
            e["kind"] == warroom::actions::object_acls::BATCH_KIND && e["data"]["phase"] == phase
        })
        .count()
}

/// Run a bulk action and kill it (SIGKILL: no clean-up, as a crash or a
/// dropped session would) once `batches` are journaled as done.
pub fn kill_after_batches(mut cmd: std::process::Command, dir: &std::path::Path, batches: usize) {
    let mut child = cmd.spawn().expect("spawn");
    let started = std::time::Instant::now();
    while batch_lines(dir, "done") < batches {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "finished before it could be killed"
        );
        assert!(started.elapsed().as_secs() < 180, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().expect("kill");
    child.wait().expect("reap");
}

/// The command exited 0; otherwise fail showing what it printed.
pub fn assert_success(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first line of the child's stdout that `wanted` accepts, waited for
/// at most `secs`; on timeout the test fails saying what it waited for
/// (the child is killed by the caller's clean-up).
pub fn line_within(
    child: &mut std::process::Child,
    what: &str,
    secs: u64,
    wanted: impl Fn(&str) -> bool + Send + 'static,
) -> String {
    use std::io::BufRead;
    let out = child.stdout.take().expect("stdout piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let line = std::io::BufReader::new(out)
            .lines()
            .map_while(Result::ok)
            .find(|l| wanted(l));
        let _ = tx.send(line);
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(Some(line)) => line,
        Ok(None) => {
            let _ = child.kill();
            panic!("the child's output ended without {what}")
        }
        Err(_) => {
            let _ = child.kill();
            panic!("waited {secs} s for {what}: none came")
        }
    }
}

/// A test that hangs up on its child relies on SIGHUP's default action
/// (terminate). A child inherits an ignored SIGHUP (`make test` under
/// `nohup`), so put the default back in the child before it runs.
pub fn default_sighup(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only async-signal-safe calls are
    // allowed; signal(2) is one.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
            Ok(())
        })
    }
}

/// Reap the child, waiting at most `secs`; fail saying what was awaited.
pub fn wait_within(child: &mut std::process::Child, what: &str, secs: u64) {
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed().as_secs() >= secs {
            let _ = child.kill();
            let _ = child.wait();
            panic!("waited {secs} s for {what}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A distribution in front of the bucket, as CloudFront's own API holds it
/// (moto; the launcher keeps the origin's OriginAccessControlId, which
/// moto drops). `oac`/`oai` say how CloudFront fetches; `signed`: the
/// default behaviour requires a trusted key group.
pub async fn put_distribution(
    c: &warroom::aws::Clients,
    bucket: &str,
    oac: Option<&str>,
    oai: &str,
    signed: bool,
) -> (String, String) {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig,
        TrustedKeyGroups, ViewerProtocolPolicy,
    };
    let origin = Origin::builder()
        .id("s3-origin")
        .domain_name(format!("{bucket}.s3.us-east-1.amazonaws.com"))
        .s3_origin_config(
            S3OriginConfig::builder()
                .origin_access_identity(oai)
                .build(),
        )
        .set_origin_access_control_id(oac.map(str::to_string))
        .build()
        .expect("origin");
    let mut behaviour = DefaultCacheBehavior::builder()
        .target_origin_id("s3-origin")
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps);
    if signed {
        behaviour = behaviour.trusted_key_groups(
            TrustedKeyGroups::builder()
                .enabled(true)
                .quantity(1)
                .items("K2JCJMDEHXQW5F")
                .build()
                .expect("key groups"),
        );
    }
    let config = DistributionConfig::builder()
        .caller_reference(format!("ref-{bucket}"))
        .comment("")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(behaviour.build().expect("behaviour"))
        .build()
        .expect("config");
    let out = c
        .cloudfront
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .expect("distribution");
    let d = out.distribution().expect("distribution");
    (d.id().to_string(), d.arn().to_string())
}

/// An S3 Control Block Public Access with all four settings off: what an
/// attacker's access point or Multi-Region Access Point is created with.
pub fn control_pab_off() -> aws_sdk_s3control::types::PublicAccessBlockConfiguration {
    aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(false)
        .ignore_public_acls(false)
        .block_public_policy(false)
        .restrict_public_buckets(false)
        .build()
}
