//! Who outside the account can decrypt with a KMS key: the second lock on
//! an SSE-KMS bucket. An S3 grant to another account reads only ciphertext
//! unless that account may also use the key (its key policy or a grant);
//! a key that can be used from outside opens objects to whoever the bucket
//! lets read them.

use serde_json::Value;

use super::facts::KmsGrant;
use super::policy::{account_of_principal, glob_match};

/// One way a key reaches outside the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outsider {
    /// An account id, or `*` for anyone.
    pub who: String,
    /// `key policy statement 2 (Sid)` or `grant 0a1b…`.
    pub by: String,
}

/// Does an action pattern of a key policy cover `kms:Decrypt`?
fn covers_decrypt(pattern: &str) -> bool {
    glob_match(&pattern.to_ascii_lowercase(), "kms:decrypt")
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn get_ci<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A condition that pins the caller to one account (`kms:CallerAccount`,
/// `aws:PrincipalAccount`), and which account.
fn pinned_account(st: &Value) -> Option<Vec<String>> {
    let conds = get_ci(st, "Condition")?.as_object()?;
    for (op, keys) in conds {
        let op = op.to_ascii_lowercase();
        if !(op == "stringequals" || op == "stringlike") {
            continue;
        }
        for (k, v) in keys.as_object()? {
            let k = k.to_ascii_lowercase();
            if k == "kms:calleraccount" || k == "aws:principalaccount" {
                return Some(strings(v));
            }
        }
    }
    None
}

/// Everyone outside `own` that the key policy lets call `kms:Decrypt`.
/// Deny statements are not weighed (as for bucket policies, the grant is
/// what counts); conditions other than a pinned caller account are taken
/// as met, so a door is never assumed shut.
pub fn policy_outsiders(document: &str, own: &str) -> Result<Vec<Outsider>, String> {
    let doc: Value = serde_json::from_str(document).map_err(|e| e.to_string())?;
    let statements = match get_ci(&doc, "Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (i, st) in statements.iter().enumerate() {
        if get_ci(st, "Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let decrypts = get_ci(st, "Action")
            .map(strings)
            .unwrap_or_default()
            .iter()
            .any(|a| covers_decrypt(a))
            || get_ci(st, "NotAction")
                .is_some_and(|n| !strings(n).iter().any(|a| covers_decrypt(a)));
        if !decrypts {
            continue;
        }
        let by = match get_ci(st, "Sid").and_then(Value::as_str) {
            Some(sid) if !sid.is_empty() => format!("key policy statement {} ({sid})", i + 1),
            _ => format!("key policy statement {}", i + 1),
        };
        let pinned = pinned_account(st);
        let mut reach = |who: String| {
            if who != own && !out.iter().any(|o: &Outsider| o.who == who && o.by == by) {
                out.push(Outsider {
                    who,
                    by: by.clone(),
                });
            }
        };
        let principals: Vec<String> = match get_ci(st, "Principal") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Object(map)) => map
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case("AWS") || k.as_str() == "*")
                .flat_map(|(_, v)| strings(v))
                .collect(),
            _ => Vec::new(),
        };
        if get_ci(st, "NotPrincipal").is_some() {
            reach("*".into());
            continue;
        }
        for p in principals {
            if p == "*" {
                match &pinned {
                    Some(accounts) => accounts.iter().for_each(|a| reach(a.clone())),
                    None => reach("*".into()),
                }
            } else if let Some(acct) = account_of_principal(&p) {
                reach(acct);
            } else {
                // A unique id or something unplaceable: outside, not a guess.
                reach(p);
            }
        }
    }
    Ok(out)
}

/// Grants that let a principal of another account decrypt.
pub fn grant_outsiders(grants: &[KmsGrant], own: &str) -> Vec<Outsider> {
    grants
        .iter()
        .filter(|g| g.operations.iter().any(|o| o == "Decrypt"))
        .filter_map(|g| {
            let who = account_of_principal(&g.grantee).unwrap_or_else(|| g.grantee.clone());
            (who != own).then(|| Outsider {
                who,
                by: format!("grant {}", g.id),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key policy the KMS Developer Guide gives for letting another
    /// account use a key ("Allowing users in other accounts to use a KMS
    /// key"), next to the default statement for the key's own account.
    const CROSS_ACCOUNT: &str = r#"{
      "Version": "2012-10-17",
      "Id": "key-default-1",
      "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow use of the key", "Effect": "Allow",
         "Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:role/ExampleRole"]},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*"}
      ]
    }"#;

    #[test]
    fn the_guides_cross_account_policy_reaches_one_other_account() {
        let out = policy_outsiders(CROSS_ACCOUNT, "111122223333").expect("parsed");
        assert_eq!(
            out,
            vec![Outsider {
                who: "444455556666".into(),
                by: "key policy statement 2 (Allow use of the key)".into()
            }]
        );
        // Only the owner's account: nobody outside.
        let own = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}}"#;
        assert!(
            policy_outsiders(own, "111122223333")
                .expect("parsed")
                .is_empty()
        );
        // Everyone, pinned to the caller's account by kms:CallerAccount.
        let pinned = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}"#;
        assert!(
            policy_outsiders(pinned, "111122223333")
                .expect("parsed")
                .is_empty()
        );
        // Everyone, unpinned: anyone.
        let open = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}"#;
        assert_eq!(
            policy_outsiders(open, "111122223333").expect("parsed")[0].who,
            "*"
        );
        // Encrypt only: not a way to read.
        let encrypt = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:Encrypt", "Resource": "*"}]}"#;
        assert!(
            policy_outsiders(encrypt, "111122223333")
                .expect("parsed")
                .is_empty()
        );
        assert!(policy_outsiders("not json", "1").is_err());
    }

    #[test]
    fn a_grant_to_another_account_that_decrypts_is_an_outsider() {
        let g = |grantee: &str, ops: &[&str]| KmsGrant {
            id: "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60".into(),
            grantee: grantee.into(),
            operations: ops.iter().map(|s| s.to_string()).collect(),
        };
        let out = grant_outsiders(
            &[
                g(
                    "arn:aws:iam::444455556666:role/reader",
                    &["Decrypt", "DescribeKey"],
                ),
                g("arn:aws:iam::111122223333:role/own", &["Decrypt"]),
                g("arn:aws:iam::777788889999:role/writer", &["Encrypt"]),
            ],
            "111122223333",
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].who, "444455556666");
        assert!(out[0].by.starts_with("grant 0c237476"));
    }
}
