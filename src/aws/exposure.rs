//! Reading the exposure facts: account Public Access Block, the bucket list,
//! and per bucket every setting that decides who can reach it.

use futures::{Stream, StreamExt, stream};

use super::access_points::AccountLists;
use super::error::{aws_error, optional};
use super::{AwsError, Clients};
use crate::model::facts::{
    AccountFacts, Acl, BucketFacts, Encryption, Fact, Logging, ObjectLock, ReplicationRule,
    SideDoors, Tag, Versioning,
};

/// A bucket to scan, with its region when ListBuckets already told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketRef {
    pub name: String,
    pub region: Option<String>,
    /// Objects whose ACL must be read whatever the sample picks (the
    /// CloudTrail tail saw them made public).
    pub watch_keys: Vec<String>,
}

pub async fn account_facts(c: &Clients, account_id: Option<&str>) -> AccountFacts {
    let public_access_block = match account_id {
        None => Fact::Unknown(AwsError::new(
            "NoAccountId",
            "the account id is unknown (GetCallerIdentity failed), so the account-level setting cannot be read",
        )),
        Some(id) => optional(
            c.s3control
                .get_public_access_block()
                .account_id(id)
                .send()
                .await,
        )
        .map(|o| {
            o.and_then(|o| {
                o.public_access_block_configuration()
                    .map(super::pab::from_control)
            })
        })
        .into(),
    };
    AccountFacts {
        account_id: account_id.map(str::to_string),
        public_access_block,
    }
}

