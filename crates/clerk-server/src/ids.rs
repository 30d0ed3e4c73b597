//! Clerk-style ids: a prefix, `_`, and a 27-character base62 KSUID (time-ordered).

use svix_ksuid::{Ksuid, KsuidLike};

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", Ksuid::new(None, None))
}

#[cfg(test)]
mod tests {
    #[test]
    fn looks_like_clerks() {
        let id = super::new_id("user");
        let body = id.strip_prefix("user_").unwrap();
        assert_eq!(body.len(), 27);
        assert!(body.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
