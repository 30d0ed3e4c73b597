//! The typed values of a user's columns that are stored as text, each with the one place
//! that turns it into its stored text and back: identification kinds and statuses, and the
//! list of backup codes.

/// What an identification identifies (`identifications.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum IdentKind {
    Email,
    Phone,
    Web3,
}

impl IdentKind {
    pub const ALL: [Self; 3] = [Self::Email, Self::Phone, Self::Web3];

    /// The stored text, which is also the kind's name on the wire (`email_address`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email_address",
            Self::Phone => "phone_number",
            Self::Web3 => "web3_wallet",
        }
    }

    pub fn from_stored(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl TryFrom<String> for IdentKind {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::from_stored(&text).ok_or_else(|| format!("unknown identification kind {text:?}"))
    }
}

/// Where an identification stands (`identifications.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum IdentStatus {
    /// Verified (by an administrator: this server runs no verification flows).
    Verified,
    /// Not verified: it cannot be primary, and the user object shows no verification.
    Unverified,
    /// Held for the user, no verification.
    Reserved,
}

impl IdentStatus {
    pub const ALL: [Self; 3] = [Self::Verified, Self::Unverified, Self::Reserved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unverified => "unverified",
            Self::Reserved => "reserved",
        }
    }

    pub fn from_stored(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// The stored verification strategy that goes with the status: `admin` for a verified
    /// identification, none otherwise.
    pub fn strategy(self) -> Option<&'static str> {
        (self == Self::Verified).then_some("admin")
    }
}

impl TryFrom<String> for IdentStatus {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        Self::from_stored(&text).ok_or_else(|| format!("unknown identification status {text:?}"))
    }
}

/// A user's backup codes: the digests of the codes not used yet, stored as a JSON array.
/// A user without backup codes stores none (`NULL`, never `[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCodes(Vec<String>);

impl BackupCodes {
    /// The codes, or `None` for an empty list: no codes is no backup codes.
    pub fn new(digests: Vec<String>) -> Option<Self> {
        (!digests.is_empty()).then_some(Self(digests))
    }

    pub fn digests(&self) -> &[String] {
        &self.0
    }

    /// The stored text. Text that does not parse leaves no usable code (the column still says
    /// the user has backup codes, as it did when it was read as text).
    pub fn from_stored(text: &str) -> Self {
        Self(serde_json::from_str(text).unwrap_or_default())
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(&self.0).expect("strings serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_round_trips() {
        for kind in IdentKind::ALL {
            assert_eq!(IdentKind::from_stored(kind.as_str()), Some(kind));
        }
        for status in IdentStatus::ALL {
            assert_eq!(IdentStatus::from_stored(status.as_str()), Some(status));
        }
        assert_eq!(IdentStatus::from_stored("pending"), None);
        let codes = BackupCodes::new(vec!["sha256$ab".into(), "sha256$cd".into()]).unwrap();
        assert_eq!(codes.to_stored(), r#"["sha256$ab","sha256$cd"]"#);
        assert_eq!(BackupCodes::from_stored(&codes.to_stored()), codes);
        assert_eq!(BackupCodes::new(Vec::new()), None);
    }
}