/// Every bucket in the account, following continuation tokens (some
/// emulators never send one; real S3 does past 10,000 buckets).
pub async fn list_buckets(c: &Clients) -> Result<Vec<BucketRef>, AwsError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page =
            c.s3.list_buckets()
                .max_buckets(10_000)
                .set_continuation_token(token.clone())
                .send()
                .await
                .map_err(|e| aws_error(&e))?;
        out.extend(page.buckets().iter().filter_map(|b| {
            Some(BucketRef {
                name: b.name()?.to_string(),
                region: b.bucket_region().map(str::to_string),
                watch_keys: Vec::new(),
            })
        }));
        match page.continuation_token() {
            Some(t) if !t.is_empty() && Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// Scan buckets with at most `concurrency` in flight, yielding each as soon
/// as it is complete (unordered), so the UI can stream rows in.
///
/// The first bucket is scanned on its own before the pool opens: with every
/// slot started at once, the first row would wait behind all their requests
/// (a responder wants to see *something* at once; the total barely changes).
pub fn scan_buckets(
    c: Clients,
    buckets: Vec<BucketRef>,
    concurrency: usize,
) -> impl Stream<Item = BucketFacts> {
    let mut rest = buckets.into_iter();
    let first = rest.next();
    let first_client = c.clone();
    // Access points are listed once per region for the whole scan.
    let lists = AccountLists::default();
    let first_lists = lists.clone();
    let first = stream::iter(first).then(move |b| {
        let (c, lists) = (first_client.clone(), first_lists.clone());
        async move { bucket_facts_with(&c, b, &lists).await }
    });
    let rest = stream::iter(rest)
        .map(move |b| {
            let (c, lists) = (c.clone(), lists.clone());
            async move { bucket_facts_with(&c, b, &lists).await }
        })
        .buffer_unordered(concurrency.max(1));
    first.chain(rest)
}

pub async fn bucket_region(c: &Clients, name: &str) -> Result<String, AwsError> {
    let out =
        c.s3.get_bucket_location()
            .bucket(name)
            .send()
            .await
            .map_err(|e| aws_error(&e))?;
    Ok(match out.location_constraint().map(|l| l.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(other) => other.to_string(),
    })
}

/// One bucket's facts, its access points listed on their own (a refresh
/// after an action).
pub async fn bucket_facts(c: &Clients, b: BucketRef) -> BucketFacts {
    // Boxed: the twelve joined reads make a large future, and every caller
    // (the attacker's round, an action's refresh) would carry it inline.
    Box::pin(bucket_facts_with(c, b, &AccountLists::default())).await
}

/// One bucket's facts, sharing the scan's per-region access point lists.
pub async fn bucket_facts_with(c: &Clients, b: BucketRef, lists: &AccountLists) -> BucketFacts {
    let region = match b.region {
        Some(r) => r,
        None => match bucket_region(c, &b.name).await {
            Ok(r) => r,
            Err(e) => return BucketFacts::unreadable(b.name, e),
        },
    };
    let s3 = c.s3_in(&region);
    let name = b.name.as_str();
    // Twelve independent reads: run them together; each fails on its own.
    let (
        pab,
        status,
        policy,
        acl,
        ownership,
        versioning,
        encryption,
        lock,
        logging,
        tags,
        access_points,
        side_doors,
    ) = tokio::join!(
        async {
            optional(s3.get_public_access_block().bucket(name).send().await).map(|o| {
                o.and_then(|o| {
                    o.public_access_block_configuration()
                        .map(super::pab::from_s3)
                })
            })
        },
        async {
            optional(s3.get_bucket_policy_status().bucket(name).send().await)
                .map(|o| o.and_then(|o| o.policy_status().and_then(|s| s.is_public())))
        },
        async {
            optional(s3.get_bucket_policy().bucket(name).send().await)
                .map(|o| o.and_then(|o| o.policy().map(str::to_string)))
        },
        async {
            s3.get_bucket_acl()
                .bucket(name)
                .send()
                .await
                .map(|o| acl_of(&o))
                .map_err(|e| aws_error(&e))
        },
        async {
            optional(s3.get_bucket_ownership_controls().bucket(name).send().await).map(|o| {
                o.and_then(|o| {
                    o.ownership_controls()
                        .and_then(|c| c.rules().first())
                        .map(|r| r.object_ownership().as_str().to_string())
                })
            })
        },
        async {
            s3.get_bucket_versioning()
                .bucket(name)
                .send()
                .await
                .map(|o| Versioning {
                    status: o.status().map(|s| s.as_str().to_string()),
                    mfa_delete: o.mfa_delete().map(|s| s.as_str().to_string()),
                })
                .map_err(|e| aws_error(&e))
        },
        async {
            optional(s3.get_bucket_encryption().bucket(name).send().await).map(|o| {
                o.and_then(|o| {
                    o.server_side_encryption_configuration()
                        .map(|conf| Encryption {
                            sse_c_blocked: conf.rules().iter().any(|r| {
                                super::containment::blocked_types(r)
                                    .iter()
                                    .any(|t| t == "SSE-C")
                            }),
                            rules: conf
                                .rules()
                                .iter()
                                .filter_map(|r| r.apply_server_side_encryption_by_default())
                                .map(|d| match d.kms_master_key_id() {
                                    Some(k) => format!("{} ({k})", d.sse_algorithm().as_str()),
                                    None => d.sse_algorithm().as_str().to_string(),
                                })
                                .collect(),
                        })
                })
            })
        },
        async {
            optional(s3.get_object_lock_configuration().bucket(name).send().await).map(|o| {
                o.and_then(|o| {
                    o.object_lock_configuration().map(|conf| ObjectLock {
                        enabled: conf
                            .object_lock_enabled()
                            .is_some_and(|e| e.as_str() == "Enabled"),
                        default_retention: conf.rule().and_then(|r| r.default_retention()).map(
                            |d| {
                                let mode = d.mode().map(|m| m.as_str()).unwrap_or("?");
                                match (d.days(), d.years()) {
                                    (Some(days), _) => format!("{mode} {days} days"),
                                    (_, Some(years)) => format!("{mode} {years} years"),
                                    _ => mode.to_string(),
                                }
                            },
                        ),
                    })
                })
            })
        },
        async {
            s3.get_bucket_logging()
                .bucket(name)
                .send()
                .await
                .map(|o| {
                    o.logging_enabled().map(|l| Logging {
                        target_bucket: l.target_bucket().to_string(),
                        target_prefix: l.target_prefix().to_string(),
                        target_grants: l
                            .target_grants()
                            .iter()
                            .filter_map(|g| {
                                Some(crate::model::facts::Grant {
                                    grantee: super::acl::grantee_from(g.grantee()?),
                                    permission: g.permission()?.as_str().to_string(),
                                })
                            })
                            .collect(),
                    })
                })
                .map_err(|e| aws_error(&e))
        },
        async {
            optional(s3.get_bucket_tagging().bucket(name).send().await).map(|o| {
                o.map(|o| {
                    o.tag_set()
                        .iter()
                        .map(|t| Tag {
                            key: t.key().to_string(),
                            value: t.value().to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default()
            })
        },
        // Boxed: twelve reads joined inline make a future too large for a
        // test thread's stack in a debug build.
        Box::pin(super::access_points::of_bucket(c, lists, name, &region)),
        Box::pin(side_doors(&s3, name)),
    );
    // After the others: whether object ACLs count at all depends on the
    // bucket's Object Ownership.
    let ownership: Fact<Option<String>> = ownership.into();
    let encryption: Fact<Option<Encryption>> = encryption.into();
    let (
        object_acls,
        distributions,
        kms,
        multi_region_access_points,
        object_lambda_access_points,
        lifecycle,
    ) = tokio::join!(
        super::object_acls::read(&s3, name, &ownership, &b.watch_keys),
        super::cloudfront::of_bucket(c, &lists.distributions, name),
        super::kms::of_bucket(c, &region, &encryption),
        Box::pin(super::access_points::multi_region_of_bucket(c, lists, name)),
        Box::pin(super::access_points::object_lambda_of_bucket(
            c,
            lists,
            &region,
            &access_points
        )),
        super::lifecycle::read(&s3, name),
    );
    BucketFacts {
        name: b.name.clone(),
        region: Fact::Known(region),
        public_access_block: pab.into(),
        policy_status_is_public: status.into(),
        policy: policy.into(),
        acl: acl.into(),
        object_ownership: ownership,
        versioning: versioning.into(),
        encryption,
        object_lock: lock.into(),
        lifecycle: lifecycle.into(),
        logging: logging.into(),
        tags: tags.into(),
        access_points,
        multi_region_access_points,
        object_lambda_access_points,
        side_doors,
        object_acls,
        distributions,
        kms,
    }
}

/// Replication, notifications, inventory, website and CORS, read together.
/// One fact: any of the five unreadable makes the whole unknown, with the
/// first error (a partial list could hide the door that matters).
async fn side_doors(s3: &aws_sdk_s3::Client, name: &str) -> Fact<SideDoors> {
    let (replication, notifications, inventory, analytics, website, cors) = tokio::join!(
        async {
            optional(s3.get_bucket_replication().bucket(name).send().await).map(|o| {
                o.and_then(|o| {
                    o.replication_configuration().map(|conf| {
                        conf.rules()
                            .iter()
                            .map(|r| ReplicationRule {
                                id: r.id().map(str::to_string),
                                enabled: r.status().as_str() == "Enabled",
                                destination: r
                                    .destination()
                                    .map(|d| d.bucket().to_string())
                                    .unwrap_or_default(),
                                account: r
                                    .destination()
                                    .and_then(|d| d.account())
                                    .map(str::to_string),
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .unwrap_or_default()
            })
        },
        async {
            s3.get_bucket_notification_configuration()
                .bucket(name)
                .send()
                .await
                .map(|o| {
                    let mut arns: Vec<String> = Vec::new();
                    arns.extend(
                        o.topic_configurations()
                            .iter()
                            .map(|t| t.topic_arn().to_string()),
                    );
                    arns.extend(
                        o.queue_configurations()
                            .iter()
                            .map(|q| q.queue_arn().to_string()),
                    );
                    arns.extend(
                        o.lambda_function_configurations()
                            .iter()
                            .map(|l| l.lambda_function_arn().to_string()),
                    );
                    arns
                })
                .map_err(|e| aws_error(&e))
        },
        inventory_destinations(s3, name),
        analytics_destinations(s3, name),
        async { optional(s3.get_bucket_website().bucket(name).send().await).map(|o| o.is_some()) },
        async {
            optional(s3.get_bucket_cors().bucket(name).send().await).map(|o| {
                o.map(|o| {
                    o.cors_rules()
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.allowed_origins().iter().any(|x| x == "*"))
                        .map(|(i, _)| i)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
            })
        },
    );
    let all = (|| {
        Ok::<_, AwsError>(SideDoors {
            replication: replication?,
            notifications: notifications?,
            inventory: inventory?,
            analytics: analytics?,
            website: website?,
            cors_any_origin: cors?,
        })
    })();
    all.into()
}

/// Every inventory configuration's destination: (id, bucket ARN, the
/// destination's account when named).
async fn inventory_destinations(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<Vec<(String, String, Option<String>)>, AwsError> {
    super::paging::every_page(
        |token| async move {
            s3.list_bucket_inventory_configurations()
                .bucket(name)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| aws_error(&e))
        },
        |page| {
            let items = page
                .inventory_configuration_list()
                .iter()
                .filter_map(|i| {
                    let d = i.destination()?.s3_bucket_destination()?;
                    Some((
                        i.id().to_string(),
                        d.bucket().to_string(),
                        d.account_id().map(str::to_string),
                    ))
                })
                .collect();
            // S3 answers 100 a page, and goes on while truncated.
            let next = page
                .next_continuation_token()
                .filter(|_| page.is_truncated() == Some(true));
            (items, next.map(str::to_string))
        },
    )
    .await
}

/// Every storage class analysis export's destination, as for inventory:
/// the daily export (object counts and bytes by age, per filter) can go to
/// a bucket of another account.
async fn analytics_destinations(
    s3: &aws_sdk_s3::Client,
    name: &str,
) -> Result<Vec<(String, String, Option<String>)>, AwsError> {
    super::paging::every_page(
        |token| async move {
            s3.list_bucket_analytics_configurations()
                .bucket(name)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| aws_error(&e))
        },
        |page| {
            let items = page
                .analytics_configuration_list()
                .iter()
                .filter_map(|a| {
                    let d = a
                        .storage_class_analysis()?
                        .data_export()?
                        .destination()?
                        .s3_bucket_destination()?;
                    Some((
                        a.id().to_string(),
                        d.bucket().to_string(),
                        d.bucket_account_id().map(str::to_string),
                    ))
                })
                .collect();
            // S3 answers 100 a page, and goes on while truncated.
            let next = page
                .next_continuation_token()
                .filter(|_| page.is_truncated() == Some(true));
            (items, next.map(str::to_string))
        },
    )
    .await
}

fn acl_of(o: &aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput) -> Acl {
    super::acl::acl_from(o.owner(), o.grants())
}
