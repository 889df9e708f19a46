//! Reading the credential facts for the credentials pane: IAM users and
//! their keys, roles, and EC2 instances and key pairs in every requested
//! region. Each source fails on its own ("unknown (AccessDenied)" in its
//! section), never the whole pane.

use crate::aws::{Clients, ec2, iam};
use crate::model::credentials::{CredentialFacts, InstanceFacts};
use crate::model::facts::Fact;

/// Everything the pane shows. `regions`: where to read EC2 (deduplicated,
/// the console's own region first).
pub async fn load(c: &Clients, own_account: &str, regions: &[String]) -> CredentialFacts {
    let mut wanted: Vec<String> = vec![c.region().to_string()];
    for r in regions {
        if !wanted.contains(r) {
            wanted.push(r.clone());
        }
    }
    let (users, roles, ec2) = tokio::join!(
        iam::users(c),
        iam::roles(c, own_account),
        load_ec2(c, &wanted)
    );
    let (instances, key_pairs) = ec2;
    let roles = roles.map(|roles| {
        roles
            .into_iter()
            .map(|(mut role, profiles)| {
                role.instances = match (&profiles, &instances) {
                    (Fact::Known(profiles), Fact::Known(all)) => Fact::Known(
                        all.iter()
                            .filter(|i| {
                                i.instance_profile_arn
                                    .as_ref()
                                    .is_some_and(|arn| profiles.contains(arn))
                            })
                            .map(|i| i.id.clone())
                            .collect(),
                    ),
                    (Fact::Unknown(e), _) | (_, Fact::Unknown(e)) => Fact::Unknown(e.clone()),
                };
                role
            })
            .collect()
    });
    CredentialFacts {
        account: own_account.to_string(),
        users: users.into(),
        roles: roles.into(),
        key_pairs,
        instances,
    }
}

async fn load_ec2(
    c: &Clients,
    regions: &[String],
) -> (
    Fact<Vec<InstanceFacts>>,
    Fact<Vec<crate::model::credentials::KeyPairFacts>>,
) {
    let mut instances = Vec::new();
    let mut pairs = Vec::new();
    for region in regions {
        match ec2::instances(c, region).await {
            Ok(found) => instances.extend(found),
            Err(e) => return (Fact::Unknown(e.clone()), Fact::Unknown(e)),
        }
    }
    for region in regions {
        match ec2::key_pair_facts(c, region, &instances).await {
            Ok(found) => pairs.extend(found),
            Err(e) => return (Fact::Known(instances), Fact::Unknown(e)),
        }
    }
    (Fact::Known(instances), Fact::Known(pairs))
}
