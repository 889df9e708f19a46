//! EC2: key pairs, the instances and launch templates that use them, and
//! instance metadata options. Every list is read to its last page, in each
//! region asked for.

use aws_sdk_ec2::types::{
    HttpTokensState, InstanceMetadataEndpointState, InstanceMetadataProtocolState,
    InstanceMetadataTagsState, KeyType, RequestLaunchTemplateData,
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::error::{aws_error, done};
use super::{AwsError, Clients};
use crate::model::credentials::{ImdsOptions, InstanceFacts, KeyPairFacts, TemplateVersionRef};

fn date(d: Option<&aws_sdk_ec2::primitives::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
}

/// Every instance in a region (all pages), with its key pair, instance
/// profile and metadata options.
pub async fn instances(c: &Clients, region: &str) -> Result<Vec<InstanceFacts>, AwsError> {
    let mut out = Vec::new();
    let mut pages = c
        .ec2_in(region)
        .describe_instances()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| aws_error(&e))?;
        for i in page.reservations().iter().flat_map(|r| r.instances()) {
            let m = i.metadata_options();
            out.push(InstanceFacts {
                id: i.instance_id().unwrap_or_default().to_string(),
                region: region.to_string(),
                state: i
                    .state()
                    .and_then(|s| s.name())
                    .map(|n| n.as_str().to_string()),
                key_name: i.key_name().map(str::to_string),
                instance_profile_arn: i
                    .iam_instance_profile()
                    .and_then(|p| p.arn())
                    .map(str::to_string),
                imds: ImdsOptions {
                    http_tokens: m.and_then(|m| m.http_tokens()).map(|v| v.as_str().into()),
                    http_endpoint: m.and_then(|m| m.http_endpoint()).map(|v| v.as_str().into()),
                    http_put_response_hop_limit: m.and_then(|m| m.http_put_response_hop_limit()),
                    http_protocol_ipv6: m
                        .and_then(|m| m.http_protocol_ipv6())
                        .map(|v| v.as_str().into()),
                    instance_metadata_tags: m
                        .and_then(|m| m.instance_metadata_tags())
                        .map(|v| v.as_str().into()),
                },
            });
        }
    }
    Ok(out)
}

/// One instance (in `region`), or a NotFound error.
pub async fn instance(c: &Clients, region: &str, id: &str) -> Result<InstanceFacts, AwsError> {
    let all = instances(c, region).await?;
    all.into_iter().find(|i| i.id == id).ok_or_else(|| {
        AwsError::new(
            "InvalidInstanceID.NotFound",
            format!("no instance {id} in {region}"),
        )
    })
}

/// Send every metadata option field, not only the one that changes: some
/// implementations reset the fields a request leaves out.
pub async fn set_imds_options(
    c: &Clients,
    region: &str,
    id: &str,
    o: &ImdsOptions,
) -> Result<(), AwsError> {
    done(
        c.ec2_in(region)
            .modify_instance_metadata_options()
            .instance_id(id)
            .set_http_tokens(o.http_tokens.as_deref().map(HttpTokensState::from))
            .set_http_endpoint(
                o.http_endpoint
                    .as_deref()
                    .map(InstanceMetadataEndpointState::from),
            )
            .set_http_put_response_hop_limit(o.http_put_response_hop_limit)
            .set_http_protocol_ipv6(
                o.http_protocol_ipv6
                    .as_deref()
                    .map(InstanceMetadataProtocolState::from),
            )
            .set_instance_metadata_tags(
                o.instance_metadata_tags
                    .as_deref()
                    .map(InstanceMetadataTagsState::from),
            )
            .send()
            .await,
    )
}

/// A key pair as EC2 describes it, public key included (recorded before a
/// deletion, so the key can be re-imported if ever needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPairRecord {
    pub name: String,
    pub key_pair_id: Option<String>,
    pub fingerprint: Option<String>,
    pub key_type: Option<String>,
    pub created: Option<String>,
    pub public_key: Option<String>,
}

pub async fn key_pairs(c: &Clients, region: &str) -> Result<Vec<KeyPairRecord>, AwsError> {
    let out = c
        .ec2_in(region)
        .describe_key_pairs()
        .include_public_key(true)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    Ok(out
        .key_pairs()
        .iter()
        .map(|k| KeyPairRecord {
            name: k.key_name().unwrap_or_default().to_string(),
            key_pair_id: k.key_pair_id().map(str::to_string),
            fingerprint: k.key_fingerprint().map(str::to_string),
            key_type: k.key_type().map(|t| t.as_str().to_string()),
            created: date(k.create_time()),
            public_key: k.public_key().map(str::to_string),
        })
        .collect())
}

pub async fn key_pair(
    c: &Clients,
    region: &str,
    name: &str,
) -> Result<Option<KeyPairRecord>, AwsError> {
    Ok(key_pairs(c, region)
        .await?
        .into_iter()
        .find(|k| k.name == name))
}

/// The private key of a new key pair. Never printed: Debug is redacted and
/// there is no Display; the only way out is [`NewKeyPair::write_private_key`].
pub struct PrivateKey(String);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(redacted)")
    }
}

#[derive(Debug)]
pub struct NewKeyPair {
    pub record: KeyPairRecord,
    pub private_key: PrivateKey,
}

