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
    }
    out.push_str(&targets(&results, &sets));
    Ok(out)
}

/// `store/users/scenario` of every wrk result with a non-2xx response or no request at all.
pub fn broken_scenarios(lines: &str) -> anyhow::Result<Vec<String>> {
    let mut broken = Vec::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let Some(requests) = v.get("requests").and_then(Value::as_f64) else {
            continue;
        };
        if requests == 0.0 || num(&v, "non2xx").unwrap_or(0.0) > 0.0 {
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
