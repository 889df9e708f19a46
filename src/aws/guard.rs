//! `--read-only`, enforced at one choke point: an interceptor installed on
//! every SDK client warroom builds. Before a request is even serialised, it
//! checks the operation name against a short allowlist of read-only verbs and
//! refuses everything else, so no mutating request can leave the process,
//! whichever code path asks for it.
//!
//! Default-deny: an operation that is not recognisably a read is refused.

use aws_sdk_s3::config::ConfigBag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// Operation-name prefixes that only read.
const READ_PREFIXES: &[&str] = &["Get", "List", "Head", "Describe", "Lookup"];

/// Operations that read although their verb does not say so. CloudTrail
/// Lake's StartQuery runs a SELECT (billed by data scanned, but it changes
/// nothing), and the history search needs it under --read-only too.
const ALSO_READS: &[&str] = &["StartQuery"];

pub fn is_read_only_operation(name: &str) -> bool {
    ALSO_READS.contains(&name)
        || READ_PREFIXES.iter().any(|p| {
            name.strip_prefix(p).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
            })
        })
}

/// The error a refused call fails with (found again by `aws_error`, which
/// turns it into the code `ReadOnly`).
#[derive(Debug, thiserror::Error)]
#[error("refused by --read-only: {service} {operation} would change something")]
pub struct ReadOnlyRefused {
    pub service: String,
    pub operation: String,
}

#[derive(Debug)]
pub struct ReadOnlyGuard;

impl Intercept for ReadOnlyGuard {
    fn name(&self) -> &'static str {
        "warroom::ReadOnlyGuard"
    }

    // Not `read_before_execution`: for client-level interceptors that runs
    // before the operation's metadata is in the config bag. This hook runs
    // after it, and still before the request is serialised or sent.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            // Cannot tell what this is: refuse rather than guess.
            return Err(Box::new(ReadOnlyRefused {
                service: "unknown".into(),
                operation: "unknown operation".into(),
            }));
        };
        if is_read_only_operation(meta.name()) {
            Ok(())
        } else {
            Err(Box::new(ReadOnlyRefused {
                service: meta.service().to_string(),
                operation: meta.name().to_string(),
            }))
        }
    }
}

/// Notices when AWS says the credentials have expired (a session token
/// past its end, mid-incident): an interceptor on every client, so the one
/// flag is set whichever code path met it, and the console can stop
/// sending, say so, and refuse actions before any is half-applied.
#[derive(Debug, Clone, Default)]
pub struct ExpiryWatch(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl ExpiryWatch {
    pub fn expired(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The error codes of an expired session (every protocol carries the code
/// in the error body).
pub fn is_expiry_body(body: &[u8]) -> bool {
    const CODES: &[&[u8]] = &[b"ExpiredToken", b"TokenRefreshRequired"];
    CODES.iter().any(|c| body.windows(c.len()).any(|w| w == *c))
}

impl Intercept for ExpiryWatch {
    fn name(&self) -> &'static str {
        "warroom::ExpiryWatch"
    }

    fn read_after_deserialization(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let status = response.status().as_u16();
        if (400..500).contains(&status) && response.body().bytes().is_some_and(is_expiry_body) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_read_only_operation as ro;

    #[test]
    fn allowlist_is_by_verb_not_by_substring() {
        for name in [
            "GetBucketPolicy",
            "ListBuckets",
            "HeadObject",
            "DescribeInstances",
            "LookupEvents",
            "GetCallerIdentity",
        ] {
            assert!(ro(name), "{name}");
        }
        for name in [
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "CreateBucket",
            "UpdateAccessKey",
            "Getaway",
            "Listen",
            "CopyObject",
            "RestoreObject",
        ] {
            assert!(!ro(name), "{name}");
        }
    }
}
