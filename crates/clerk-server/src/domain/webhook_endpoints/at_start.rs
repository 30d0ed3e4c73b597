//! Endpoints given at start (`clerk serve --webhook URL[,secret=…][,events=…]`).

use super::rules::{
    check_filter_types, check_url, new_endpoint, open, parse_secret, seal, SECRET_KEY_BYTES,
};
use crate::error::ApiResult;
use crate::store::now_ms;
use crate::store::webhooks::endpoints as sql;
use crate::AppState;

/// An endpoint `clerk serve --webhook URL[,secret=…][,events=…]` sets up at start.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    pub url: String,
    pub secret: Option<String>,
    pub filter_types: Option<Vec<String>>,
}

impl std::fmt::Debug for EndpointSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointSpec")
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("filter_types", &self.filter_types)
            .finish()
    }
}

impl std::str::FromStr for EndpointSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(',');
        let url = parts.next().unwrap_or_default().trim().to_owned();
        check_url(&url).map_err(|e| e.long_message)?;
        let mut spec = EndpointSpec {
            url,
            secret: None,
            filter_types: None,
        };
        for part in parts {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            match name.trim() {
                "secret" => {
                    let secret = value.trim();
                    parse_secret("secret", secret).map_err(|_| {
                        format!(
                            "secret= must be whsec_ followed by the base64 of {} to {} bytes",
                            SECRET_KEY_BYTES.start(),
                            SECRET_KEY_BYTES.end()
                        )
                    })?;
                    spec.secret = Some(secret.to_owned());
                }
                "events" => {
                    let types = value.split('|').map(|t| t.trim().to_owned()).collect();
                    spec.filter_types = Some(check_filter_types(types).map_err(|_| {
                        "events= must list event types separated by | (user.created|user.deleted)"
                            .to_owned()
                    })?);
                }
                // Only the name: the value may be a mistyped secret.
                other => {
                    return Err(format!(
                        "unknown part {other:?}: expected URL[,secret=whsec_…][,events=a|b]"
                    ))
                }
            }
        }
        Ok(spec)
    }
}

/// Makes sure an endpoint exists for each spec: the endpoint with that URL gets the spec's events
/// (and secret, if it names one) where they differ, else one is created. Runs at start, so a
/// restart with the same flags changes nothing; an endpoint disabled through the API stays
/// disabled.
pub async fn ensure_endpoints(app: &AppState, specs: &[EndpointSpec]) -> ApiResult<()> {
    for spec in specs {
        let now = now_ms();
        let mut tx = app.store.begin_write().await?;
        // Nodes starting at once with the same flags make one endpoint, not one each.
        sql::lock_for_setup(&mut tx).await?;
        let existing = sql::find_by_url(tx.conn(), &spec.url).await?;
        let secret = spec
            .secret
            .as_deref()
            .map(|text| parse_secret("secret", text))
            .transpose()?;
        match existing {
            Some(mut row) => {
                let mut changed = row.filter_types != spec.filter_types;
                row.filter_types = spec.filter_types.clone();
                if let Some(secret) = &secret {
                    if open(&app.encryption_key, &row.id, &row.secret)? != *secret {
                        row.secret = seal(&app.encryption_key, &row.id, secret);
                        changed = true;
                    }
                }
                if changed {
                    row.updated_at = now;
                    sql::update(tx.conn(), &row).await?;
                }
                tracing::info!(endpoint = %row.id, url = %row.url, changed, "webhook endpoint from --webhook");
            }
            None => {
                let row = new_endpoint(
                    &app.encryption_key,
                    spec.url.clone(),
                    "clerk serve --webhook".into(),
                    spec.filter_types.clone(),
                    false,
                    secret,
                    now,
                );
                sql::insert(tx.conn(), &row).await?;
                tracing::info!(
                    endpoint = %row.id,
                    url = %row.url,
                    "webhook endpoint created from --webhook; its secret: clerk webhooks list"
                );
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::EndpointSpec;

    #[test]
    fn webhook_flags_read_with_spaces_and_never_echo_a_secret() {
        let spec: EndpointSpec =
            "http://localhost:3000/hook, secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw , events=user.created|user.deleted"
                .parse()
                .unwrap();
        assert_eq!(spec.url, "http://localhost:3000/hook");
        assert_eq!(
            spec.secret.as_deref(),
            Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        );
        assert_eq!(
            spec.filter_types,
            Some(vec!["user.created".to_owned(), "user.deleted".to_owned()])
        );
        let typo = "http://h/x,secrt=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            .parse::<EndpointSpec>()
            .unwrap_err();
        assert!(typo.contains("secrt") && !typo.contains("MfKQ"), "{typo}");
        let short = "http://h/x,secret=whsec_c2hvcnQ="
            .parse::<EndpointSpec>()
            .unwrap_err();
        assert!(!short.contains("c2hvcnQ"), "{short}");
        let events = "http://h/x,events=user created"
            .parse::<EndpointSpec>()
            .unwrap_err();
        assert!(events.starts_with("events="), "{events}");
        assert!("ftp://h/x".parse::<EndpointSpec>().is_err());
        assert!(!format!("{spec:?}").contains("MfKQ"));
    }
}
