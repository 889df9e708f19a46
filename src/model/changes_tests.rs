//! The changes view's model against records shaped as AWS writes them
//! (pretty-printed log files, `requestParameters` and `responseElements`
//! as the IAM and CloudTrail docs show them).

use super::*;
use crate::model::credentials::{
    AccessKeyFacts, LastUsed, RoleFacts, RoleKind, TrustPrincipal, UserFacts,
};
use crate::model::facts::Fact;
use crate::model::trail::parse_log_file;

const OWN: &str = "123456789012";
const LEAKED: &str = "AKIAIOSFODNN7EXAMPLE";
const SECOND: &str = "AKIAI44QH8DHBEXAMPLE";

/// The leaked key mints a second key, the second key backdoors a role's
/// trust to another account and blinds the trail; a responder's own call
/// and a failed call are in the file too.
const LOG: &str = r#"{
  "Records": [
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "IAMUser",
        "principalId": "AIDACKCEVSQ6C2EXAMPLE",
        "arn": "arn:aws:iam::123456789012:user/ci-deploy",
        "accountId": "123456789012",
        "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
        "userName": "ci-deploy"
      },
      "eventTime": "2026-11-28T10:02:00Z",
      "eventSource": "iam.amazonaws.com",
      "eventName": "CreateAccessKey",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "185.220.101.7",
      "userAgent": "aws-cli/2.15.0",
      "requestParameters": { "userName": "ci-deploy" },
      "responseElements": {
        "accessKey": {
          "accessKeyId": "AKIAI44QH8DHBEXAMPLE",
          "status": "Active",
          "userName": "ci-deploy",
          "createDate": "Nov 28, 2026 10:02:00 AM"
        }
      },
      "requestID": "1",
      "eventID": "e1",
      "readOnly": false,
      "eventType": "AwsApiCall",
      "managementEvent": true,
      "recipientAccountId": "123456789012"
    },
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "IAMUser",
        "arn": "arn:aws:iam::123456789012:user/ci-deploy",
        "accountId": "123456789012",
        "accessKeyId": "AKIAI44QH8DHBEXAMPLE",
        "userName": "ci-deploy"
      },
      "eventTime": "2026-11-28T10:05:00Z",
      "eventSource": "iam.amazonaws.com",
      "eventName": "UpdateAssumeRolePolicy",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "185.220.101.7",
      "requestParameters": {
        "roleName": "app-role",
        "policyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:root\"},\"Action\":\"sts:AssumeRole\"}]}"
      },
      "responseElements": null,
      "eventID": "e2",
      "eventType": "AwsApiCall"
    },
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "IAMUser",
        "arn": "arn:aws:iam::123456789012:user/ci-deploy",
        "accountId": "123456789012",
        "accessKeyId": "AKIAI44QH8DHBEXAMPLE"
      },
      "eventTime": "2026-11-28T10:06:00Z",
      "eventSource": "cloudtrail.amazonaws.com",
      "eventName": "PutEventSelectors",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "185.220.101.7",
      "requestParameters": {
        "trailName": "org-trail",
        "eventSelectors": [
          { "readWriteType": "All", "includeManagementEvents": true, "dataResources": [], "excludeManagementEventSources": [] }
        ]
      },
      "responseElements": {
        "trailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
        "eventSelectors": [
          { "readWriteType": "All", "includeManagementEvents": true, "dataResources": [], "excludeManagementEventSources": [] }
        ]
      },
      "eventID": "e3",
      "eventType": "AwsApiCall"
    },
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "IAMUser",
        "arn": "arn:aws:iam::123456789012:user/ci-deploy",
        "accountId": "123456789012",
        "accessKeyId": "AKIAI44QH8DHBEXAMPLE"
      },
      "eventTime": "2026-11-28T10:07:00Z",
      "eventSource": "cloudtrail.amazonaws.com",
      "eventName": "StopLogging",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "185.220.101.7",
      "requestParameters": { "name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail" },
      "responseElements": null,
      "eventID": "e4",
      "eventType": "AwsApiCall"
    },
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "AssumedRole",
        "arn": "arn:aws:sts::123456789012:assumed-role/responder/alice",
        "accountId": "123456789012",
        "accessKeyId": "ASIARESPONDER0000001",
        "sessionContext": { "sessionIssuer": { "type": "Role", "arn": "arn:aws:iam::123456789012:role/responder" } }
      },
      "eventTime": "2026-11-28T10:08:00Z",
      "eventSource": "iam.amazonaws.com",
      "eventName": "CreateUser",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "10.0.0.5",
      "requestParameters": { "userName": "break-glass" },
      "responseElements": { "user": { "userName": "break-glass" } },
      "eventID": "e5",
      "eventType": "AwsApiCall"
    },
    {
      "eventVersion": "1.09",
      "userIdentity": {
        "type": "IAMUser",
        "arn": "arn:aws:iam::123456789012:user/ci-deploy",
        "accountId": "123456789012",
        "accessKeyId": "AKIAIOSFODNN7EXAMPLE"
      },
      "eventTime": "2026-11-28T10:09:00Z",
      "eventSource": "iam.amazonaws.com",
      "eventName": "CreateUser",
      "awsRegion": "us-east-1",
      "sourceIPAddress": "185.220.101.7",
      "errorCode": "AccessDenied",
      "errorMessage": "not authorized",
      "requestParameters": null,
      "responseElements": null,
      "eventID": "e6",
      "eventType": "AwsApiCall"
    }
  ]
}"#;

