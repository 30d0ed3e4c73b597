//! The deterministic data set: user `i` of a given seed is always the same user, so two
//! loads of the same size hold identical rows and the benchmark's samples are reproducible.

mod names;

use names::{DOMAINS, FIRST_NAMES, LAST_NAMES, PLANS};

/// Password of every generated user that has one; their digest is [`password_digest`].
pub const PASSWORD: &str = "bench-password-1";

/// 2023-01-01T00:00:00Z in ms: users are created from here on, 20 s apart (plus jitter).
const EPOCH_MS: i64 = 1_672_531_200_000;
const STEP_MS: i64 = 20_000;

/// SplitMix64: a small, good 64-bit mixer; all randomness derives from it.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A deterministic random stream for one entity.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, entity: u64, salt: u64) -> Self {
        Self(mix(seed ^ mix(entity ^ mix(salt))))
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A Clerk-looking id (`prefix_` + 27 base62 characters), unique per (`prefix`, `n`) and
/// ordered by `n` like a KSUID is ordered by time.
pub fn id(prefix: &str, seed: u64, n: u64) -> String {
    let mut v = ((n as u128) << 64) | mix(seed ^ mix(n ^ 0x1d)) as u128;
    let mut out = [b'0'; 27];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(v % 62) as usize];
        v /= 62;
    }
    format!("{prefix}_{}", std::str::from_utf8(&out).expect("ascii"))
}

/// The bcrypt digest stored for every user with a password: [`PASSWORD`] at `cost` with a
/// fixed salt, so the data set is the same on every load.
pub fn password_digest(cost: u32) -> String {
    bcrypt::hash_with_salt(PASSWORD, cost, *b"clerk-bench-salt")
        .expect("bcrypt cost in range")
        .format_for_version(bcrypt::Version::TwoB)
}

#[derive(Debug, Clone)]
pub struct Ident {
    pub seq: i64,
    pub id: String,
    pub kind: &'static str,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub seq: i64,
    pub id: String,
    pub organization_id: String,
    pub role: &'static str,
}

/// One generated user with everything that is stored for it.
#[derive(Debug, Clone)]
pub struct User {
    pub seq: i64,
    pub id: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub locale: Option<&'static str>,
    pub idents: Vec<Ident>,
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
    pub has_password: bool,
    pub banned: bool,
    pub locked_at: Option<i64>,
    pub last_active_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    pub memberships: Vec<Membership>,
    /// The local part of the primary email (`first.last`), for search samples.
    pub email_local: String,
}

impl User {
    pub fn primary_email(&self) -> &Ident {
        &self.idents[0]
    }
    pub fn primary_phone(&self) -> Option<&Ident> {
        self.idents.iter().find(|i| i.kind == "phone_number")
    }
    pub fn locked(&self) -> bool {
        self.locked_at.is_some()
    }
}

/// An organization; its members are found through the users' memberships.
#[derive(Debug, Clone)]
pub struct Organization {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub slug: String,
    pub created_by: String,
    pub created_at: i64,
}

