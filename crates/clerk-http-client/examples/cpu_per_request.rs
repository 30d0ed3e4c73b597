//! CPU time this client spends per request, for the benchmark in `bench/run.sh` (which runs the
//! official Python SDK against the same server in the same run and reports the ratio).
//!
//! ```text
//! cargo run --release -p clerk-http-client --example cpu_per_request -- BASE_URL KEY USER_ID [N]
//! ```
//!
//! Sequential requests on a single-threaded runtime, like a script using the Python SDK; the
//! process CPU clock (user + system, all threads) is read around the timed loop only, after a
//! warm-up, so start-up and connection set-up are not counted.

use clerk_http_client::{Client, Configuration, RetryPolicy};
use cpu_time::ProcessTime;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: cpu_per_request BASE_URL KEY USER_ID [N]");
        std::process::exit(2);
    }
    let (base_url, key, user_id) = (&args[1], &args[2], &args[3]);
    let n: u32 = args
        .get(4)
        .map_or(2000, |s| s.parse().expect("N is a number"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Client::new(
            Configuration::new(key.as_str()).base_url(base_url.as_str()).retry_policy(RetryPolicy::never()),
        )
        .unwrap();
        let users = client.users();
        for _ in 0..100 {
            users.get_user(user_id).send().await.unwrap();
            users.get_user_list().limit(10).send().await.unwrap();
        }

        let started = ProcessTime::now();
        for _ in 0..n {
            users.get_user(user_id).send().await.unwrap();
        }
        let get_user = started.elapsed();

        let started = ProcessTime::now();
        for _ in 0..n {
            users.get_user_list().limit(10).send().await.unwrap();
        }
        let list = started.elapsed();

        let per_request = |d: std::time::Duration| d.as_secs_f64() * 1e6 / f64::from(n);
        println!(
            "{{\"client\": \"rust\", \"requests\": {n}, \"get_user_cpu_us\": {:.1}, \"get_user_list_cpu_us\": {:.1}}}",
            per_request(get_user),
            per_request(list)
        );
    });
}