fn events() -> Vec<TrailEvent> {
    parse_log_file(LOG.as_bytes()).expect("log file").events
}

fn suspects() -> Suspects {
    Suspects {
        keys: [LEAKED.to_string()].into(),
        own_account: Some(OWN.into()),
        ..Default::default()
    }
}

fn key(id: &str, status: &str, created: &str) -> AccessKeyFacts {
    AccessKeyFacts {
        user: "ci-deploy".into(),
        key_id: id.into(),
        status: status.into(),
        created: Some(created.into()),
        last_used: Fact::Known(LastUsed {
            date: None,
            service: None,
            region: None,
        }),
    }
}

/// IAM now: the second key still active, the role still trusting the
/// other account.
fn creds(second_status: &str) -> CredentialFacts {
    CredentialFacts {
        account: OWN.into(),
        users: Fact::Known(vec![UserFacts {
            name: "ci-deploy".into(),
            arn: "arn:aws:iam::123456789012:user/ci-deploy".into(),
            created: Some("2024-01-10T08:00:00Z".into()),
            keys: Fact::Known(vec![
                key(LEAKED, "Inactive", "2024-01-10T08:00:00Z"),
                key(SECOND, second_status, "2026-11-28T10:02:00Z"),
            ]),
            attached_policies: Fact::Known(vec![]),
            inline_policies: Fact::Known(vec![]),
            revoked_before: Fact::Known(None),
        }]),
        roles: Fact::Known(vec![RoleFacts {
            name: "app-role".into(),
            arn: "arn:aws:iam::123456789012:role/app-role".into(),
            path: "/".into(),
            kind: RoleKind::Normal,
            trust: Fact::Known(vec![TrustPrincipal {
                kind: "AWS".into(),
                value: "arn:aws:iam::999988887777:root".into(),
                flag: Some("another account (999988887777)".into()),
            }]),
            attached_policies: Fact::Known(vec![]),
            inline_policies: Fact::Known(vec![]),
            revoked_before: Fact::Known(None),
            instances: Fact::Known(vec![]),
        }]),
        key_pairs: Fact::Known(vec![]),
        instances: Fact::Known(vec![]),
    }
}

fn trail(logging: bool) -> TrailInfo {
    TrailInfo {
        name: "org-trail".into(),
        arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail".into(),
        home_region: Some("us-east-1".into()),
        bucket: Some("org-trail-logs".into()),
        prefix: None,
        organisation: false,
        multi_region: true,
        logging: Some(logging),
        stopped_at: None,
        data: vec![],
    }
}

const SINCE: i64 = 1_795_860_000; // 2026-11-28T09:20:00Z

#[test]
fn the_second_key_is_followed_and_every_change_says_who_when_where_and_whether_it_stands() {
    let creds = creds("Active");
    let trails = [trail(false)];
    let now = Now {
        creds: Some(&creds),
        trails: Some(&trails),
    };
    let rows = from_events(&events(), &suspects(), SINCE, now);
    let whats: Vec<&What> = rows.iter().map(|c| &c.what).collect();
    assert_eq!(
        whats,
        vec![
            &What::AccessKeyCreated {
                user: "ci-deploy".into(),
                key_id: Some(SECOND.into())
            },
            &What::TrustChanged {
                role: "app-role".into(),
                document: Some(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}"#
                        .into()
                )
            },
            &What::EventSelectors {
                trail: "org-trail".into(),
                drops_data: true
            },
            &What::LoggingStopped {
                trail: "org-trail".into()
            },
        ],
        "the responder's CreateUser and the failed call are not the attacker's changes"
    );
    // Made with the second key: followed because the leaked key made it.
    assert_eq!(rows[1].with_key.as_deref(), Some(SECOND));
    assert_eq!(rows[0].from.as_deref(), Some("185.220.101.7"));
    assert_eq!(rows[0].when, "2026-11-28T10:02:00Z");
    assert_eq!(rows[0].who, "arn:aws:iam::123456789012:user/ci-deploy");
    assert!(rows.iter().all(|c| c.found == Found::Trail));
    assert!(
        rows.iter().all(|c| c.standing == Standing::InPlace),
        "{rows:#?}"
    );
}

