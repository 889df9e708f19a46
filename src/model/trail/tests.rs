use super::*;

mod record_tests {

    #[test]
    fn secrets_are_cut_and_everything_else_kept_as_written() {
        let plain = r#"{"eventName":"GetObject",  "b":1}"#;
        assert_eq!(without_secrets(plain), plain, "byte for byte");
        let out = without_secrets(r#"{"responseElements":{"credentials":{"SessionToken":"abc"}}}"#);
        assert!(
            !out.contains("abc") && out.contains("redacted, 3 characters"),
            "{out}"
        );
        assert!(!without_secrets("sessionToken=abc not json").contains("abc"));
    }
    use super::*;

    pub fn record(id: &str, name: &str, extra: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDA","arn":"arn:aws:iam::123456789012:user/ci","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE0000000001","userName":"ci"}},"eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2","requestParameters":{{"bucketName":"acme-customer-exports","key":"a.csv"}},"eventID":"{id}","readOnly":true,"eventCategory":"Data"{extra}}}"#
        )
    }

    #[test]
    fn a_data_event_is_normalised() {
        let e = normalise_str(&record("e1", "GetObject", "")).expect("event");
        assert_eq!(e.name, "GetObject");
        assert!(e.data);
        assert_eq!(e.read_only, Some(true));
        assert_eq!(e.bucket.as_deref(), Some("acme-customer-exports"));
        assert_eq!(e.key.as_deref(), Some("a.csv"));
        assert_eq!(
            e.actor.access_key_id.as_deref(),
            Some("AKIAEXAMPLE0000000001")
        );
        assert_eq!(e.source_ip.as_deref(), Some("203.0.113.9"));
        assert!(e.raw.get().contains("\"eventVersion\""));
    }

