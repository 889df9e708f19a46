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
            let code = e.code().map(str::to_string).unwrap_or_else(|| {
                // No code in the body (an emulator's 500, a proxy's 403):
                // fall back to the HTTP status, which is still a fact.
                // A 2xx whose body could not be parsed is a malformed answer
                // (seen from emulators), not a refusal.
                let raw = format!("{:?}", se.raw());
                match status_from_debug(&raw) {
                    Some(s) if s.starts_with("HTTP2") => "BadResponse".to_string(),
                    Some(s) => s,
                    None => "ServiceError".to_string(),
                }
            });
            let message = e
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| DisplayErrorContext(err).to_string());
            AwsError::new(code, message)
        }
        SdkError::TimeoutError(_) => AwsError::new("Timeout", DisplayErrorContext(err).to_string()),
        SdkError::DispatchFailure(_) => {
            AwsError::new("ConnectionFailed", DisplayErrorContext(err).to_string())
        }
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

fn status_from_debug(raw: &str) -> Option<String> {
    // HttpResponse's Debug prints `status: StatusCode(500)`.
    let rest = raw.split("StatusCode(").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("HTTP{digits}"))
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
