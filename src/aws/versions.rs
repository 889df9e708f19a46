//! Object versions: the listing (streamed page by page), server-side copies
//! of an old version onto its key (multipart above 5 GB), and delete-marker
//! work in `DeleteObjects` batches. Nothing here deletes an object version
//! other than a delete marker: callers pass marker version ids only.

use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, Delete, MetadataDirective, ObjectIdentifier,
    ServerSideEncryption, StorageClass, TaggingDirective,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::AwsError;
use super::error::aws_error;
use crate::model::restore::Version;

/// Largest object one CopyObject can copy (S3's limit).
pub const COPY_LIMIT: u64 = 5 * 1024 * 1024 * 1024;
/// Part size for a multipart copy: 512 MiB, or more so that the copy stays
/// within S3's 10,000 parts.
pub const PART_SIZE: u64 = 512 * 1024 * 1024;
/// Keys (or versions) per `DeleteObjects` call: S3's maximum.
pub const DELETE_BATCH: usize = 1000;

/// Every version and delete marker under `prefix`, one page at a time.
/// `on_page` gets each page's entries; versions and markers of a key may
/// be split across pages.
pub async fn list(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    mut on_page: impl FnMut(Vec<Version>),
) -> Result<(), AwsError> {
    let mut key_marker: Option<String> = None;
    let mut version_marker: Option<String> = None;
    loop {
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_string))
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take())
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        // Versions and delete markers share every field but the data ones.
        let entry =
            |key: Option<&str>,
             id: Option<&str>,
             latest: Option<bool>,
             modified: Option<&aws_sdk_s3::primitives::DateTime>| Version {
                key: key.unwrap_or_default().to_string(),
                version_id: id.unwrap_or("null").to_string(),
                is_latest: latest.unwrap_or(false),
                is_delete_marker: true,
                last_modified: modified.map_or(0, |d| d.secs()),
                size: 0,
                etag: String::new(),
                storage_class: String::new(),
            };
        let mut entries = Vec::with_capacity(page.versions().len() + page.delete_markers().len());
        for v in page.versions() {
            entries.push(Version {
                is_delete_marker: false,
                size: v.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                etag: v.e_tag().unwrap_or_default().to_string(),
                storage_class: v
                    .storage_class()
                    .map_or("STANDARD", |s| s.as_str())
                    .to_string(),
                ..entry(v.key(), v.version_id(), v.is_latest(), v.last_modified())
            });
        }
        for m in page.delete_markers() {
            entries.push(entry(
                m.key(),
                m.version_id(),
                m.is_latest(),
                m.last_modified(),
            ));
        }
        on_page(entries);
        if page.is_truncated() != Some(true) {
            return Ok(());
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
        if key_marker.is_none() {
            return Ok(());
        }
    }
}

/// The histories of the keys under `prefix` changed at or after `since`,
/// each handed to `each` as soon as it is complete (newest entry first):
/// the versions view, in the console and headless.
pub async fn changed_since(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: Option<&str>,
    since: i64,
    mut each: impl FnMut(Vec<Version>),
) -> Result<(), AwsError> {
    let mut keys = crate::model::restore::Grouper::default();
    let mut take = |history: Vec<Version>| {
        if history.iter().any(|v| v.last_modified >= since) {
            each(history);
        }
    };
    list(s3, bucket, prefix, |page| {
        for history in keys.page(page) {
            take(history);
        }
    })
    .await?;
    if let Some(last) = keys.finish() {
        take(last);
    }
    Ok(())
}

/// What a CopySource may leave unescaped: the SDK sends it as a header,
/// and S3 wants the key URL-encoded with its slashes kept.
const COPY_SOURCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn copy_source(bucket: &str, key: &str, version_id: &str) -> String {
    format!(
        "{bucket}/{}?versionId={}",
        utf8_percent_encode(key, COPY_SOURCE),
        utf8_percent_encode(version_id, COPY_SOURCE)
    )
}

/// What the listing already says about the version to copy.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    /// The bucket the version is in, when not the one copied into (a
    /// replica: CopyObject copies across buckets, Regions and accounts the
    /// caller may read).
    pub bucket: Option<&'a str>,
    pub version_id: &'a str,
    pub etag: &'a str,
    pub storage_class: &'a str,
    pub size: u64,
}