    #[test]
    fn the_incident_credentials_and_role_are_marked() {
        let mut inc = Incident {
            own_account: Some("123456789012".into()),
            buckets: ["acme-customer-exports".to_string()].into(),
            ..Default::default()
        };
        // An own-account read by the key: unmarked until the key is the
        // incident's.
        let read = normalise_str(&record("r", "GetObject", "")).expect("e");
        assert_eq!(relevance(&read, &inc), None);
        inc.access_keys.insert("AKIAEXAMPLE0000000001".into());
        assert_eq!(relevance(&read, &inc), Some("used an incident credential"));
        // A session of the stolen role reading an affected bucket.
        let role = normalise_str(r#"{"eventID":"s","eventName":"GetObject","readOnly":true,"sourceIPAddress":"198.51.100.7","userIdentity":{"type":"AssumedRole","accountId":"123456789012","arn":"arn:aws:sts::123456789012:assumed-role/web/i-0abc","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::123456789012:role/web"}}},"requestParameters":{"bucketName":"acme-customer-exports","key":"a.csv"}}"#).expect("e");
        assert_eq!(relevance(&role, &inc), None);
        inc.role_arns
            .insert("arn:aws:iam::123456789012:role/web".into());
        assert_eq!(
            relevance(&role, &inc),
            Some("the incident's role on an affected bucket")
        );
    }

    #[test]
    fn objects_written_by_an_incident_principal_are_told_apart() {
        let mut inc = Incident {
            own_account: Some("123456789012".into()),
            ..Default::default()
        };
        let put = normalise_str(&record("w", "PutObject", "")).expect("e");
        assert!(!written_by_incident(&put, &inc), "the app's own key");
        inc.access_keys.insert("AKIAEXAMPLE0000000001".into());
        assert!(written_by_incident(&put, &inc));
        let read = normalise_str(&record("r", "GetObject", "")).expect("e");
        assert!(!written_by_incident(&read, &inc), "a read writes nothing");
        let denied =
            normalise_str(&record("d", "PutObject", r#","errorCode":"AccessDenied""#)).expect("e");
        assert!(!written_by_incident(&denied, &inc), "a refused write");
        let anon = normalise_str(r#"{"eventID":"a","eventName":"PutObject","userIdentity":{"type":"AWSAccount","principalId":"","accountId":"anonymous"},"requestParameters":{"bucketName":"b","key":"README-RESTORE.txt"}}"#).expect("e");
        assert!(written_by_incident(&anon, &Incident::default()));
    }

    /// An ACL granting everyone, in each shape CloudTrail writes it: a
    /// canned ACL header (a string, or a one-element list), grant headers,
    /// and an `AccessControlPolicy` body whose `Grant` is one object or a
    /// list (the User Guide's PutBucketAcl example nests it that way).
    #[test]
    fn a_public_acl_is_read_from_every_shape_of_request() {
        let shapes = [
            (r#""x-amz-acl": "public-read""#, Some("AllUsers")),
            (r#""x-amz-acl": ["public-read-write"]"#, Some("AllUsers")),
            (
                r#""x-amz-acl": "authenticated-read""#,
                Some("AuthenticatedUsers"),
            ),
            (r#""x-amz-acl": "bucket-owner-full-control""#, None),
            (
                r#""x-amz-grant-read": "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"""#,
                Some("AllUsers"),
            ),
            (
                r#""acl": "", "AccessControlPolicy": {"AccessControlList": {"Grant": {"Grantee": {"xsi:type": "Group", "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}, "Permission": "READ"}}, "Owner": {"ID": "abc"}}"#,
                Some("AuthenticatedUsers"),
            ),
            (
                r#""AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"xsi:type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}, {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}"#,
                Some("AllUsers"),
            ),
            (
                r#""AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"xsi:type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}]}}"#,
                None,
            ),
        ];
        for (params, want) in shapes {
            let rec = format!(
                r#"{{"eventID": "x", "eventName": "PutObjectAcl", "eventSource": "s3.amazonaws.com",
                   "userIdentity": {{"type": "IAMUser", "accountId": "123456789012"}},
                   "requestParameters": {{"bucketName": "b", "key": "exports/q3.csv", {params}}}}}"#
            );
            let e = normalise_str(&rec).unwrap_or_else(|e| panic!("{e:?} in {rec}"));
            assert_eq!(e.public_acl.as_deref(), want, "{params}");
            assert!(e.odd.is_empty(), "{:?}", e.odd);
            assert_eq!(e.key.as_deref(), Some("exports/q3.csv"));
            if want.is_some() {
                assert_eq!(
                    relevance(&e, &Incident::default()),
                    Some("sets an ACL granting everyone")
                );
            }
        }
        // A refused call set nothing.
        let refused = normalise_str(r#"{"eventID": "y", "eventName": "PutObjectAcl", "errorCode": "AccessDenied", "requestParameters": {"bucketName": "b", "key": "k", "x-amz-acl": "public-read"}}"#).expect("event");
        assert_eq!(refused.public_acl.as_deref(), Some("AllUsers"));
        assert_ne!(
            relevance(&refused, &Incident::default()),
            Some("sets an ACL granting everyone")
        );
    }

    /// A data event as the CloudTrail User Guide prints one for a
    /// presigned GET (additionalEventData with numbers and strings mixed).
    #[test]
    fn a_presigned_url_is_told_and_points_at_its_signing_key() {
        let rec = r#"{
          "eventVersion": "1.09",
          "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::123456789012:user/ci", "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLE0000000001", "userName": "ci"},
          "eventTime": "2026-11-22T10:00:00Z",
          "eventSource": "s3.amazonaws.com",
          "eventName": "GetObject",
          "awsRegion": "us-east-1",
          "sourceIPAddress": "198.51.100.7",
          "userAgent": "curl/8.5.0",
          "requestParameters": {"bucketName": "acme-customer-exports", "Host": "acme-customer-exports.s3.amazonaws.com", "key": "a.csv", "X-Amz-Expires": "604800"},
          "responseElements": null,
          "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "QueryString", "x-amz-id-2": "abc", "bytesTransferredOut": 1024},
          "eventID": "p1",
          "readOnly": true,
          "eventType": "AwsApiCall",
          "eventCategory": "Data"
        }"#;
        let e = normalise_str(rec).expect("event");
        assert!(e.presigned);
        assert!(e.odd.is_empty(), "{:?}", e.odd);
        let mut inc = Incident {
            own_account: Some("123456789012".into()),
            buckets: ["acme-customer-exports".to_string()].into(),
            ..Default::default()
        };
        assert_eq!(
            relevance(&e, &inc),
            Some("a presigned URL on an affected bucket")
        );
        inc.access_keys.insert("AKIAEXAMPLE0000000001".into());
        assert_eq!(
            relevance(&e, &inc),
            Some("a presigned URL signed by an incident credential")
        );
        let plain = normalise_str(&record(
            "h",
            "GetObject",
            r#","additionalEventData":{"AuthenticationMethod":"AuthHeader"}"#,
        ))
        .expect("e");
        assert!(!plain.presigned);
    }

    /// The Codefinger pattern on a bucket nobody marked exposed: an SSE-C
    /// rewrite (the header in requestParameters, `SSEApplied` in
    /// additionalEventData), a planted lifecycle rule, versioning suspended
    /// (the document as S3 logs it, with its xmlns), a version deleted for
    /// good and a bulk delete — each marked; a plain write is not.
    #[test]
    fn destructive_calls_are_marked_on_any_bucket() {
        let private = Incident {
            own_account: Some("123456789012".into()),
            ..Default::default()
        };
        let at = |name: &str, params: &str, extra: &str| {
            let rec = format!(
                r#"{{
                  "eventVersion": "1.09",
                  "userIdentity": {{"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/ci", "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLE0000000001"}},
                  "eventTime": "2026-11-22T10:00:00Z",
                  "eventSource": "s3.amazonaws.com",
                  "eventName": "{name}",
                  "awsRegion": "us-east-1",
                  "sourceIPAddress": "198.51.100.7",
                  "requestParameters": {{"bucketName": "acme-exports", "Host": "acme-exports.s3.amazonaws.com"{params}}},
                  "responseElements": null{extra},
                  "eventID": "d-{name}",
                  "readOnly": false,
                  "eventType": "AwsApiCall"
                }}"#
            );
            normalise_str(&rec).unwrap_or_else(|e| panic!("{e}: {rec}"))
        };
        let header = at(
            "PutObject",
            r#", "key": "exports/customers.csv", "x-amz-server-side-encryption-customer-algorithm": "AES256""#,
            "",
        );
        assert!(header.sse_c);
        assert_eq!(
            relevance(&header, &private),
            Some("SSE-C write: a key only the writer holds")
        );
        let applied = at(
            "PutObject",
            r#", "key": "exports/b.csv""#,
            r#", "additionalEventData": {"SSEApplied": "SSE_C", "AuthenticationMethod": "AuthHeader"}"#,
        );
        assert!(applied.sse_c);
        let lifecycle = at(
            "PutBucketLifecycle",
            r#", "lifecycle": "", "LifecycleConfiguration": {"Rule": {"ID": "cleanup", "Status": "Enabled", "Expiration": {"Days": 7}, "Filter": {"Prefix": ""}}}"#,
            "",
        );
        assert_eq!(
            relevance(&lifecycle, &private),
            Some("lifecycle rules written (expiry?)")
        );
        assert!(changes_access(&lifecycle), "the bucket is read again");
        let suspend = at(
            "PutBucketVersioning",
            r#", "versioning": "", "VersioningConfiguration": {"Status": "Suspended", "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}"#,
            "",
        );
        assert!(suspend.suspends_versioning);
        assert_eq!(relevance(&suspend, &private), Some("versioning suspended"));
        let enable = at(
            "PutBucketVersioning",
            r#", "VersioningConfiguration": {"Status": "Enabled"}"#,
            "",
        );
        assert!(!enable.suspends_versioning);
        let gone = at(
            "DeleteObject",
            r#", "key": "exports/a.csv", "versionId": "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd""#,
            "",
        );
        assert_eq!(
            relevance(&gone, &private),
            Some("a version deleted for good")
        );
        let bulk = at("DeleteObjects", r#", "delete": """#, "");
        assert_eq!(relevance(&bulk, &private), Some("objects deleted in bulk"));
        // Bursts: destructive delete calls per bucket and minute; a refused
        // one and a plain DeleteObject (a marker) are not counted.
        let later = {
            let mut e = bulk.clone();
            e.time = "2026-11-22T10:01:30Z".into();
            e
        };
        let denied = {
            let mut e = bulk.clone();
            e.error_code = Some("AccessDenied".into());
            e
        };
        let marker = at("DeleteObject", r#", "key": "exports/a.csv""#, "");
        let all = [
            bulk.clone(),
            gone.clone(),
            later.clone(),
            denied,
            marker.clone(),
        ];
        let bursts = delete_bursts(all.iter());
        assert_eq!(
            burst_of(&bulk, &bursts).as_deref(),
            Some("2 destructive delete call(s) on acme-exports that minute")
        );
        assert_eq!(
            burst_of(&later, &bursts).as_deref(),
            Some("1 destructive delete call(s) on acme-exports that minute")
        );
        assert_eq!(burst_of(&marker, &bursts), None);
        let plain = at("PutObject", r#", "key": "exports/c.csv""#, "");
        assert_eq!(relevance(&plain, &private), None);
        let refused = at(
            "PutObject",
            r#", "key": "exports/d.csv", "x-amz-server-side-encryption-customer-algorithm": "AES256""#,
            r#", "errorCode": "AccessDenied""#,
        );
        assert_eq!(relevance(&refused, &private), Some("access denied"));
    }

    #[test]
    fn anonymous_and_foreign_reads_and_access_changes_are_relevant() {
        let inc = Incident {
            own_account: Some("123456789012".into()),
            ..Default::default()
        };
        let anon = normalise_str(r#"{"eventID":"a","eventName":"GetObject","userIdentity":{"type":"AWSAccount","principalId":"","accountId":"anonymous"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"}]}"#).expect("e");
        assert_eq!(anon.bucket.as_deref(), Some("b"));
        assert_eq!(anon.key.as_deref(), Some("k"));
        assert_eq!(relevance(&anon, &inc), Some("anonymous read"));
        let foreign = normalise_str(r#"{"eventID":"f","eventName":"GetObject","userIdentity":{"type":"AssumedRole","accountId":"999988887777","arn":"arn:aws:sts::999988887777:assumed-role/x/y"}}"#).expect("e");
        assert_eq!(relevance(&foreign, &inc), Some("read from another account"));
        let own = normalise_str(&record("o", "GetObject", "")).expect("e");
        assert_eq!(relevance(&own, &inc), None);
        let policy = normalise_str(&record("p", "PutBucketPolicy", "")).expect("e");
        assert_eq!(relevance(&policy, &inc), Some("changes access"));
        let login = normalise_str(
            r#"{"eventID":"l","eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}}"#,
        )
        .expect("e");
        assert_eq!(relevance(&login, &inc), Some("console login without MFA"));
    }

    #[test]
    fn filters_compose_and_round_trip() {
        let f = TrailFilter::parse(
            "bucket:acme-customer-exports key:AKIAEXAMPLE0000000001 errors data",
        )
        .expect("parse");
        assert_eq!(
            TrailFilter::parse(&f.describe()).expect("again"),
            f,
            "describe() is what parse() reads"
        );
        let ok = normalise_str(&record("x", "GetObject", "")).expect("e");
        assert!(!f.matches(&ok), "errors only");
        let denied =
            normalise_str(&record("y", "GetObject", r#","errorCode":"AccessDenied""#)).expect("e");
        assert!(f.matches(&denied));
        assert!(!TrailFilter::parse("mgmt").expect("p").matches(&denied));
        assert!(
            TrailFilter::parse("principal:user/ci")
                .expect("p")
                .matches(&denied)
        );
        assert!(TrailFilter::parse("colour:red").is_err());
        assert!(TrailFilter::parse("bucket:").is_err());
    }

    #[test]
    fn ring_drops_duplicates_and_the_oldest() {
        let mut ring = EventRing::new(2);
        let mk = |id: &str, t: &str| {
            let mut e = normalise_str(&record(id, "GetObject", "")).expect("e");
            e.time = t.into();
            e
        };
        assert_eq!(ring.extend([mk("a", "1"), mk("b", "3"), mk("a", "1")]), 2);
        assert_eq!(ring.duplicates, 1);
        // A late event lands in time order; the oldest goes.
        ring.extend([mk("c", "2")]);
        let ids: Vec<&str> = ring.newest_first().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["b", "c"]);
        assert_eq!(ring.dropped, 1);
        // Once dropped, an id is forgotten (memory stays bounded).
        assert_eq!(ring.extend([mk("a", "0")]), 1);
    }

    #[test]
    fn held_records_are_packed_and_read_back_byte_for_byte() {
        let originals: Vec<String> = (0..600)
            .map(|i| record(&format!("id{i}"), "GetObject", &format!(r#","n":{i}"#)))
            .collect();
        let mut ring = EventRing::new(1000);
        ring.extend(originals.iter().map(|r| normalise_str(r).expect("e")));
        let mut held: Vec<String> = ring
            .newest_first()
            .map(|e| e.raw.get().into_owned())
            .collect();
        held.sort();
        let mut want = originals.clone();
        want.sort();
        assert_eq!(held, want);
        assert!(
            ring.newest_first().all(|e| e.raw.text().is_none()),
            "all packed"
        );
    }

    #[test]
    fn a_log_file_with_a_bad_record_keeps_the_good_ones() {
        let file = format!(
            r#"{{"Records":[{},{{"eventName":"NoId"}},{}]}}"#,
            record("1", "GetObject", ""),
            record("2", "PutObject", "")
        );
        let parsed = parse_log_file(file.as_bytes()).expect("file");
        assert_eq!(parsed.events.len(), 2);
        assert_eq!(parsed.bad_records, 1);
        assert!(parse_log_file(b"{\"Records\": [").is_err());
    }
}

mod coverage_tests {
    use super::*;

    #[test]
    fn selectors_cover_buckets_and_reads() {
        let all = DataSelector {
            arn_prefixes: vec![],
            reads: true,
            writes: true,
        };
        assert!(all.covers("anything"));
        let one = DataSelector {
            arn_prefixes: vec!["arn:aws:s3:::acme-exports/".into()],
            reads: true,
            writes: false,
        };
        assert!(one.covers("acme-exports"));
        assert!(!one.covers("acme-exports-2"));
        let mut t = TrailInfo {
            name: "t".into(),
            arn: "arn".into(),
            home_region: None,
            bucket: Some("logs".into()),
            prefix: None,
            organisation: false,
            multi_region: true,
            logging: Some(true),
            stopped_at: None,
            data: vec![DataSelector {
                reads: false,
                ..one.clone()
            }],
        };
        assert!(
            !t.logs_reads_of("acme-exports"),
            "write-only selectors miss reads"
        );
        t.data = vec![one];
        assert!(t.logs_reads_of("acme-exports"));
        t.logging = Some(false);
        assert!(
            !t.logs_reads_of("acme-exports"),
            "a stopped trail logs nothing"
        );
    }
}

mod lake_tests {
    use super::*;

    #[test]
    fn lake_sql_quotes_values_and_refuses_injection() {
        let q = LakeQuestion {
            bucket: Some("acme-customer-exports".into()),
            principal: Some("user/ci-deploy".into()),
            access_key: None,
            days: 7,
        };
        let sql = q
            .sql("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", "2026-11-22 10:00:00", "2026-11-15 10:00:00")
            .expect("sql");
        assert!(
            sql.contains("FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE"),
            "{sql}"
        );
        assert!(
            sql.contains("element_at(requestParameters, 'bucketName') = 'acme-customer-exports'")
        );
        assert!(sql.contains("userIdentity.arn LIKE '%user/ci-deploy%'"));
        let evil = LakeQuestion {
            bucket: Some("x' OR '1'='1".into()),
            ..q.clone()
        };
        assert!(evil.sql("eds", "a", "b").is_err());
        let wildcard = LakeQuestion {
            principal: Some("%".into()),
            ..q
        };
        assert!(wildcard.sql("eds", "a", "b").is_err());
    }

    #[test]
    fn a_lake_row_becomes_an_event() {
        let row: Vec<(String, String)> = [
            ("eventID", "l1"),
            ("eventName", "GetObject"),
            ("arn", "arn:aws:iam::123456789012:user/ci"),
            ("accessKeyId", "AKIAEXAMPLE0000000001"),
            ("bucketName", "acme-customer-exports"),
            ("eventCategory", "Data"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let e = from_lake_row(&row).expect("event");
        assert_eq!(e.bucket.as_deref(), Some("acme-customer-exports"));
        assert_eq!(
            e.actor.access_key_id.as_deref(),
            Some("AKIAEXAMPLE0000000001")
        );
        assert!(e.data);
    }
}

/// Records as AWS documents them (CloudTrail User Guide: userIdentity
/// element, Insights events, digest files; DynamoDB and S3 data events),
/// including the shapes real trails deliver: pretty-printed, missing fields,
/// fields of another type.
mod documented_record_tests {
    use super::*;

    fn one(json: &str) -> TrailEvent {
        normalise_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    /// A DynamoDB data event: `requestParameters.key` is a map of the item's
    /// key attributes, not an S3 key.
    const DYNAMODB_GETITEM: &str = r#"{
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLEID:session",
            "arn": "arn:aws:sts::111122223333:assumed-role/app/session",
            "accountId": "111122223333",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID", "arn": "arn:aws:iam::111122223333:role/app", "accountId": "111122223333", "userName": "app"},
                "attributes": {"creationDate": "2026-11-22T09:00:00Z", "mfaAuthenticated": "false"}
            }
        },
        "eventTime": "2026-11-22T10:00:00Z",
        "eventSource": "dynamodb.amazonaws.com",
        "eventName": "GetItem",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "aws-sdk-java",
        "requestParameters": {
            "tableName": "Music",
            "key": {"Artist": "No One You Know", "SongTitle": "Call Me Today"},
            "consistentRead": true
        },
        "responseElements": null,
        "requestID": "R1",
        "eventID": "dynamo-1",
        "readOnly": true,
        "resources": [{"accountId": "111122223333", "type": "AWS::DynamoDB::Table", "ARN": "arn:aws:dynamodb:us-east-1:111122223333:table/Music"}],
        "eventType": "AwsApiCall",
        "managementEvent": false,
        "recipientAccountId": "111122223333",
        "eventCategory": "Data"
    }"#;

    #[test]
    fn a_field_of_another_type_leaves_only_that_field_empty() {
        let e = one(DYNAMODB_GETITEM);
        assert_eq!(e.name, "GetItem");
        assert!(e.data);
        assert_eq!(e.key, None);
        assert_eq!(
            e.actor.session_issuer.as_deref(),
            Some("arn:aws:iam::111122223333:role/app")
        );
        assert_eq!(e.source_ip.as_deref(), Some("192.0.2.10"));
        assert_eq!(
            e.odd,
            vec!["requestParameters.key is an object, not a string: left empty".to_string()]
        );
        // And in a log file: kept, counted and said, not "skipped".
        let file = format!(r#"{{"Records":[{DYNAMODB_GETITEM}]}}"#);
        let parsed = parse_log_file(file.as_bytes()).expect("file");
        assert_eq!(
            (parsed.events.len(), parsed.bad_records, parsed.odd_records),
            (1, 0, 1)
        );
        let said = parsed.problems().expect("said");
        assert!(
            said.contains("requestParameters.key is an object"),
            "{said}"
        );
        assert!(!said.contains("skipped"), "{said}");
    }

    #[test]
    fn odd_types_anywhere_keep_the_record() {
        for (field, json) in [
            (
                "userIdentity",
                r#"{"eventID":"x","eventName":"GetObject","userIdentity":"someone"}"#,
            ),
            (
                "userIdentity.arn",
                r#"{"eventID":"x","eventName":"GetObject","userIdentity":{"type":"IAMUser","arn":["a"],"accountId":123456789012}}"#,
            ),
            (
                "resources",
                r#"{"eventID":"x","eventName":"GetObject","resources":{"ARN":"arn:aws:s3:::b"}}"#,
            ),
            (
                "resources[0]",
                r#"{"eventID":"x","eventName":"GetObject","resources":["arn:aws:s3:::b"]}"#,
            ),
            (
                "sourceIPAddress",
                r#"{"eventID":"x","eventName":"GetObject","sourceIPAddress":true}"#,
            ),
            (
                "requestParameters",
                r#"{"eventID":"x","eventName":"GetObject","requestParameters":"bucketName=b"}"#,
            ),
        ] {
            let e = one(json);
            assert_eq!(e.name, "GetObject", "{field}");
            assert!(
                e.odd.iter().any(|o| o.starts_with(&format!("{field} is "))),
                "{field}: {:?}",
                e.odd
            );
        }
        // A number where a string is expected is taken as written.
        let e =
            one(r#"{"eventID":"x","userIdentity":{"type":"IAMUser","accountId":123456789012}}"#);
        assert_eq!(e.actor.account.as_deref(), Some("123456789012"));
        assert!(e.odd.is_empty());
    }

    #[test]
    fn federated_people_are_named_and_found() {
        // AssumeRoleWithSAML, as the userIdentity documentation shows it.
        let saml = one(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"SAMLUser","principalId":"SampleUkh1i4+ExamplexL/jEvs=:SamlExample","userName":"SamlExample","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="},"eventTime":"2026-11-22T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","requestParameters":{"sAMLAssertionID":"_c0046cEXAMPLEb9d4b8eEXAMPLE2619aEXAMPLE","roleSessionName":"MyAssignedRoleSessionName","principalArn":"arn:aws:iam::444455556666:saml-provider/Shibboleth","roleArn":"arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth","durationSeconds":3600},"eventID":"saml-1","eventType":"AwsApiCall","recipientAccountId":"444455556666"}"#,
        );
        assert_eq!(
            saml.actor.label(),
            "SamlExample (SAML via bdGOnTesti4+ExamplexL/jEvs=)"
        );
        assert_eq!(
            saml.role_arn.as_deref(),
            Some("arn:aws:iam::444455556666:role/SAMLTestRoleShibboleth")
        );
        let web = one(
            r#"{"userIdentity":{"type":"WebIdentityUser","principalId":"accounts.google.com:application-id.apps.googleusercontent.com:user-id","userName":"user-id","identityProvider":"accounts.google.com"},"eventName":"AssumeRoleWithWebIdentity","eventSource":"sts.amazonaws.com","eventID":"web-1"}"#,
        );
        assert_eq!(
            web.actor.label(),
            "user-id (web identity via accounts.google.com)"
        );
        let idc = one(
            r#"{"userIdentity":{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"544894e8-80c1-707f-60e3-3ba6510dfac1","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"},"credentialId":"EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"},"eventName":"ListAccounts","eventSource":"sso.amazonaws.com","eventID":"idc-1"}"#,
        );
        assert_eq!(
            idc.actor.label(),
            "Identity Center user 544894e8-80c1-707f-60e3-3ba6510dfac1 (d-9067642ac7)"
        );
        // An empty arn falls back to the type and account, never a blank.
        let blank = one(
            r#"{"userIdentity":{"type":"AWSService","arn":"","accountId":"111122223333"},"eventName":"X","eventID":"b-1"}"#,
        );
        assert_eq!(blank.actor.label(), "AWSService (account 111122223333)");
        let none = one(r#"{"eventName":"X","eventID":"n-1"}"#);
        assert!(!none.actor.label().trim().is_empty());

        for (word, e, want) in [
            ("principal:SamlExample", &saml, true),
            ("principal:user-id", &web, true),
            ("principal:544894e8", &idc, true),
            ("principal:someone-else", &saml, false),
        ] {
            assert_eq!(
                TrailFilter::parse(word).expect("filter").matches(e),
                want,
                "{word}"
            );
        }
    }

    #[test]
    fn insights_events_show_their_insight() {
        let e = one(
            r#"{"eventVersion":"1.07","eventTime":"2026-11-14T00:51:00Z","awsRegion":"us-east-1","eventID":"EXAMPLE8-9621-4d00-b913-beca2EXAMPLE","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","sharedEventID":"12345678-abcd-efab-1234-abcdefabcdef","insightDetails":{"state":"Start","eventSource":"ssm.amazonaws.com","eventName":"UpdateInstanceAssociationStatus","insightType":"ApiCallRateInsight","insightContext":{"statistics":{"baseline":{"average":85.4202380952},"insight":{"average":664}}}},"eventCategory":"Insight"}"#,
        );
        assert_eq!(e.name, "Insight Start: UpdateInstanceAssociationStatus");
        assert_eq!(e.source, "ssm.amazonaws.com");
        assert_eq!(e.actor.label(), "CloudTrail Insights (ApiCallRateInsight)");
        assert!(e.odd.is_empty());
    }

    #[test]
    fn a_digest_file_is_named_as_one() {
        let digest = br#"{"awsAccountId":"111122223333","digestStartTime":"2026-11-22T09:00:00Z","digestEndTime":"2026-11-22T10:00:00Z","digestS3Bucket":"trail","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/22/x.json.gz","digestPublicKeyFingerprint":"abc","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2026-11-22T09:59:59Z","oldestEventTime":"2026-11-22T09:00:00Z","previousDigestS3Bucket":null,"previousDigestSignature":null,"logFiles":[]}"#;
        assert_eq!(parse_log_file(digest).err(), Some(RecordError::Digest));
        assert!(is_digest_name(
            "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261122T100000Z.json.gz"
        ));
        assert!(matches!(
            parse_log_file(br#"{"something":1}"#),
            Err(RecordError::Json(_))
        ));
    }

    #[test]
    fn ip_matches_any_listed_address() {
        let e = one(
            r#"{"eventID":"i","eventName":"GetObject","sourceIPAddress":"198.51.100.7, 203.0.113.9"}"#,
        );
        for (ip, want) in [
            ("ip:203.0.113.9", true),
            ("ip:198.51.100.7", true),
            ("ip:203.0.113.1", false),
        ] {
            assert_eq!(
                TrailFilter::parse(ip).expect("filter").matches(&e),
                want,
                "{ip}"
            );
        }
    }

    /// CopyObject as a data event: the destination in requestParameters,
    /// the source in `x-amz-copy-source` and again in resources[].
    #[test]
    fn a_copy_is_found_under_its_source_bucket() {
        let copy = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::444455556666:user/x","accountId":"444455556666"},"eventTime":"2026-11-22T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"CopyObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","requestParameters":{"bucketName":"attacker-drop","Host":"attacker-drop.s3.amazonaws.com","x-amz-copy-source":"victim-data/exports%2Fcustomers.csv?versionId=abc","key":"loot.csv"},"eventID":"copy-1","readOnly":false,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::attacker-drop/loot.csv"},{"accountId":"444455556666","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::attacker-drop"},{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::victim-data/exports/customers.csv"},{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::victim-data"}],"eventCategory":"Data"}"#;
        let e = one(copy);
        assert_eq!(
            (e.bucket.as_deref(), e.key.as_deref()),
            (Some("attacker-drop"), Some("loot.csv"))
        );
        assert_eq!(
            (e.source_bucket.as_deref(), e.source_key.as_deref()),
            (Some("victim-data"), Some("exports/customers.csv"))
        );
        assert!(
            TrailFilter::parse("bucket:victim-data")
                .expect("f")
                .matches(&e)
        );
        assert!(
            TrailFilter::parse("bucket:attacker-drop")
                .expect("f")
                .matches(&e)
        );
        let incident = Incident {
            buckets: ["victim-data".to_string()].into(),
            ..Default::default()
        };
        assert_eq!(
            relevance(&e, &incident),
            Some("copies out of an affected bucket")
        );
        // Without the header, resources[] still names the source.
        let no_header = copy.replace(
            r#""x-amz-copy-source":"victim-data/exports%2Fcustomers.csv?versionId=abc","#,
            "",
        );
        let e = one(&no_header);
        assert_eq!(e.source_bucket.as_deref(), Some("victim-data"));
    }

    #[test]
    fn resources_of_every_partition_are_read() {
        for partition in ["aws", "aws-us-gov", "aws-cn"] {
            let e = one(&format!(
                r#"{{"eventID":"p","eventName":"GetObject","resources":[{{"type":"AWS::S3::Object","ARN":"arn:{partition}:s3:::gov-bucket/a/b.txt"}},{{"type":"AWS::S3::Bucket","ARN":"arn:{partition}:s3:::gov-bucket"}}]}}"#
            ));
            assert_eq!(e.bucket.as_deref(), Some("gov-bucket"), "{partition}");
            assert_eq!(e.key.as_deref(), Some("a/b.txt"), "{partition}");
        }
    }

    #[test]
    fn a_pretty_printed_log_file_keeps_every_record() {
        let file = format!(
            "{{\n  \"Records\": [\n    {DYNAMODB_GETITEM},\n    {DYNAMODB_GETITEM}\n  ]\n}}\n"
        )
        .replacen("dynamo-1", "dynamo-2", 1);
        let parsed = parse_log_file(file.as_bytes()).expect("file");
        assert_eq!(parsed.events.len(), 2);
        assert!(parsed.events[0].raw.get().contains('\n'), "kept as written");
    }
}
