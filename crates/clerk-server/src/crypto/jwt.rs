//! JSON Web Tokens: the instance's RSA signing keys (made here, published as JWKs), signing a
//! token's claims, and checking a token this instance signed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use clerk_model::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;

/// The algorithm of the instance's keys, as Clerk signs session tokens.
pub const INSTANCE_ALGORITHM: &str = "RS256";

/// Size of a new instance key (Clerk's keys are 2048-bit RSA).
const RSA_BITS: usize = 2048;

/// A new instance key: the private key to seal and store, and its public half as a JWK.
pub struct NewKey {
    pub private_pkcs1_der: Vec<u8>,
    pub public_jwk: Jwk,
}

/// Makes a 2048-bit RSA key named `kid`. CPU-heavy (tens to hundreds of milliseconds): call it
/// off the async runtime.
pub fn generate_rsa_key(kid: &str) -> NewKey {
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
        .expect("a 2048-bit RSA key can be generated");
    let der = key
        .to_pkcs1_der()
        .expect("a generated RSA key encodes as PKCS#1");
    let public = key.to_public_key();
    NewKey {
        private_pkcs1_der: der.as_bytes().to_vec(),
        public_jwk: Jwk {
            key_use: "sig".into(),
            kty: "RSA".into(),
            kid: kid.into(),
            alg: INSTANCE_ALGORITHM.into(),
            n: URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
            e: URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
            other: Default::default(),
        },
    }
}

/// A key tokens can be signed with, and the algorithm it signs with.
#[derive(Clone)]
pub struct SigningKey {
    pub algorithm: Algorithm,
    pub key: EncodingKey,
    /// Named in the token's header (`kid`), so a verifier finds the key in the JWKS.
    pub kid: Option<String>,
}

impl SigningKey {
    /// An instance key from its PKCS#1 DER.
    pub fn instance(kid: &str, pkcs1_der: &[u8]) -> Self {
        Self {
            algorithm: Algorithm::RS256,
            key: EncodingKey::from_rsa_der(pkcs1_der),
            kid: Some(kid.into()),
        }
    }

    /// A JWT template's own key: a shared secret for `HS*`, a PEM private key for `RS*`/`ES*`.
    pub fn custom(algorithm: &str, key: &str) -> Result<Self, CustomKeyError> {
        let algorithm = custom_algorithm(algorithm).ok_or(CustomKeyError::Algorithm)?;
        let pem = key.as_bytes();
        let key = match algorithm {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                if key.is_empty() {
                    return Err(CustomKeyError::Key);
                }
                EncodingKey::from_secret(key.as_bytes())
            }
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
                EncodingKey::from_rsa_pem(pem).map_err(|_| CustomKeyError::Key)?
            }
            _ => EncodingKey::from_ec_pem(pem).map_err(|_| CustomKeyError::Key)?,
        };
        let signing = Self {
            algorithm,
            key,
            kid: None,
        };
        // A PEM that parses can still be the wrong kind of key for the algorithm: sign once.
        signing
            .sign(&serde_json::json!({}))
            .map_err(|_| CustomKeyError::Key)?;
        Ok(signing)
    }

    /// The compact JWS of `claims`, with `typ: JWT` and the key's `kid` in the header.
    pub fn sign(&self, claims: &serde_json::Value) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(self.algorithm);
        header.typ = Some("JWT".into());
        header.kid = self.kid.clone();
        jsonwebtoken::encode(&header, claims, &self.key)
    }
}

/// The algorithms a JWT template's own key may use.
pub const CUSTOM_ALGORITHMS: [&str; 8] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384",
];

fn custom_algorithm(name: &str) -> Option<Algorithm> {
    Some(match name {
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CustomKeyError {
    #[error("the signing algorithm is not supported")]
    Algorithm,
    #[error("the signing key does not fit the algorithm")]
    Key,
}

/// The header's `kid` of a compact JWS, without checking anything else.
pub fn token_kid(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

/// The claims of `token` if `jwk` signed it (RS256), whatever its `exp` and `nbf` say: a
/// refresh takes an expired token.
pub fn verified_claims_ignoring_time(token: &str, jwk: &Jwk) -> Option<serde_json::Value> {
    let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).ok()?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_signed_with_a_new_key_verifies_with_its_jwk_only() {
        let key = generate_rsa_key("ins_test");
        let signing = SigningKey::instance("ins_test", &key.private_pkcs1_der);
        let token = signing
            .sign(&serde_json::json!({"sub": "user_1", "exp": 1}))
            .unwrap();
        assert_eq!(token_kid(&token).as_deref(), Some("ins_test"));
        let claims = verified_claims_ignoring_time(&token, &key.public_jwk).unwrap();
        assert_eq!(claims["sub"], "user_1");

        let other = generate_rsa_key("ins_other");
        assert!(verified_claims_ignoring_time(&token, &other.public_jwk).is_none());
        let mut tampered = token.clone();
        tampered.replace_range(tampered.len() - 4.., "AAAA");
        assert!(verified_claims_ignoring_time(&tampered, &key.public_jwk).is_none());
    }

    #[test]
    fn custom_keys_must_fit_their_algorithm() {
        assert!(SigningKey::custom("HS256", "a shared secret").is_ok());
        assert_eq!(
            SigningKey::custom("HS256", "").err(),
            Some(CustomKeyError::Key)
        );
        assert_eq!(
            SigningKey::custom("none", "x").err(),
            Some(CustomKeyError::Algorithm)
        );
        assert_eq!(
            SigningKey::custom("RS256", "not a pem").err(),
            Some(CustomKeyError::Key)
        );
        let der = generate_rsa_key("k").private_pkcs1_der;
        let pem = rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_der(&der)
            .map(|k: rsa::RsaPrivateKey| k.to_pkcs1_pem(Default::default()).unwrap())
            .unwrap();
        assert!(SigningKey::custom("RS256", &pem).is_ok());
        assert_eq!(
            SigningKey::custom("ES256", &pem).err(),
            Some(CustomKeyError::Key)
        );
    }
}
