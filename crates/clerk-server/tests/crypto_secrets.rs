//! Secrets at rest (key files, sealing), backup codes (incl. bcrypt codes made by reference
//! implementations) and the hashing pool.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clerk_server::crypto::{
    generate_backup_codes, hash_backup_code, import_backup_code, verify_backup_code, HashPool,
    SecretKey,
};
use serde::Deserialize;

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "clerk-crypto-test-{name}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[test]
fn key_file_is_created_once_with_0600() {
    let dir = scratch_dir("key");
    let path = dir.join("secrets.key");
    let key = SecretKey::load_or_create(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = SecretKey::load_or_create(&path).unwrap();
    assert_eq!(key.to_hex(), again.to_hex());
    let sealed = key.seal_str("oauth-token", b"oauth:user_1:google");
    assert_eq!(
        again.open_str(&sealed, b"oauth:user_1:google").unwrap(),
        "oauth-token"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn key_file_may_hold_base64_or_raw_bytes() {
    let dir = scratch_dir("keyformats");
    let raw = [7u8; 32];
    std::fs::write(dir.join("raw.key"), raw).unwrap();
    std::fs::write(
        dir.join("b64.key"),
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
    )
    .unwrap();
    std::fs::write(dir.join("bad.key"), "not a key").unwrap();
    let expected = "07".repeat(32);
    assert_eq!(
        SecretKey::load(&dir.join("raw.key")).unwrap().to_hex(),
        expected
    );
    assert_eq!(
        SecretKey::load(&dir.join("b64.key")).unwrap().to_hex(),
        expected
    );
    assert!(SecretKey::load(&dir.join("bad.key")).is_err());
    assert!(SecretKey::load(&dir.join("missing.key")).is_err());
    std::fs::remove_dir_all(dir).unwrap();
}

#[derive(Deserialize)]
struct ImportedCode {
    stored: String,
    code: String,
    source: String,
}

#[test]
fn backup_codes_generated_plain_and_bcrypt_imported() {
    let codes = generate_backup_codes(10);
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
    let stored: Vec<String> = codes.iter().map(|c| hash_backup_code(c)).collect();
    assert!(verify_backup_code(&stored[3], &codes[3]));
    assert!(!verify_backup_code(&stored[3], &codes[4]));

    // Plaintext codes supplied at import.
    let imported = import_backup_code("PLAIN-CODE-1").unwrap();
    assert!(verify_backup_code(&imported, "plaincode1"));

    // bcrypt codes made by python bcrypt / the Ruby bcrypt gem.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/passwords/backup_codes.json"
    );
    let fixtures: Vec<ImportedCode> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for f in fixtures {
        let kept = import_backup_code(&f.stored).unwrap();
        assert_eq!(kept, f.stored);
        assert!(verify_backup_code(&kept, &f.code), "{}", f.source);
        assert!(!verify_backup_code(&kept, "wrong-code"), "{}", f.source);
    }

    // A bcrypt code with a runaway cost is refused at import.
    assert!(
        import_backup_code("$2b$20$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234").is_err()
    );
}

#[tokio::test]
async fn pool_runs_off_the_runtime_thread() {
    let pool = HashPool::new(2);
    let runtime_thread = std::thread::current().id();
    let job_thread = pool.run(|| std::thread::current().id()).await.unwrap();
    assert_ne!(job_thread, runtime_thread);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_never_exceeds_its_bound() {
    let pool = HashPool::new(2);
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let jobs: Vec<_> = (0..8)
        .map(|_| {
            let (pool, in_flight, peak) = (pool.clone(), in_flight.clone(), peak.clone());
            tokio::spawn(async move {
                pool.run(move || {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .expect("8 jobs fit in the line of a 2-slot pool")
            })
        })
        .collect();
    for j in jobs {
        j.await.unwrap();
    }
    assert!(peak.load(Ordering::SeqCst) <= 2);
    assert_eq!(pool.max_jobs(), 2);
}

#[tokio::test]
async fn a_cancelled_caller_keeps_its_slot_until_the_job_ends() {
    let pool = HashPool::new(1);
    let first_done = Arc::new(AtomicBool::new(false));
    let flag = first_done.clone();
    let slow = pool.run(move || {
        std::thread::sleep(Duration::from_millis(200));
        flag.store(true, Ordering::SeqCst);
    });
    // Give up on the first job almost at once.
    assert!(tokio::time::timeout(Duration::from_millis(20), slow)
        .await
        .is_err());
    let flag = first_done.clone();
    let saw_first_done = pool.run(move || flag.load(Ordering::SeqCst)).await.unwrap();
    assert!(
        saw_first_done,
        "second job started while the first still ran"
    );
}

#[tokio::test]
async fn a_panicking_job_propagates() {
    let pool = HashPool::new(1);
    let p = pool.clone();
    let outcome = tokio::spawn(async move { p.run(|| panic!("boom")).await }).await;
    assert!(outcome.unwrap_err().is_panic());
    // The slot was released.
    assert_eq!(pool.run(|| 41 + 1).await, Ok(42));
}

#[derive(Deserialize)]
struct SealedByReference {
    key_hex: String,
    context: String,
    plaintext: String,
    sealed: String,
    source: String,
}

#[test]
fn opens_values_sealed_by_a_reference_aes_gcm() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/passwords/sealed.json"
    );
    let values: Vec<SealedByReference> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(!values.is_empty());
    for v in values {
        let key = SecretKey::parse(&v.key_hex).unwrap();
        let ctx = v.context.as_bytes();
        assert_eq!(
            key.open_str(&v.sealed, ctx).unwrap(),
            v.plaintext,
            "{}",
            v.source
        );
        assert!(key.open(&v.sealed, b"another context").is_err());
        // And our own sealing of the same value opens with the same key.
        let ours = key.seal_str(&v.plaintext, ctx);
        assert_eq!(key.open_str(&ours, ctx).unwrap(), v.plaintext);
    }
}
