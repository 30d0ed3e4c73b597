//! Progress bars for export and import, on stderr so they never mix with data on stdout.
//! indicatif draws nothing when stderr is not a terminal (CI logs, tests), and `--no-progress`
//! turns them off by hand.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `total` users, or a spinner when the total is unknown.
pub fn users_bar(total: Option<u64>, enabled: bool, verb: &str) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(&format!(
                "{verb} {{wide_bar}} {{pos}}/{{len}} users ({{per_sec}}, {{eta}} left)"
            ))
            .expect("valid template"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template(&format!(
                "{verb} {{spinner}} {{pos}} users ({{per_sec}})"
            ))
            .expect("valid template"),
        ),
    };
    if !enabled {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