/// How to copy.
#[derive(Debug, Clone, Copy)]
pub struct CopyOptions {
    /// Read the source's settings (HeadObject) before copying. Needed when
    /// the bucket encrypts with KMS by default; otherwise a copy is made
    /// straight away and checked by its ETag (see [`copy_version`]).
    pub head_first: bool,
    /// Above this many bytes, copy in parts (S3's 5 GB in production).
    pub limit: u64,
    pub part_size: u64,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            head_first: true,
            limit: COPY_LIMIT,
            part_size: PART_SIZE,
        }
    }
}

/// Does the bucket encrypt new objects with KMS by default? (Unreadable
/// counts as yes: the careful path.)
pub async fn default_is_kms(s3: &aws_sdk_s3::Client, bucket: &str) -> bool {
    match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => out.server_side_encryption_configuration().is_none_or(|c| {
            c.rules().iter().any(|r| {
                r.apply_server_side_encryption_by_default()
                    .is_some_and(|d| d.sse_algorithm().as_str().starts_with("aws:kms"))
            })
        }),
        // No default configured: SSE-S3 (S3's own default).
        Err(e) => aws_error(&e).code != "ServerSideEncryptionConfigurationNotFoundError",
    }
}

/// Copy a version of `key` onto `key`: a new current version with the old
/// bytes, metadata, tags, content type, storage class and encryption.
/// Returns the new version's id.
///
/// The quick path (one request): without `head_first`, a single-part
/// source is copied with the COPY directives and its listed storage class,
/// and the copy's ETag is compared with the source's. Equal ETags mean the
/// same bytes under SSE-S3 or none, which is what the bucket's default
/// gave the copy. A different ETag means the source had other encryption
/// (KMS or customer keys): the careful path then copies again with the
/// source's own settings (one more version; nothing is deleted).
pub async fn copy_version(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    src: &Source<'_>,
    opts: CopyOptions,
) -> Result<String, AwsError> {
    let from = src.bucket.unwrap_or(bucket);
    let source = copy_source(from, key, src.version_id);
    let single_part = !src.etag.contains('-');
    // A size of 0 means "not known" (an undo's step): take the careful path.
    if !opts.head_first && single_part && src.size > 0 && src.size <= opts.limit {
        let class = (!src.storage_class.is_empty() && src.storage_class != "STANDARD")
            .then(|| StorageClass::from(src.storage_class));
        let out = copy_object(s3, bucket, key, &source, class, None, None).await?;
        let same = out
            .copy_object_result()
            .and_then(|r| r.e_tag())
            .is_some_and(|e| e == src.etag);
        if same {
            return Ok(out.version_id().unwrap_or("null").to_string());
        }
    }
    copy_carefully(s3, bucket, key, from, src.version_id, &source, opts).await
}

/// One CopyObject onto the key, metadata and tags copied from the source;
/// storage class and encryption as given (None: the bucket's defaults).
async fn copy_object(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    source: &str,
    class: Option<StorageClass>,
    sse: Option<ServerSideEncryption>,
    kms_key: Option<String>,
) -> Result<aws_sdk_s3::operation::copy_object::CopyObjectOutput, AwsError> {
    s3.copy_object()
        .bucket(bucket)
        .key(key)
        .copy_source(source)
        .metadata_directive(MetadataDirective::Copy)
        .tagging_directive(TaggingDirective::Copy)
        .set_storage_class(class)
        .set_server_side_encryption(sse)
        .set_ssekms_key_id(kms_key)
        .send()
        .await
        .map_err(|e| aws_error(&e))
}

