//! Keys and secrets as an operator meets them: `clerk serve` refuses an encryption key that is
//! not its database's (or a missing key file) instead of making a new one, prints a generated
//! secret key once, refuses short keys, trims padded ones and never shows a secret from the
//! environment in `--help`; `clerk export` needs the admin key.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::{clerk_bin, rand_u64, read_jsonl, stderr, PgDatabase, Server, ADMIN_KEY, SECRET_KEY};
use serde_json::json;

/// Every environment variable `clerk` reads, so a developer's shell cannot change a test.
const CLERK_ENV: [&str; 9] = [
    "CLERK_SECRET_KEY",
    "CLERK_ADMIN_KEY",
    "CLERK_ENCRYPTION_KEY",
    "CLERK_API_URL",
    "CLERK_IMAGE_STORE",
    "CLERK_PUBLIC_URL",
    "CLERK_OAUTH_PROVIDERS",
    "CLERK_WEBHOOKS",
    "DATABASE_URL",
];

/// `clerk serve` that got as far as listening; killed when dropped.
struct Serving {
    child: Child,
    /// stdout up to and including the `listening on` line.
    printed: String,
    url: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `clerk serve` that exited instead of listening.
#[derive(Debug)]
struct Refused {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `clerk serve ARGS` in `dir` with a clean environment: `Ok` once it listens, `Err` with
/// what it said when it exits first.
fn serve(dir: &Path, args: &[&str]) -> Result<Serving, Refused> {
    let stderr_path = dir.join(format!("serve-{:x}.stderr", rand_u64()));
    let mut command = Command::new(clerk_bin());
    command
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--bcrypt-cost", "4"])
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(File::create(&stderr_path).unwrap());
    for var in CLERK_ENV {
        command.env_remove(var);
    }
    let mut child = command.spawn().expect("start clerk serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(url) = line.strip_prefix("listening on ") {
            let url = url.trim().to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return Ok(Serving {
                child,
                printed,
                url,
            });
        }
    }
    let status = child.wait().unwrap();
    Err(Refused {
        success: status.success(),
        stdout: printed,
        stderr: std::fs::read_to_string(&stderr_path).unwrap(),
    })
}

#[track_caller]
fn refused(result: Result<Serving, Refused>) -> Refused {
    match result {
        Ok(serving) => panic!("clerk serve started:\n{}", serving.printed),
        Err(refused) => {
            assert!(!refused.success, "a refusal exits non-zero: {refused:?}");
            refused
        }
    }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("x.db").display())
}

/// `clerk users count` against `url` with `key`.
fn count_with(url: &str, key: &str) -> Output {
    let mut command = Command::new(clerk_bin());
    for var in CLERK_ENV {
        command.env_remove(var);
    }
    command
        .args(["users", "count"])
        .env("CLERK_API_URL", url)
        .env("CLERK_SECRET_KEY", key)
        .output()
        .unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_generated_secret_key_is_printed_once_and_key_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let key_file = dir.path().join("x.db.secret-key");

    let first = serve(dir.path(), &["--database-url", &db]).expect("first start");
    let key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_owned();
    assert!(key.len() >= 32, "{key}");
    assert!(
        first.printed.contains(&key),
        "the new key is shown once: {}",
        first.printed
    );
    drop(first);

    let second = serve(dir.path(), &["--database-url", &db]).expect("second start");
    assert!(
        !second.printed.contains(&key),
        "a restart names the key file, not the key: {}",
        second.printed
    );
    assert!(
        second.printed.contains("x.db.secret-key"),
        "{}",
        second.printed
    );
    let counted = count_with(&second.url, &key);
    assert!(counted.status.success(), "{}", stderr(&counted));
    assert_eq!(String::from_utf8_lossy(&counted.stdout).trim(), "0");

    #[cfg(unix)]
    for file in ["x.db.secret-key", "x.db.encryption-key"] {
        assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
    }
}

#[test]
fn an_empty_secret_key_file_is_refused_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("x.db.secret-key");
    std::fs::write(&key_file, "").unwrap();
    let refusal = refused(serve(
        dir.path(),
        &["--database-url", &sqlite_url(dir.path())],
    ));
    assert!(refusal.stderr.contains("x.db.secret-key"), "{refusal:?}");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), "");
}

#[test]
fn a_missing_encryption_key_file_or_another_key_is_refused_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let key_file = dir.path().join("x.db.encryption-key");
    let base = ["--database-url", db.as_str(), "--secret-key", SECRET_KEY];
    drop(serve(dir.path(), &base).expect("first start"));
    let original = std::fs::read(&key_file).unwrap();

    std::fs::remove_file(&key_file).unwrap();
    let refusal = refused(serve(dir.path(), &base));
    assert!(
        refusal.stderr.contains(&key_file.display().to_string())
            && refusal.stderr.contains("--encryption-key"),
        "says which file and which flag: {refusal:?}"
    );
    assert!(!key_file.exists(), "no new key file is made");

    let other_key = "11".repeat(32);
    let refusal = refused(serve(
        dir.path(),
        &[&base[..], &["--encryption-key", other_key.as_str()]].concat(),
    ));
    assert!(
        refusal.stderr.contains("--encryption-key") && refusal.stderr.contains("not the one"),
        "{refusal:?}"
    );
    assert!(!refusal.stderr.contains(&other_key), "{refusal:?}");

    std::fs::write(&key_file, original).unwrap();
    serve(dir.path(), &base).expect("the restored key file starts");
}

