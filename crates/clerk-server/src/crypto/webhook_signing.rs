//! Webhook signatures as Svix makes them (the scheme Clerk's webhooks use, also published as
//! Standard Webhooks), so that `verifyWebhook` from `@clerk/backend/webhooks`, the `svix`
//! libraries and any Standard Webhooks library accept our messages unchanged.
//!
//! An endpoint's secret is `whsec_` followed by the base64 of its key bytes. A message is
//! signed with HMAC-SHA256, keyed with those bytes, over `"{msg_id}.{timestamp}.{body}"`
//! (timestamp in seconds); the `svix-signature` header carries `v1,<base64 of the MAC>`, and
//! during a secret rotation one such signature per secret, separated by spaces.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of an endpoint secret's text form.
const PREFIX: &str = "whsec_";
/// Key bytes in a secret we generate (Svix's size: 32 base64 characters).
const GENERATED_KEY_BYTES: usize = 24;

/// An endpoint's signing key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

/// A secret's text is not `whsec_` followed by base64 of at least one byte.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a webhook secret is `whsec_` followed by base64 (as Svix shows it)")]
pub struct InvalidWebhookSecret;

impl WebhookSecret {
    /// A new random secret.
    pub fn generate() -> Self {
        let mut key = vec![0u8; GENERATED_KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self(key)
    }

    /// Reads `whsec_<base64>`; the prefix may be left out, as Svix's libraries allow.
    pub fn parse(text: &str) -> Result<Self, InvalidWebhookSecret> {
        let encoded = text.strip_prefix(PREFIX).unwrap_or(text);
        match STANDARD.decode(encoded) {
            Ok(key) if !key.is_empty() => Ok(Self(key)),
            _ => Err(InvalidWebhookSecret),
        }
    }

    /// How many key bytes the secret has.
    pub fn key_len(&self) -> usize {
        self.0.len()
    }

    /// The `whsec_…` form shown to whoever configures the receiving end.
    pub fn to_text(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// `v1,<signature>` of one message.
    pub fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_secs.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

/// The `svix-signature` header for a message: one signature per secret (the current one, and
/// the previous ones while a rotation lets receivers catch up), separated by spaces.
pub fn signature_header(
    secrets: &[WebhookSecret],
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(msg_id, timestamp_secs, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector of Svix's own library tests (e.g. the Ruby gem's "valid signature is valid").
    const SVIX_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SVIX_MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SVIX_TIMESTAMP: i64 = 1614265330;
    const SVIX_BODY: &str = r#"{"test": 2432232314}"#;
    const SVIX_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_as_svix_does() {
        let secret = WebhookSecret::parse(SVIX_SECRET).unwrap();
        assert_eq!(
            secret.sign(SVIX_MSG_ID, SVIX_TIMESTAMP, SVIX_BODY.as_bytes()),
            SVIX_SIGNATURE
        );
        // Any change to the id, the time or the body changes the signature.
        for (id, ts, body) in [
            ("msg_other", SVIX_TIMESTAMP, SVIX_BODY),
            (SVIX_MSG_ID, SVIX_TIMESTAMP + 1, SVIX_BODY),
            (SVIX_MSG_ID, SVIX_TIMESTAMP, r#"{"test": 2432232315}"#),
        ] {
            assert_ne!(secret.sign(id, ts, body.as_bytes()), SVIX_SIGNATURE);
        }
    }

    #[test]
    fn the_prefix_is_optional_and_the_text_round_trips() {
        let with = WebhookSecret::parse(SVIX_SECRET).unwrap();
        let without = WebhookSecret::parse(SVIX_SECRET.trim_start_matches(PREFIX)).unwrap();
        assert_eq!(with, without);
        assert_eq!(with.to_text(), SVIX_SECRET);
        let generated = WebhookSecret::generate();
        assert_eq!(
            WebhookSecret::parse(&generated.to_text()).unwrap(),
            generated
        );
        assert_eq!(generated.to_text().len(), PREFIX.len() + 32);
        assert_ne!(generated, WebhookSecret::generate());
    }

    #[test]
    fn malformed_secrets_are_refused() {
        for bad in ["", "whsec_", "whsec_not base64!", "whsec_@@@@"] {
            assert_eq!(
                WebhookSecret::parse(bad),
                Err(InvalidWebhookSecret),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_rotation_header_carries_one_signature_per_secret() {
        let old = WebhookSecret::parse(SVIX_SECRET).unwrap();
        let new = WebhookSecret::generate();
        let header = signature_header(
            &[new.clone(), old],
            SVIX_MSG_ID,
            SVIX_TIMESTAMP,
            SVIX_BODY.as_bytes(),
        );
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(
            parts,
            [
                new.sign(SVIX_MSG_ID, SVIX_TIMESTAMP, SVIX_BODY.as_bytes())
                    .as_str(),
                SVIX_SIGNATURE
            ]
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let secret = WebhookSecret::parse(SVIX_SECRET).unwrap();
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }
}