#[test]
fn standing_follows_the_state_read_now() {
    let creds = creds("Inactive");
    let trails = [trail(true)];
    let now = Now {
        creds: Some(&creds),
        trails: Some(&trails),
    };
    let rows = from_events(&events(), &suspects(), SINCE, now);
    assert_eq!(
        rows[0].standing,
        Standing::Partly("inactive, not deleted".into())
    );
    let stopped = rows
        .iter()
        .find(|c| matches!(c.what, What::LoggingStopped { .. }))
        .expect("stop");
    assert_eq!(stopped.standing, Standing::Gone, "logging is back on");
    // Nothing read: nothing claimed.
    let rows = from_events(&events(), &suspects(), SINCE, Now::default());
    assert!(
        rows.iter()
            .all(|c| matches!(c.standing, Standing::Unknown(_))),
        "{rows:#?}"
    );
}

#[test]
fn the_sweep_finds_what_a_stopped_trail_never_recorded() {
    let creds = creds("Active");
    let trails = [trail(false)];
    let now = Now {
        creds: Some(&creds),
        trails: Some(&trails),
    };
    // No records at all: the attacker stopped the trail first.
    let mut rows = from_events(&[], &suspects(), SINCE, now);
    sweep(&mut rows, &suspects(), SINCE, now);
    let found: Vec<(&What, Found)> = rows.iter().map(|c| (&c.what, c.found)).collect();
    assert_eq!(
        found,
        vec![
            (
                &What::AccessKeyCreated {
                    user: "ci-deploy".into(),
                    key_id: Some(SECOND.into())
                },
                Found::Sweep
            ),
            (
                &What::TrustChanged {
                    role: "app-role".into(),
                    document: None
                },
                Found::Sweep
            ),
        ],
        "the leaked key itself is older than the window"
    );
    // With the records too, the same changes are found by both.
    let mut rows = from_events(&events(), &suspects(), SINCE, now);
    sweep(&mut rows, &suspects(), SINCE, now);
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert_eq!(rows[0].found, Found::Both);
    assert_eq!(rows[1].found, Found::Both);
}

