//! Progress bars for export and import, on stderr so they never mix with data on stdout.
//! indicatif draws nothing when stderr is not a terminal (CI logs, tests), and `--no-progress`
//! turns them off by hand.

use std::fmt::Write;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar over `total` users, or a spinner when the total is unknown.
pub fn users_bar(total: Option<u64>, enabled: bool, verb: &str) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(&format!(
                "{verb} {{wide_bar}} {{pos}}/{{len}} users ({{rate}}, {{eta}} left)"
            ))
            .expect("valid template")
            .with_key("rate", rate),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template(&format!("{verb} {{spinner}} {{pos}} users ({{rate}})"))
                .expect("valid template")
                .with_key("rate", rate),
        ),
    };
    if !enabled {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Users per second, whole (indicatif's own `per_sec` prints four decimals).
fn rate(state: &ProgressState, out: &mut dyn Write) {
    let _ = write!(out, "{:.0}/s", state.per_sec());
}