/// The data set: `users` users and one organization per 50 users.
#[derive(Debug, Clone, Copy)]
pub struct DataSet {
    pub seed: u64,
    pub users: u64,
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl DataSet {
    pub fn organizations(&self) -> u64 {
        (self.users / 50).max(1)
    }

    pub fn organization(&self, i: u64) -> Organization {
        let mut r = Rng::new(self.seed, i, 0x0a9);
        let last = r.pick(LAST_NAMES);
        Organization {
            seq: i as i64 + 1,
            id: id("org", self.seed, i),
            name: format!(
                "{} {} {}",
                capitalize(last),
                r.pick(&["Labs", "Inc", "Group", "Co"]),
                i
            ),
            slug: format!("{last}-{i}"),
            created_by: id("user", self.seed, r.below(self.users)),
            created_at: EPOCH_MS + i as i64 * STEP_MS,
        }
    }

    /// User `i` (0-based; its `seq` is `i + 1`). Identification and membership sequence
    /// numbers are derived from `i` so that users can be generated in any order.
    pub fn user(&self, i: u64) -> User {
        let mut r = Rng::new(self.seed, i, 0x05e);
        let first = r.pick(FIRST_NAMES);
        let last = r.pick(LAST_NAMES);
        let created_at = EPOCH_MS + i as i64 * STEP_MS + r.below(STEP_MS as u64) as i64;
        let email_local = format!("{first}.{last}");
        // Up to 3 identifications and 2 memberships per user: seq = 3i+k+1 / 2i+k+1.
        let mut idents = vec![Ident {
            seq: 3 * i as i64 + 1,
            id: id("idn", self.seed, 3 * i),
            kind: "email_address",
            value: if r.percent(10) {
                format!(
                    "{}.{}{i}@{}",
                    capitalize(first),
                    capitalize(last),
                    r.pick(DOMAINS)
                )
            } else {
                format!("{email_local}{i}@{}", r.pick(DOMAINS))
            },
        }];
        if r.percent(40) {
            idents.push(Ident {
                seq: 3 * i as i64 + 2,
                id: id("idn", self.seed, 3 * i + 1),
                kind: "phone_number",
                value: format!("+1{}", 2_000_000_000 + i),
            });
        }
        if r.percent(10) {
            idents.push(Ident {
                seq: 3 * i as i64 + 3,
                id: id("idn", self.seed, 3 * i + 2),
                kind: "email_address",
                value: format!("{last}{i}@work.example"),
            });
        }
        let orgs = self.organizations();
        let mut memberships = Vec::new();
        if r.percent(35) {
            let first_org = r.below(orgs);
            let count = if r.percent(15) && orgs > 1 { 2 } else { 1 };
            for k in 0..count {
                memberships.push(Membership {
                    seq: 2 * i as i64 + k as i64 + 1,
                    id: id("orgmem", self.seed, 2 * i + k),
                    organization_id: id("org", self.seed, (first_org + k) % orgs),
                    role: if r.percent(10) {
                        "org:admin"
                    } else {
                        "org:member"
                    },
                });
            }
        }
        let plan = r.pick(PLANS);
        let banned = r.below(1000) < 10;
        let locked = r.below(1000) < 5;
        let active = r.percent(70);
        User {
            seq: i as i64 + 1,
            id: id("user", self.seed, i),
            external_id: r.percent(50).then(|| format!("ext-{i:08}")),
            username: r.percent(70).then(|| format!("{first}_{last}{i}")),
            first_name: capitalize(first),
            last_name: capitalize(last),
            locale: r.percent(30).then(|| {
                *["en-US", "fr-FR", "de-DE", "es-ES"]
                    .get(r.below(4) as usize)
                    .unwrap_or(&"en-US")
            }),
            public_metadata: format!(
                r#"{{"plan":"{plan}","seats":{},"onboarded":{}}}"#,
                1 + r.below(50),
                r.percent(80)
            ),
            private_metadata: format!(r#"{{"crm_id":"crm-{i}","score":{}}}"#, r.below(1000)),
            unsafe_metadata: if r.percent(20) {
                r#"{"theme":"dark"}"#.to_owned()
            } else {
                "{}".to_owned()
            },
            has_password: r.percent(60),
            banned,
            locked_at: locked.then_some(created_at + 1000),
            last_active_at: active.then(|| created_at + r.below(30 * 86_400_000) as i64),
            last_sign_in_at: active.then(|| created_at + r.below(30 * 86_400_000) as i64),
            created_at,
            idents,
            memberships,
            email_local,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_clerks_and_are_unique() {
        let a = id("user", 1, 0);
        let b = id("user", 1, 1);
        assert_eq!(a.len(), "user_".len() + 27);
        assert_ne!(a, b);
        assert!(a < b, "ordered by n");
    }

    #[test]
    fn same_seed_same_user() {
        let set = DataSet {
            seed: 7,
            users: 1000,
        };
        assert_eq!(format!("{:?}", set.user(42)), format!("{:?}", set.user(42)));
        assert_ne!(set.user(42).id, set.user(43).id);
    }

    #[test]
    fn digest_verifies() {
        let digest = password_digest(4);
        assert!(bcrypt::verify(PASSWORD, &digest).unwrap());
    }
}
