//! Parsers of the identifiers a responder types or a record carries (access
//! key ids, ARNs, IAM names, bucket names, regions, instance ids, key pair
//! names): a typo is refused before any request. Pure, so the model, the
//! CLI and the console share one definition.

/// An IAM user or role ARN.
pub fn parse_principal_arn(s: &str) -> Result<String, String> {
    let ok = s.starts_with("arn:aws")
        && s.len() <= 2048
        && s.split(':').count() >= 6
        && s.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(s.to_string())
    } else {
        Err("not an ARN (arn:aws:iam::123456789012:role/NAME)".into())
    }
}

/// An AWS Region name, e.g. `eu-west-1`.
pub fn parse_region(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(s.to_string())
    } else {
        Err("a region looks like eu-west-1 (lower-case letters, digits and dashes)".into())
    }
}

/// An access key id: AKIA… (long-term) or ASIA… (temporary), 16-128
/// upper-case letters and digits.
pub fn parse_access_key_id(s: &str) -> Result<String, String> {
    let ok = (16..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && (s.starts_with("AKIA") || s.starts_with("ASIA"));
    if ok {
        Ok(s.to_string())
    } else {
        Err("not an access key id (AKIA… or ASIA…, upper-case letters and digits)".into())
    }
}

/// IAM user and role names: 1-64 of letters, digits and `+=,.@_-`.
pub fn parse_iam_name(s: &str) -> Result<String, String> {
    let ok = (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(s.to_string())
    } else {
        Err("not an IAM name (1-64 letters, digits and +=,.@_-; give the name, not the ARN)".into())
    }
}

/// A trail's name (3-128 letters, digits, `._-`) or its ARN.
pub fn parse_trail(s: &str) -> Result<String, String> {
    let name = match s.strip_prefix("arn:") {
        Some(rest) => {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            match parts.as_slice() {
                [_, "cloudtrail", _, _, res] => res.strip_prefix("trail/").unwrap_or(""),
                _ => "",
            }
        }
        None => s,
    };
    let ok = (3..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(s.to_string())
    } else {
        Err("not a trail name (3-128 letters, digits and ._-) or trail ARN".into())
    }
}

/// A managed policy's ARN: `arn:aws:iam::ACCOUNT|aws:policy/PATH/NAME`.
pub fn parse_policy_arn(s: &str) -> Result<String, String> {
    let ok = s.starts_with("arn:")
        && s.split(':').nth(2) == Some("iam")
        && s.split(':')
            .nth(5)
            .is_some_and(|r| r.starts_with("policy/") && r.len() > 7)
        && !s.chars().any(char::is_control);
    if ok {
        Ok(s.to_string())
    } else {
        Err("not a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)".into())
    }
}

/// An EC2 instance id: `i-` and 8 or 17 hex digits.
pub fn parse_instance_id(s: &str) -> Result<String, String> {
    let hex = s.strip_prefix("i-").unwrap_or("");
    if matches!(hex.len(), 8 | 17) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s.to_string())
    } else {
        Err("not an instance id (i- and 8 or 17 hex digits)".into())
    }
}

/// An EC2 key pair name: 1-255 printable ASCII characters.
pub fn parse_key_pair_name(s: &str) -> Result<String, String> {
    if (1..=255).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        Ok(s.to_string())
    } else {
        Err("not a key pair name (1-255 printable ASCII characters)".into())
    }
}

/// S3 bucket naming rules, so a typo is refused before any request.
pub fn parse_bucket(s: &str) -> Result<String, String> {
    let ok = (3..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(s.to_string())
    } else {
        Err("not a valid bucket name (3-63 lower-case letters, digits, dots, dashes)".into())
    }
}