/// The copy that reads the source's settings first.
async fn copy_carefully(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    from: &str,
    version_id: &str,
    source: &str,
    opts: CopyOptions,
) -> Result<String, AwsError> {
    // The source's settings, which a copy does not carry over by itself
    // (storage class and encryption fall back to the bucket's defaults).
    let head = s3
        .head_object()
        .bucket(from)
        .key(key)
        .version_id(version_id)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let size = head
        .content_length()
        .and_then(|s| u64::try_from(s).ok())
        .unwrap_or(0);
    let class = head.storage_class().cloned();
    let sse = head.server_side_encryption().cloned();
    let kms_key = head.ssekms_key_id().map(str::to_string);
    if size <= opts.limit {
        let kms_key = kms_key.filter(|_| sse == Some(ServerSideEncryption::AwsKms));
        let class = class.filter(|c| *c != StorageClass::Standard);
        let out = copy_object(s3, bucket, key, source, class, sse, kms_key).await?;
        return Ok(out.version_id().unwrap_or("null").to_string());
    }
    // Multipart: the upload carries what CopyObject's COPY directives would.
    let tags = s3
        .get_object_tagging()
        .bucket(from)
        .key(key)
        .version_id(version_id)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let tagging: Vec<String> = tags
        .tag_set()
        .iter()
        .map(|t| {
            format!(
                "{}={}",
                utf8_percent_encode(t.key(), NON_ALPHANUMERIC),
                utf8_percent_encode(t.value(), NON_ALPHANUMERIC)
            )
        })
        .collect();
    let upload = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .set_content_type(head.content_type().map(str::to_string))
        .set_cache_control(head.cache_control().map(str::to_string))
        .set_content_disposition(head.content_disposition().map(str::to_string))
        .set_content_encoding(head.content_encoding().map(str::to_string))
        .set_content_language(head.content_language().map(str::to_string))
        .set_metadata(head.metadata().cloned())
        .set_storage_class(class.filter(|c| *c != StorageClass::Standard))
        .set_server_side_encryption(sse.clone())
        .set_ssekms_key_id(kms_key.filter(|_| sse == Some(ServerSideEncryption::AwsKms)))
        .set_tagging((!tagging.is_empty()).then(|| tagging.join("&")))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let upload_id = upload.upload_id().unwrap_or_default().to_string();
    let copied = copy_parts(s3, bucket, key, source, &upload_id, size, opts.part_size).await;
    match copied {
        Ok(parts) => {
            let out = s3
                .complete_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(
                    CompletedMultipartUpload::builder()
                        .set_parts(Some(parts))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| aws_error(&e))?;
            Ok(out.version_id().unwrap_or("null").to_string())
        }
        Err(e) => {
            // Parts left behind cost money: abort (best effort; the copy's
            // own error is the one to report).
            let _ = s3
                .abort_multipart_upload()
                .bucket(bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
            Err(e)
        }
    }
}

async fn copy_parts(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    source: &str,
    upload_id: &str,
    size: u64,
    part_size: u64,
) -> Result<Vec<CompletedPart>, AwsError> {
    let part = part_size.max(size.div_ceil(10_000)).max(1);
    let mut parts = Vec::new();
    let mut start = 0u64;
    let mut number = 1i32;
    while start < size {
        let end = (start + part).min(size) - 1;
        let out = s3
            .upload_part_copy()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .copy_source(source)
            .copy_source_range(format!("bytes={start}-{end}"))
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
        parts.push(
            CompletedPart::builder()
                .part_number(number)
                .set_e_tag(
                    out.copy_part_result()
                        .and_then(|r| r.e_tag())
                        .map(str::to_string),
                )
                .build(),
        );
        start = end + 1;
        number += 1;
    }
    Ok(parts)
}

/// What one entry of a `DeleteObjects` call came to.
#[derive(Debug, Clone)]
pub struct Deleted {
    pub key: String,
    /// The version removed (a delete marker), or None for an added marker.
    pub version_id: Option<String>,
    /// The added marker's version id, or the error.
    pub result: Result<Option<String>, AwsError>,
}

/// One `DeleteObjects` call (at most [`DELETE_BATCH`] entries). An entry
/// with a version id removes that version — callers pass delete markers
/// only; one without adds a delete marker. Per entry: the new marker's
/// version id (for an added marker), or the error.
pub async fn delete_batch(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    entries: &[(String, Option<String>)],
) -> Result<Vec<Deleted>, AwsError> {
    let objects: Vec<ObjectIdentifier> = entries
        .iter()
        .map(|(k, v)| {
            ObjectIdentifier::builder()
                .key(k)
                .set_version_id(v.clone())
                .build()
                .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let out = s3
        .delete_objects()
        .bucket(bucket)
        .delete(
            Delete::builder()
                .set_objects(Some(objects))
                .quiet(false)
                .build()
                .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let mut results = Vec::with_capacity(entries.len());
    for (key, version) in entries {
        let failed = out
            .errors()
            .iter()
            .find(|e| e.key() == Some(key) && e.version_id() == version.as_deref());
        let result = match failed {
            Some(e) => Err(AwsError::new(
                e.code().unwrap_or("DeleteFailed"),
                e.message().unwrap_or_default(),
            )),
            None => Ok(out
                .deleted()
                .iter()
                .find(|d| {
                    d.key() == Some(key) && (version.is_some() || d.delete_marker() == Some(true))
                })
                .and_then(|d| d.delete_marker_version_id().map(str::to_string))
                .filter(|_| version.is_none())),
        };
        results.push(Deleted {
            key: key.clone(),
            version_id: version.clone(),
            result,
        });
    }
    Ok(results)
}

/// Versioning status: "Enabled", "Suspended", or "" (never enabled).
pub async fn versioning(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<String, AwsError> {
    let out = s3
        .get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(out
        .status()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default())
}

/// Versions at most probed per listing for SSE-C (one HeadObject each).
pub const SSE_C_PROBES: usize = 200;

/// Which of these versions were written with SSE-C: S3 answers a HEAD of
/// one without its customer key with a bare 400 (no error code: a HEAD
/// has no body), and a HEAD is all it takes without reading any data.
/// Anything else (a 403, a version gone since) says nothing and is left
/// unmarked. At most [`SSE_C_PROBES`] are asked; the rest are counted.
pub async fn sse_c_versions(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    mut versions: Vec<(String, String)>,
) -> (std::collections::BTreeSet<String>, usize) {
    use futures::StreamExt;
    let unasked = versions.len().saturating_sub(SSE_C_PROBES);
    versions.truncate(SSE_C_PROBES);
    // Owned requests: a borrowed closure here is not `Send` enough for
    // the runner's spawned task.
    let heads = versions.into_iter().map(|(key, id)| {
        let head = s3
            .head_object()
            .bucket(bucket)
            .key(key)
            .version_id(&id)
            .send();
        async move {
            match head.await {
                Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 400) => Some(id),
                _ => None,
            }
        }
    });
    let found = futures::stream::iter(heads)
        .buffer_unordered(8)
        .filter_map(|x| async move { x })
        .collect()
        .await;
    (found, unasked)
}

/// The versions of these histories a probe for SSE-C asks about: written
/// at or after `since` (the attacker's writes), delete markers aside.
pub fn probe_candidates(histories: &[Vec<Version>], since: i64) -> Vec<(String, String)> {
    histories
        .iter()
        .flatten()
        .filter(|v| !v.is_delete_marker && v.last_modified >= since)
        .map(|v| (v.key.clone(), v.version_id.clone()))
        .collect()
}

/// Where S3 is with bringing an archived version back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestoreState {
    NotRequested,
    InProgress,
    /// A temporary copy is readable (and copyable) until it expires.
    Restored,
}

/// The restore state of one archived version, from HeadObject's
/// `x-amz-restore` (`ongoing-request="true"` while S3 works on it).
pub async fn restore_state(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    version_id: &str,
) -> Result<RestoreState, AwsError> {
    let head = s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .version_id(version_id)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(match head.restore() {
        None => RestoreState::NotRequested,
        Some(r) if r.contains("ongoing-request=\"true\"") => RestoreState::InProgress,
        Some(_) => RestoreState::Restored,
    })
}

/// The restore states of many versions, 16 at a time: (version id, state
/// or the error reading it).
pub async fn restore_states(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    versions: Vec<(String, String)>,
) -> Vec<(String, Result<RestoreState, AwsError>)> {
    use futures::StreamExt;
    let heads = versions.into_iter().map(|(key, id)| {
        let (s3, bucket) = (s3.clone(), bucket.to_string());
        async move {
            let r = restore_state(&s3, &bucket, &key, &id).await;
            (id, r)
        }
    });
    futures::stream::iter(heads)
        .buffer_unordered(16)
        .collect()
        .await
}

/// Ask S3 to bring an archived version back for `days` at `tier`
/// (Expedited, Standard, Bulk). A request while one is in progress is
/// answered `RestoreAlreadyInProgress`, passed on as the error.
pub async fn request_restore(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    version_id: &str,
    days: i32,
    tier: &str,
) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{GlacierJobParameters, RestoreRequest, Tier};
    let job = GlacierJobParameters::builder()
        .tier(Tier::from(tier))
        .build()
        .map_err(|e| AwsError::new("InvalidRequest", e.to_string()))?;
    s3.restore_object()
        .bucket(bucket)
        .key(key)
        .version_id(version_id)
        .restore_request(
            RestoreRequest::builder()
                .days(days)
                .glacier_job_parameters(job)
                .build(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_escapes_the_key_and_keeps_its_slashes() {
        assert_eq!(
            copy_source("b", "dir/a b+c?.csv", "v1"),
            "b/dir/a%20b%2Bc%3F.csv?versionId=v1"
        );
    }
}
