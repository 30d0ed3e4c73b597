//! Turns the run's result lines (JSON, one per measurement) into Markdown: one table per
//! store and size with each scenario's ratio to its ceiling, then the targets.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

/// Scenario, what it does, and the ceiling it is compared with.
const SCENARIOS: &[(&str, &str, Ceiling)] = &[
    ("ping", "GET /v1/_ext/ping (HTTP ceiling)", Ceiling::Http),
    ("get_user", "GET /users/{id}", Ceiling::Http),
    (
        "list",
        "GET /users (default page: 10, -created_at)",
        Ceiling::Http,
    ),
    ("list_email", "GET /users?email_address=…", Ceiling::Http),
    ("query3", "GET /users?query=<3 letters>", Ceiling::Http),
    ("query8", "GET /users?query=<8 letters>", Ceiling::Http),
    (
        "name_query",
        "GET /users?name_query=<first name>",
        Ceiling::Http,
    ),
    (
        "deep_page",
        "GET /users?starting_after=<user 25–75 % deep>",
        Ceiling::Http,
    ),
    ("count", "GET /users/count", Ceiling::Http),
    (
        "count_filtered",
        "GET /users/count?query=<3 letters>",
        Ceiling::Http,
    ),
    ("create_user", "POST /users (no password)", Ceiling::Http),
    (
        "create_user_password",
        "POST /users (with password)",
        Ceiling::Bcrypt,
    ),
    (
        "verify_password",
        "POST /users/{id}/verify_password",
        Ceiling::Bcrypt,
    ),
    (
        "metadata_patch",
        "PATCH /users/{id}/metadata",
        Ceiling::Http,
    ),
    (
        "create_session",
        "POST /sessions (a sign-in)",
        Ceiling::Http,
    ),
    (
        "session_token",
        "POST /sessions/{id}/tokens (RS256)",
        Ceiling::Http,
    ),
    (
        "mixed_create_password",
        "  mixed: POST /users (password) …",
        Ceiling::Bcrypt,
    ),
    ("mixed_get_user", "  … while GET /users/{id}", Ceiling::Http),
];

