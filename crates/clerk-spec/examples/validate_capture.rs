//! Validates captured responses (JSON lines of `{method, url, status, content_type, body}`, as
//! written by the conformance suite with `CONFORMANCE_CAPTURE=FILE`) against the spec, so the
//! Rust and Python oracles can be compared on the same traffic.
//!
//! `cargo run -p clerk-spec --example validate_capture -- FILE`

use std::io::BufRead;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: validate_capture FILE");
    let file = std::fs::File::open(&path).expect("open capture file");
    let spec = clerk_spec::Spec::load();
    let (mut ok, mut bad) = (0, 0);
    for line in std::io::BufReader::new(file).lines() {
        let line = line.expect("read line");
        let rec: serde_json::Value = serde_json::from_str(&line).expect("capture line is JSON");
        let status = rec["status"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .expect("status");
        let result = spec.validate_raw_response(
            rec["method"].as_str().unwrap_or_default(),
            rec["url"].as_str().unwrap_or_default(),
            status,
            rec["content_type"].as_str(),
            rec["body"].as_str().unwrap_or_default().as_bytes(),
        );
        match result {
            Ok(()) => ok += 1,
            Err(v) => {
                bad += 1;
                println!("{v}");
            }
        }
    }
    println!("{ok} conform, {bad} violate");
    if bad > 0 {
        std::process::exit(1);
    }
}