#[test]
fn selectors_that_keep_s3_data_events_are_not_a_blinding() {
    let keep = serde_json::json!({"eventSelectors": [{"readWriteType": "All", "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]});
    assert!(selects_s3_data(&keep));
    let advanced = serde_json::json!({"advancedEventSelectors": [{"fieldSelectors": [
        {"field": "eventCategory", "equals": ["Data"]},
        {"field": "resources.type", "equals": ["AWS::S3::Object"]}
    ]}]});
    assert!(selects_s3_data(&advanced));
    let mgmt_only = serde_json::json!({"advancedEventSelectors": [{"fieldSelectors": [
        {"field": "eventCategory", "equals": ["Management"]}
    ]}]});
    assert!(!selects_s3_data(&mgmt_only));
}

#[test]
fn anonymous_and_other_account_callers_are_suspects() {
    let s = suspects();
    let other = Actor {
        account: Some("999988887777".into()),
        ..Default::default()
    };
    assert!(s.involves(&other));
    let own = Actor {
        account: Some(OWN.into()),
        arn: Some("arn:aws:iam::123456789012:user/someone".into()),
        ..Default::default()
    };
    assert!(!s.involves(&own));
    let anon = Actor {
        account: Some("anonymous".into()),
        ..Default::default()
    };
    assert!(s.involves(&anon));
}

#[test]
fn a_stopped_trail_is_tampered_until_it_logs_again_and_says_who_stopped_it() {
    let evs = events();
    let stopped = tampering(Some(&[trail(false)]), evs.iter());
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    let t = &stopped[0];
    assert_eq!(t.trail, "org-trail");
    assert_eq!(t.how, "not logging");
    assert_eq!(t.when.as_deref(), Some("2026-11-28T10:07:00Z"));
    assert!(
        t.by.as_deref().is_some_and(|b| b.contains("ci-deploy")),
        "{t:?}"
    );
    assert!(
        t.line().contains("since 2026-11-28T10:07:00Z"),
        "{}",
        t.line()
    );
    // The state read now decides: logging again (with data events) is not
    // tampered; logging without them is, by the file's PutEventSelectors.
    let mut back = trail(true);
    back.data = vec![crate::model::trail::DataSelector {
        arn_prefixes: Vec::new(),
        reads: true,
        writes: true,
    }];
    assert!(tampering(Some(&[back]), evs.iter()).is_empty());
    let blind = tampering(Some(&[trail(true)]), evs.iter());
    assert_eq!(blind.len(), 1, "{blind:?}");
    assert_eq!(blind[0].how, "no longer logs S3 data events");
    // Without the trails read, the record alone says so.
    let from_records = tampering(None, evs.iter());
    assert_eq!(from_records.len(), 1);
    assert_eq!(from_records[0].trail, "org-trail");
    // A later StartLogging in the records settles it, even unread.
    let start = LOG.replace("\"StopLogging\"", "\"StartLogging\"");
    let started = parse_log_file(start.as_bytes()).expect("log").events;
    assert!(tampering(None, started.iter()).is_empty());
}

#[test]
fn a_deleted_trail_and_selectors_without_data_events_are_tampering() {
    let log = LOG.replace("\"StopLogging\"", "\"DeleteTrail\"");
    let evs = parse_log_file(log.as_bytes()).expect("log").events;
    // Gone from the trails read now: deleted, by whom.
    let gone = tampering(Some(&[]), evs.iter());
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(gone[0].how, "deleted");
    // Still listed (made again): not deleted.
    let mut back = trail(true);
    back.data = vec![crate::model::trail::DataSelector {
        arn_prefixes: Vec::new(),
        reads: true,
        writes: true,
    }];
    assert!(tampering(Some(&[back]), evs.iter()).is_empty());

    let selectors = LOG.replace("\"StopLogging\"", "\"PutEventSelectors\"").replace(
        r#""requestParameters": { "name": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail" }"#,
        r#""requestParameters": { "trailName": "org-trail", "eventSelectors": [ { "readWriteType": "All", "includeManagementEvents": true, "dataResources": [] } ] }"#,
    );
    let evs = parse_log_file(selectors.as_bytes()).expect("log").events;
    let blind = tampering(Some(&[trail(true)]), evs.iter());
    assert_eq!(blind.len(), 1, "{blind:?}");
    assert_eq!(blind[0].how, "no longer logs S3 data events");
}

/// PutBucketLifecycle as CloudTrail records it: the XML body as JSON, one
/// `Rule` an object, several a list; on a trail's bucket it is tampering,
/// elsewhere the rules and whether they delete are kept for `y`.
#[test]
fn lifecycle_writes_name_their_rules_whether_one_or_many() {
    let record = |rule: &str| {
        crate::model::trail::normalise_str(&format!(
            r#"{{"eventID":"l1","eventTime":"2026-11-28T10:09:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketLifecycle","awsRegion":"us-east-1","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/ci-deploy","accountId":"123456789012","accessKeyId":"{LEAKED}"}},"requestParameters":{{"bucketName":"acme-customer-exports","Host":"acme-customer-exports.s3.amazonaws.com","lifecycle":"","LifecycleConfiguration":{{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","Rule":{rule}}}}},"responseElements":null}}"#
        ))
        .expect("record")
    };
    let one = record(
        r#"{"ID":"expire-all","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":"1"}}"#,
    );
    assert_eq!(
        change_of(&one, &BTreeSet::new()),
        Some(What::Lifecycle {
            bucket: "acme-customer-exports".into(),
            rule_ids: vec!["expire-all".into()],
            deletes: true,
        })
    );
    let many = record(
        r#"[{"ID":"to-glacier","Status":"Enabled","Filter":{"Prefix":"logs/"},"Transition":{"Days":"30","StorageClass":"GLACIER"}},{"ID":"old-versions","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":"1"}}]"#,
    );
    assert_eq!(
        change_of(&many, &BTreeSet::new()),
        Some(What::Lifecycle {
            bucket: "acme-customer-exports".into(),
            rule_ids: vec!["to-glacier".into(), "old-versions".into()],
            deletes: true,
        })
    );
    let trail_bucket = BTreeSet::from(["acme-customer-exports".to_string()]);
    assert!(matches!(
        change_of(&one, &trail_bucket),
        Some(What::TrailBucketLifecycle { .. })
    ));
    let rows = from_events([&many], &suspects(), 0, Now::default());
    assert_eq!(rows.len(), 1, "the leaked key's write is the attacker's");
    assert!(rows[0].what.describe().contains("to-glacier, old-versions"));
}

#[test]
fn a_lifecycle_write_stands_while_its_rules_are_on_the_bucket() {
    use crate::model::lifecycle::LifecycleRule;
    let rule = |id: &str| LifecycleRule {
        id: Some(id.into()),
        enabled: true,
        ..Default::default()
    };
    let ids = vec!["planted".to_string(), "second".to_string()];
    assert_eq!(
        lifecycle_standing(&ids, &[rule("planted"), rule("second"), rule("owner")]),
        Standing::InPlace
    );
    assert!(matches!(
        lifecycle_standing(&ids, &[rule("planted")]),
        Standing::Partly(_)
    ));
    assert_eq!(lifecycle_standing(&ids, &[rule("owner")]), Standing::Gone);
    assert_eq!(lifecycle_standing(&ids, &[]), Standing::Gone);
}