#[derive(Clone, Copy, PartialEq)]
enum Ceiling {
    Http,
    Bcrypt,
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

struct Results(Vec<Value>);

impl Results {
    /// The measurement of this store and size, else the run-wide one (`"store": "all"`).
    fn find(&self, store: &str, users: u64, scenario: &str) -> Option<&Value> {
        let mine = self.0.iter().rev().find(|v| {
            v["scenario"] == scenario && v["store"] == store && v["users"].as_u64() == Some(users)
        });
        mine.or_else(|| {
            self.0
                .iter()
                .rev()
                .find(|v| v["scenario"] == scenario && v["store"] == "all")
        })
    }
    fn metric(&self, store: &str, users: u64, scenario: &str, key: &str) -> Option<f64> {
        self.find(store, users, scenario).and_then(|v| num(v, key))
    }
}

fn ms(v: Option<f64>) -> String {
    match v {
        Some(x) if x >= 100.0 => format!("{x:.0}"),
        Some(x) if x >= 10.0 => format!("{x:.1}"),
        Some(x) => format!("{x:.2}"),
        None => "–".into(),
    }
}

pub fn render(lines: &str) -> anyhow::Result<String> {
    let values: Vec<Value> = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let results = Results(values);
    let mut out = String::new();
    if let Some(b) = results.find("all", 0, "ceiling_bcrypt") {
        writeln!(
            out,
            "Hashing ceiling at the start of the run: {:.1} bcrypt hashes/s at cost {} on {} threads (`clerk-bench bcrypt`; measured again before each set, below).\n",
            num(b, "rps").unwrap_or(0.0),
            b["cost"],
            b["threads"]
        )?;
    }
    let mut sets: Vec<(String, u64)> = Vec::new();
    for v in &results.0 {
        if let (Some(store), Some(users)) = (v["store"].as_str(), v["users"].as_u64()) {
            if store != "all" && !sets.contains(&(store.to_owned(), users)) {
                sets.push((store.to_owned(), users));
            }
        }
    }
    for (store, users) in &sets {
        let http = results.metric(store, *users, "ping", "rps");
        let bcrypt = results.metric(store, *users, "ceiling_bcrypt", "rps");
        let db = results.metric(store, *users, "ceiling_db", "rps");
        writeln!(out, "#### {store}, {users} users\n")?;
        let load = results.metric(store, *users, "load", "seconds");
        let rss = results.metric(store, *users, "rss", "vm_hwm_kb");
        writeln!(
            out,
            "Load (store directly): {} s. DB ceiling (point lookup by id through the store): {} lookups/s. \
             Hashing ceiling for this set: {} hashes/s. Server peak RSS (VmHWM): {} MB.\n",
            load.map_or("–".into(), |s| format!("{s:.1}")),
            db.map_or("–".into(), |d| format!("{d:.0}")),
            bcrypt.map_or("–".into(), |b| format!("{b:.1}")),
            rss.map_or("–".into(), |k| format!("{:.1}", k / 1024.0)),
        )?;
        writeln!(
            out,
            "| scenario | req/s | p50 ms | p99 ms | errors | % of ceiling |\n|---|---:|---:|---:|---:|---:|"
        )?;
        for (name, what, ceiling) in SCENARIOS {
            let Some(v) = results.find(store, *users, name) else {
                continue;
            };
            let rps = num(v, "rps").unwrap_or(0.0);
            let errors = num(v, "non2xx").unwrap_or(0.0) + num(v, "socket_errors").unwrap_or(0.0);
            let (c, label) = match ceiling {
                Ceiling::Http => (http, "HTTP"),
                Ceiling::Bcrypt => (bcrypt, "bcrypt"),
            };
            let mut ratio = c.map_or("–".into(), |c| {
                format!("{:.0} % {label}", 100.0 * rps / c)
            });
            if *name == "get_user" {
                if let Some(db) = db {
                    let _ = write!(ratio, ", {:.0} % DB", 100.0 * rps / db);
                }
            }
            writeln!(
                out,
                "| {what} | {rps:.0} | {} | {} | {} | {ratio} |",
                ms(num(v, "p50_ms")),
                ms(num(v, "p99_ms")),
                errors
            )?;
        }
        writeln!(out)?;
        out.push_str(&webhooks(&results, store, *users, http)?);
    }
    out.push_str(&targets(&results, &sets));
    Ok(out)
}

/// The webhook scenario's tables (`clerk-bench webhooks`), if it ran on this set.
fn webhooks(
    results: &Results,
    store: &str,
    users: u64,
    http: Option<f64>,
) -> anyhow::Result<String> {
    let mut out = String::new();
    let find = |s: &str| {
        results
            .find(store, users, s)
            .filter(|v| v["store"] == store)
    };
    let writes = [
        ("create", "POST /users (no password)"),
        ("patch", "PATCH /users/{id}/metadata"),
    ];
    if writes
        .iter()
        .any(|(k, _)| find(&format!("wh_{k}_on")).is_some())
    {
        writeln!(
            out,
            "Webhooks, write path (`clerk-bench webhooks`: its own load at the same connections, rounds alternately \
             without an endpoint and with one, a receiver in the bench process answering 200):\n"
        )?;
        writeln!(
            out,
            "| write | endpoints | req/s | p50 ms | p99 ms | errors | vs none | events delivered | missing | dup. | not yet delivered at stop | last delivery after stop |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        )?;
        for (kind, what) in writes {
            let (Some(off), Some(on)) = (
                find(&format!("wh_{kind}_off")),
                find(&format!("wh_{kind}_on")),
            ) else {
                continue;
            };
            let errors = |v: &Value| {
                num(v, "non2xx").unwrap_or(0.0) + num(v, "socket_errors").unwrap_or(0.0)
            };
            let base = num(off, "rps").unwrap_or(0.0);
            let http_ratio =
                http.map_or("–".into(), |h| format!("{:.0} % HTTP", 100.0 * base / h));
            writeln!(
                out,
                "| {what} | none | {base:.0} | {} | {} | {} | {http_ratio} | | | | | |",
                ms(num(off, "p50_ms")),
                ms(num(off, "p99_ms")),
                errors(off)
            )?;
            let rps = num(on, "rps").unwrap_or(0.0);
            let ratio = if base > 0.0 {
                format!("{:.0} %", 100.0 * rps / base)
            } else {
                "–".into()
            };
            let int = |k: &str| num(on, k).map_or("–".into(), |x| format!("{x:.0}"));
            writeln!(
                out,
                "| | one | {rps:.0} | {} | {} | {} | {ratio} | {} | {} | {} | {} | {} s |",
                ms(num(on, "p50_ms")),
                ms(num(on, "p99_ms")),
                errors(on),
                int("delivered"),
                int("missing"),
                int("duplicates"),
                int("backlog_at_stop"),
                num(on, "drain_s").map_or("–".into(), |d| format!("{d:.2}")),
            )?;
        }
        writeln!(out)?;
    }
    let deliveries: Vec<&Value> = ["wh_delivery", "wh_delivery_c1"]
        .iter()
        .filter_map(|s| find(s))
        .collect();
    if !deliveries.is_empty() {
        writeln!(
            out,
            "Webhook delivery: users created with one endpoint, every `user.created` awaited. \
             Events/s from the first event's timestamp (its commit) to the last arrival; \
             latency = arrival − event timestamp.\n"
        )?;
        writeln!(
            out,
            "| connections | events | delivered | missing | dup. | bad sig. | creates/s | events/s delivered | latency p50 ms | p99 ms | max ms | not yet delivered at stop | last delivery after stop |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        )?;
        for d in deliveries {
            let int = |k: &str| num(d, k).map_or("–".into(), |x| format!("{x:.0}"));
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} s |",
                int("connections"),
                int("events"),
                int("delivered"),
                int("missing"),
                int("duplicates"),
                int("bad_signatures"),
                int("create_rps"),
                int("events_per_s"),
                ms(num(d, "delivery_p50_ms")),
                ms(num(d, "delivery_p99_ms")),
                ms(num(d, "delivery_max_ms")),
                int("backlog_at_stop"),
                num(d, "drain_s").map_or("–".into(), |x| format!("{x:.2}")),
            )?;
        }
        writeln!(out)?;
    }
    Ok(out)
}

/// `store/users/scenario` of every wrk result with a non-2xx response or no request at all,
/// and of every webhook result with an event that never arrived or arrived badly signed.
pub fn broken_scenarios(lines: &str) -> anyhow::Result<Vec<String>> {
    let mut broken = Vec::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let Some(requests) = v.get("requests").and_then(Value::as_f64) else {
            continue;
        };
        let undelivered =
            num(&v, "missing").unwrap_or(0.0) + num(&v, "bad_signatures").unwrap_or(0.0);
        if requests == 0.0 || num(&v, "non2xx").unwrap_or(0.0) > 0.0 || undelivered > 0.0 {
            broken.push(format!(
                "{}/{}/{}",
                v["store"].as_str().unwrap_or("?"),
                v["users"],
                v["scenario"].as_str().unwrap_or("?")
            ));
        }
    }
    Ok(broken)
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "not measured",
    }
}

