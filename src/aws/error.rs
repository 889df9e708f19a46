//! Turning SDK errors into something a responder can read: the AWS error code
//! (AccessDenied, Throttling, NoSuchBucket…) and its message. The code is kept
//! because the UI shows it verbatim: "unknown (AccessDenied)".

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

pub use crate::model::facts::FieldError as AwsError;

/// Error codes that mean "this bucket simply has no such configuration".
pub const NOT_CONFIGURED: &[&str] = &[
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "OwnershipControlsNotFoundError",
    "ObjectLockConfigurationNotFoundError",
    "NoSuchTagSet",
    "NoSuchTagSetError",
    "ReplicationConfigurationNotFoundError",
    "NoSuchWebsiteConfiguration",
    "NoSuchCORSConfiguration",
    "NoSuchLifecycleConfiguration",
];

pub fn aws_error<E, R>(err: &SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(refused) = find_source::<super::guard::ReadOnlyRefused>(err) {
        return AwsError::new("ReadOnly", refused.to_string());
    }
    match err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            if let Some(code) = e.code() {
                let message = e
                    .message()
                    .map(str::to_string)
                    .unwrap_or_else(|| DisplayErrorContext(err).to_string());
                return AwsError::new(code, message);
            }
            let raw = format!("{:?}", se.raw());
            // An error body in a shape the SDK's parser does not expect
            // (EC2's <Errors><Error> from an IAM endpoint, as some emulators
            // send): its code is still the fact.
            if let Some(code) = code_from_body(&raw) {
                return AwsError::new(
                    code,
                    message_from_body(&raw).unwrap_or_else(|| DisplayErrorContext(err).to_string()),
                );
            }
            // No code at all (an emulator's 500, a proxy's 403): fall back to
            // the HTTP status, which is still a fact. A 2xx whose body could
            // not be parsed is a malformed answer (seen from emulators), not
            // a refusal.
            let code = match status_from_debug(&raw) {
                Some(s) if s.starts_with("HTTP2") => "BadResponse".to_string(),
                Some(s) => s,
                None => "ServiceError".to_string(),
            };
            // The SDK's full context here is a page of Debug output (the
            // raw response); the status is what a responder can act on.
            let message = match code.as_str() {
                // What the parser said is kept (it names what was wrong).
                "BadResponse" => format!(
                    "the service's answer could not be read ({})",
                    display_chain(e)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                c if c.starts_with("HTTP") => {
                    format!("the service answered {c} without an error code")
                }
                _ => DisplayErrorContext(err).to_string(),
            };
            AwsError::new(code, message)
        }
        SdkError::TimeoutError(_) => AwsError::new("Timeout", DisplayErrorContext(err).to_string()),
        SdkError::DispatchFailure(_) => dispatch_failure(err),
        SdkError::ResponseError(_) => {
            AwsError::new("BadResponse", DisplayErrorContext(err).to_string())
        }
        SdkError::ConstructionFailure(_) => {
            AwsError::new("InvalidRequest", DisplayErrorContext(err).to_string())
        }
        _ => AwsError::new("Unknown", DisplayErrorContext(err).to_string()),
    }
}

/// The first error of type `T` in `err`'s source chain.
fn find_source<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(t) = e.downcast_ref::<T>() {
            return Some(t);
        }
        current = e.source();
    }
    None
}

/// `<Code>X</Code>` in a response body (as its Debug form prints it).
fn code_from_body(raw: &str) -> Option<String> {
    let rest = raw.split("<Code>").nth(1)?;
    let code = rest.split("</Code>").next()?;
    (!code.is_empty() && code.len() <= 64).then(|| code.to_string())
}

fn message_from_body(raw: &str) -> Option<String> {
    let rest = raw.split("<Message>").nth(1)?;
    let m = rest.split("</Message>").next()?;
    Some(
        m.trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .chars()
            .take(500)
            .collect(),
    )
}

fn status_from_debug(raw: &str) -> Option<String> {
    // HttpResponse's Debug prints `status: StatusCode(500)`.
    let rest = raw.split("StatusCode(").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("HTTP{digits}"))
}

/// An SDK result as `()` or our error: for write calls, whose answer
/// carries nothing warroom needs.
pub fn done<T, E, R>(r: Result<T, SdkError<E, R>>) -> Result<(), AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    r.map(|_| ()).map_err(|e| aws_error(&e))
}

/// `Ok(None)` when AWS says the configuration does not exist.
pub fn optional<T, E, R>(r: Result<T, SdkError<E, R>>) -> Result<Option<T>, AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let err = aws_error(&e);
            if NOT_CONFIGURED.contains(&err.code.as_str()) {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// Each error of the chain by its Display, joined: the SDK's
/// `DisplayErrorContext` ends with the whole chain's Debug form (kilobytes),
/// which is for a bug report, not for a responder.
fn display_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        // A layer often repeats the one below it; say each thing once.
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// A request that never reached AWS: no credentials (say what to do), or
/// no connection (say where it tried).
fn dispatch_failure(err: &(dyn std::error::Error + 'static)) -> AwsError {
    let chain = display_chain(err);
    if chain.contains("no credentials found")
        || chain.contains("credential provider was not enabled")
    {
        return AwsError::new(
            "NoCredentials",
            "no AWS credentials found: pass --profile (or set AWS_PROFILE), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; run `aws sts get-caller-identity` to check",
        );
    }
    // One line: the chain's own newlines (a provider list) are flattened.
    let flat: String = chain.split_whitespace().collect::<Vec<_>>().join(" ");
    AwsError::new("ConnectionFailed", flat)
}
