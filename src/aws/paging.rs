//! Following a listing to its last page. Every listing warroom reads pages
//! with a token; this is the one loop that follows it, and it stops on a
//! missing, empty or repeated token (an emulator or a proxy that answers
//! the same token again must not make a scan spin).

use std::future::Future;

use super::AwsError;

/// Every item of every page. `fetch` asks for the page after `token`
/// (`None`: the first); `take` gives a page's items and the token of the
/// next page, if there is one.
pub async fn every_page<P, T, Fut>(
    mut fetch: impl FnMut(Option<String>) -> Fut,
    mut take: impl FnMut(&P) -> (Vec<T>, Option<String>),
) -> Result<Vec<T>, AwsError>
where
    Fut: Future<Output = Result<P, AwsError>>,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = fetch(token.clone()).await?;
        let (items, next) = take(&page);
        out.extend(items);
        match next {
            Some(t) if !t.is_empty() && Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pages_are_followed_and_a_repeated_token_ends_the_listing() {
        // Three pages, then a page that names itself again.
        let got = every_page(
            |token| async move { Ok::<_, AwsError>(token) },
            |token: &Option<String>| match token.as_deref() {
                None => (vec![1], Some("a".to_string())),
                Some("a") => (vec![2], Some("b".to_string())),
                Some("b") => (vec![3], Some("b".to_string())),
                _ => (vec![99], None),
            },
        )
        .await
        .expect("pages");
        assert_eq!(got, vec![1, 2, 3]);
        let empty = every_page(
            |_| async { Ok::<_, AwsError>(()) },
            |_: &()| (vec![7], Some(String::new())),
        )
        .await
        .expect("pages");
        assert_eq!(empty, vec![7]);
        let failed = every_page(
            |_| async { Err::<(), _>(AwsError::new("AccessDenied", "no")) },
            |_: &()| (Vec::<u8>::new(), None),
        )
        .await;
        assert!(failed.is_err());
    }
}