/// On PostgreSQL the default key file is `clerk.encryption-key` in the working directory: a
/// start from another directory must not make a second key for the same database.
#[test]
fn a_missing_encryption_key_file_is_refused_on_postgres() {
    let database = PgDatabase::create("keys");
    let url = database.url();
    let (first_dir, other_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let base = ["--database-url", url.as_str(), "--secret-key", SECRET_KEY];
    drop(serve(first_dir.path(), &base).expect("first start"));
    let key_file: PathBuf = first_dir.path().join("clerk.encryption-key");
    assert!(key_file.exists());

    let refusal = refused(serve(other_dir.path(), &base));
    assert!(
        refusal.stderr.contains("clerk.encryption-key")
            && refusal.stderr.contains("--encryption-key"),
        "{refusal:?}"
    );
    assert!(!other_dir.path().join("clerk.encryption-key").exists());

    let key_file = key_file.display().to_string();
    serve(
        other_dir.path(),
        &[&base[..], &["--encryption-key-file", key_file.as_str()]].concat(),
    )
    .expect("the original key file starts, from anywhere");
}

#[test]
fn short_keys_are_refused_and_padded_keys_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path());
    let short = "sk_test_31_characters_xxxxxxxxx";
    assert_eq!(short.len(), 31);
    for (flag, args) in [
        ("--secret-key", vec!["--secret-key", short]),
        (
            "--admin-key",
            vec!["--secret-key", SECRET_KEY, "--admin-key", short],
        ),
        (
            "--admin-key",
            vec!["--secret-key", SECRET_KEY, "--admin-key", SECRET_KEY],
        ),
    ] {
        let refusal = refused(serve(
            dir.path(),
            &[&["--database-url", db.as_str()][..], &args].concat(),
        ));
        assert!(refusal.stderr.contains(flag), "{refusal:?}");
        assert!(
            !refusal.stderr.contains(short) && !refusal.stdout.contains(short),
            "{refusal:?}"
        );
    }
    let padded_secret = format!("  {SECRET_KEY}\t");
    let padded_admin = format!(" {ADMIN_KEY}\n");
    let serving = serve(
        dir.path(),
        &[
            "--database-url",
            &db,
            "--secret-key",
            &padded_secret,
            "--admin-key",
            &padded_admin,
        ],
    )
    .expect("padded keys start");
    for key in [SECRET_KEY, ADMIN_KEY] {
        let counted = count_with(&serving.url, key);
        assert!(counted.status.success(), "{}", stderr(&counted));
    }
}

#[test]
fn help_never_shows_secret_values_from_the_environment() {
    let secrets = [
        ("CLERK_SECRET_KEY", "sk_test_envsecret_0000000000000000000000"),
        ("CLERK_ADMIN_KEY", "sk_test_envadmin_00000000000000000000000"),
        ("CLERK_ENCRYPTION_KEY", &"ab".repeat(32)),
        ("DATABASE_URL", "postgres://clerk:envpassword@db.internal:5432/clerk"),
        (
            "CLERK_OAUTH_PROVIDERS",
            "provider=oauth_google,token_url=https://t.example/token,client_id=id,client_secret=envclientsecret",
        ),
        (
            "CLERK_WEBHOOKS",
            "https://hooks.example/clerk,secret=whsec_ZW52d2ViaG9va3NlY3JldDAwMDAwMDAw",
        ),
    ];
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["export", "--help"],
        &["import", "--help"],
        &["users", "--help"],
        &["users", "list", "--help"],
        &["webhooks", "--help"],
        &["webhooks", "list", "--help"],
    ] {
        let mut command = Command::new(clerk_bin());
        command.args(args);
        for (var, value) in secrets {
            command.env(var, value);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        for (var, value) in secrets {
            assert!(
                !text.contains(value),
                "clerk {args:?} shows {var} from the environment:\n{text}"
            );
        }
    }
}

#[test]
fn clerk_export_needs_the_admin_key() {
    let server = Server::start();
    server.bulk_import(&[json!({
        "id": "user_keys000001",
        "email_addresses": [{"email_address": "keys@example.com"}],
        "totp_secret": "JBSWY3DPEHPK3PXP"
    })]);
    let file = server.path("users.jsonl");
    let path = file.to_str().unwrap();
    for source in ["auto", "full"] {
        let output = server.clerk(&["export", path, "--source", source, "--no-progress"]);
        let log = stderr(&output);
        assert!(!output.status.success(), "{log}");
        assert!(
            log.contains("admin_key_required") && log.contains("--admin-key"),
            "{log}"
        );
        assert!(!file.exists(), "no export file without the secrets");
    }

    server.ok(&["export", path, "--admin-key", ADMIN_KEY, "--no-progress"]);
    assert_eq!(read_jsonl(&file)[0]["totp_secret"], "JBSWY3DPEHPK3PXP");
    std::fs::remove_file(&file).unwrap();
    let output = server
        .command(&["export", path, "--no-progress"])
        .env("CLERK_ADMIN_KEY", ADMIN_KEY)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read_jsonl(&file)[0]["totp_secret"], "JBSWY3DPEHPK3PXP");
}