impl NewKeyPair {
    /// Write the private key once, to a new file readable by its owner only
    /// (created with mode 0600, never widened; an existing file is not
    /// overwritten).
    pub fn write_private_key(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(path)?;
        f.write_all(self.private_key.0.as_bytes())?;
        f.sync_all()
    }
}

pub async fn create_key_pair(
    c: &Clients,
    region: &str,
    name: &str,
    key_type: Option<&str>,
) -> Result<NewKeyPair, AwsError> {
    let out = c
        .ec2_in(region)
        .create_key_pair()
        .key_name(name)
        .set_key_type(key_type.map(KeyType::from))
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    let material = out
        .key_material()
        .ok_or_else(|| AwsError::new("BadResponse", "CreateKeyPair returned no key material"))?;
    Ok(NewKeyPair {
        record: KeyPairRecord {
            name: out.key_name().unwrap_or(name).to_string(),
            key_pair_id: out.key_pair_id().map(str::to_string),
            fingerprint: out.key_fingerprint().map(str::to_string),
            key_type: key_type.map(str::to_string),
            created: None,
            public_key: None,
        },
        private_key: PrivateKey(material.to_string()),
    })
}

pub async fn delete_key_pair(c: &Clients, region: &str, name: &str) -> Result<(), AwsError> {
    done(
        c.ec2_in(region)
            .delete_key_pair()
            .key_name(name)
            .send()
            .await,
    )
}

/// Every launch template version (all templates, all versions) that names
/// `key_name`.
pub async fn templates_using_key(
    c: &Clients,
    region: &str,
    key_name: &str,
) -> Result<Vec<TemplateVersionRef>, AwsError> {
    let ec2 = c.ec2_in(region);
    let mut templates = Vec::new();
    let mut pages = ec2.describe_launch_templates().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| aws_error(&e))?;
        templates.extend(page.launch_templates().iter().map(|t| {
            (
                t.launch_template_id().unwrap_or_default().to_string(),
                t.launch_template_name().unwrap_or_default().to_string(),
                t.default_version_number(),
            )
        }));
    }
    let mut out = Vec::new();
    for (id, name, default) in templates {
        let mut pages = ec2
            .describe_launch_template_versions()
            .launch_template_id(&id)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| aws_error(&e))?;
            for v in page.launch_template_versions() {
                let uses = v
                    .launch_template_data()
                    .and_then(|d| d.key_name())
                    .is_some_and(|k| k == key_name);
                if uses {
                    let version = v.version_number().unwrap_or_default();
                    out.push(TemplateVersionRef {
                        template_id: id.clone(),
                        template_name: name.clone(),
                        version,
                        is_default: v.default_version().unwrap_or(Some(version) == default),
                        region: region.to_string(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The default version number of a launch template.
pub async fn default_version(
    c: &Clients,
    region: &str,
    template_id: &str,
) -> Result<i64, AwsError> {
    let out = c
        .ec2_in(region)
        .describe_launch_templates()
        .launch_template_ids(template_id)
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    out.launch_templates()
        .first()
        .and_then(|t| t.default_version_number())
        .ok_or_else(|| {
            AwsError::new(
                "InvalidLaunchTemplateId.NotFound",
                format!("no launch template {template_id}"),
            )
        })
}

/// A new version of a template, copied from `source` with only the key
/// pair changed; returns its number.
pub async fn new_template_version_with_key(
    c: &Clients,
    region: &str,
    template_id: &str,
    source: i64,
    key_name: &str,
) -> Result<i64, AwsError> {
    let out = c
        .ec2_in(region)
        .create_launch_template_version()
        .launch_template_id(template_id)
        .source_version(source.to_string())
        .version_description(format!("warroom: key pair rotated to {key_name}"))
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .key_name(key_name)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error(&e))?;
    out.launch_template_version()
        .and_then(|v| v.version_number())
        .ok_or_else(|| {
            AwsError::new(
                "BadResponse",
                "CreateLaunchTemplateVersion returned no version",
            )
        })
}

pub async fn set_default_version(
    c: &Clients,
    region: &str,
    template_id: &str,
    version: i64,
) -> Result<(), AwsError> {
    done(
        c.ec2_in(region)
            .modify_launch_template()
            .launch_template_id(template_id)
            .default_version(version.to_string())
            .send()
            .await,
    )
}

/// Every key pair in the regions, with the instances launched with it and
/// the template versions that reference it.
pub async fn key_pair_facts(
    c: &Clients,
    region: &str,
    instances: &[InstanceFacts],
) -> Result<Vec<KeyPairFacts>, AwsError> {
    let pairs = key_pairs(c, region).await?;
    Ok(futures::stream::iter(pairs)
        .map(|k| async move {
            let templates = templates_using_key(c, region, &k.name).await.into();
            KeyPairFacts {
                instances: instances
                    .iter()
                    .filter(|i| i.region == region && i.key_name.as_deref() == Some(&k.name))
                    .cloned()
                    .collect(),
                templates,
                region: region.to_string(),
                name: k.name,
                key_pair_id: k.key_pair_id,
                fingerprint: k.fingerprint,
                key_type: k.key_type,
                created: k.created,
            }
        })
        .buffered(4)
        .collect()
        .await)
}