fn targets(results: &Results, sets: &[(String, u64)]) -> String {
    let mut out = String::from(
        "#### Targets\n\n| store | target | measured | verdict |\n|---|---|---|---|\n",
    );
    let stores: BTreeSet<&str> = sets.iter().map(|(s, _)| s.as_str()).collect();
    let sizes: BTreeSet<u64> = sets.iter().map(|(_, n)| *n).collect();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let smaller = sizes.iter().copied().filter(|n| *n < largest).max();
    let mut row = |store: &str, target: String, measured: String, ok: Option<bool>| {
        let _ = writeln!(out, "| {store} | {target} | {measured} | {} |", verdict(ok));
    };
    for store in stores {
        let m = |n: u64, s: &str, k: &str| results.metric(store, n, s, k);
        let n = largest;
        let (get, ping) = (m(n, "get_user", "rps"), m(n, "ping", "rps"));
        let ratio = get.zip(ping).map(|(g, p)| g / p);
        row(
            store,
            format!("get_user ≥ 50 % of HTTP ceiling ({n} users)"),
            ratio.map_or("–".into(), |r| format!("{:.0} %", 100.0 * r)),
            ratio.map(|r| r >= 0.5),
        );
        let p99 = m(n, "get_user", "p99_ms");
        row(
            store,
            format!("get_user p99 < 10 ms at c=32 ({n} users)"),
            format!("{} ms", ms(p99)),
            p99.map(|p| p < 10.0),
        );
        for s in ["query3", "query8", "name_query"] {
            let p50 = m(n, s, "p50_ms");
            row(
                store,
                format!("{s} p50 ≤ 20 ms ({n} users)"),
                format!("{} ms", ms(p50)),
                p50.map(|p| p <= 20.0),
            );
            if let Some(small) = smaller {
                let base = m(small, s, "p50_ms");
                let growth = p50.zip(base).map(|(a, b)| a / b);
                row(
                    store,
                    format!("{s} p50 at {n} ≤ 2 × p50 at {small}"),
                    growth.map_or("–".into(), |g| format!("{g:.2} ×")),
                    growth.map(|g| g <= 2.0),
                );
            }
        }
        let p50 = m(n, "count_filtered", "p50_ms");
        row(
            store,
            format!("count with a filter p50 ≤ 100 ms ({n} users)"),
            format!("{} ms", ms(p50)),
            p50.map(|p| p <= 100.0),
        );
        let deep = m(n, "deep_page", "p50_ms").zip(m(n, "list", "p50_ms"));
        row(
            store,
            "deep page (starting_after) p50 ≤ 1.5 × page 1 p50".into(),
            deep.map_or("–".into(), |(d, l)| {
                format!("{} vs {} ms", ms(Some(d)), ms(Some(l)))
            }),
            deep.map(|(d, l)| d <= 1.5 * l),
        );
        let bcrypt = m(n, "ceiling_bcrypt", "rps");
        let create = m(n, "create_user_password", "rps")
            .zip(bcrypt)
            .map(|(c, b)| c / b);
        row(
            store,
            "create_user with password ≥ 80 % of bcrypt ceiling".into(),
            create.map_or("–".into(), |r| format!("{:.0} %", 100.0 * r)),
            create.map(|r| r >= 0.8),
        );
        let mixed = m(n, "mixed_get_user", "p99_ms");
        row(
            store,
            "get_user p99 < 50 ms while hashing at full load".into(),
            format!("{} ms", ms(mixed)),
            mixed.map(|p| p < 50.0),
        );
        for (kind, what) in [("create", "POST /users"), ("patch", "PATCH metadata")] {
            let off = m(n, &format!("wh_{kind}_off"), "rps");
            let on = m(n, &format!("wh_{kind}_on"), "rps");
            if let (Some(off), Some(on)) = (off, on) {
                let ratio = on / off;
                row(
                    store,
                    format!("{what} with one webhook endpoint ≥ 90 % of without"),
                    format!("{:.0} % ({on:.0} vs {off:.0} req/s)", 100.0 * ratio),
                    Some(ratio >= 0.9),
                );
            }
        }
        let rss = m(n, "rss", "vm_hwm_kb").map(|k| k / 1024.0);
        row(
            store,
            format!("peak RSS ≤ 200 MB ({n} users)"),
            rss.map_or("–".into(), |r| format!("{r:.1} MB")),
            rss.map(|r| r <= 200.0),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBHOOK_LINES: &str = r#"
{"store":"sqlite","users":10,"scenario":"ping","requests":100,"rps":1000.0,"non2xx":0}
{"store":"sqlite","users":10,"scenario":"wh_create_off","requests":100,"rps":500.0,"p50_ms":1.0,"p99_ms":2.0,"non2xx":0,"socket_errors":0}
{"store":"sqlite","users":10,"scenario":"wh_create_on","requests":90,"rps":450.0,"p50_ms":1.0,"p99_ms":2.0,"non2xx":0,"socket_errors":0,"events":90,"delivered":90,"missing":0,"duplicates":0,"backlog_at_stop":3,"drain_s":0.1}
{"store":"sqlite","users":10,"scenario":"wh_patch_off","requests":100,"rps":800.0,"non2xx":0}
{"store":"sqlite","users":10,"scenario":"wh_patch_on","requests":70,"rps":700.0,"non2xx":0,"events":70,"delivered":70,"missing":0}
{"store":"sqlite","users":10,"scenario":"wh_delivery","connections":32,"requests":50,"non2xx":0,"events":50,"delivered":49,"missing":1,"duplicates":0,"bad_signatures":0,"events_per_s":400.0,"delivery_p50_ms":3.0}
"#;

    #[test]
    fn webhook_results_get_their_tables_and_targets() {
        let out = render(WEBHOOK_LINES).unwrap();
        assert!(
            out.contains("| POST /users (no password) | none | 500 |"),
            "{out}"
        );
        assert!(out.contains("| | one | 450 |"), "{out}");
        assert!(out.contains("| 90 % |"), "{out}");
        assert!(out.contains("| 32 | 50 | 49 | 1 |"), "{out}");
        assert!(
            out.contains("| sqlite | POST /users with one webhook endpoint ≥ 90 % of without | 90 % (450 vs 500 req/s) | met |"),
            "{out}"
        );
        assert!(
            out.contains("| sqlite | PATCH metadata with one webhook endpoint ≥ 90 % of without | 88 % (700 vs 800 req/s) | **missed** |"),
            "{out}"
        );
    }

    #[test]
    fn an_event_that_never_arrived_breaks_the_run() {
        assert_eq!(
            broken_scenarios(WEBHOOK_LINES).unwrap(),
            vec!["sqlite/10/wh_delivery".to_owned()]
        );
    }

    #[test]
    fn runs_without_webhooks_have_no_webhook_rows() {
        let out = render(
            WEBHOOK_LINES
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join("\n")
                .as_str(),
        )
        .unwrap();
        assert!(!out.contains("webhook"), "{out}");
    }
}
