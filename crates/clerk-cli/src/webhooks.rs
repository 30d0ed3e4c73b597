//! `clerk webhooks …`: the webhook endpoints of a `clerk serve`, their delivery attempts, and
//! resending a message. These are our extension routes under `/v1/_ext/webhooks` (Clerk itself
//! sets webhooks up in its dashboard, through Svix), sent with clerk-http-client's
//! [`WebhooksApi`](clerk_http_client::webhooks::WebhooksApi), so they fail as every other command
//! does.

use std::io::Write;

use anyhow::Context;
use clap::{Args, Subcommand};
use clerk_http_client::model::{WebhookAttempt, WebhookEndpoint};
use clerk_http_client::webhooks::WebhooksApi;
use futures::TryStreamExt;

use crate::connection::{self, ConnectionArgs};
use crate::output::{self, Table};

/// The most endpoints one `GET …/endpoints` returns.
const PAGE_SIZE: u32 = 500;
/// How much of an endpoint's answer the attempts table shows.
const RESPONSE_CHARS: usize = 60;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    clerk webhooks add https://example.com/clerk-webhooks --events user.created,user.deleted\n  \
    clerk webhooks list\n  \
    clerk webhooks attempts ep_2x… --limit 20\n  \
    clerk webhooks resend msg_2x…\n  \
    clerk webhooks rm ep_2x…\n\n\
    Messages are signed as Svix signs them (svix-id, svix-timestamp, svix-signature headers), \
    so Clerk's verifyWebhook and the svix libraries check them with the endpoint's secret. \
    Endpoints can also be given to `clerk serve --webhook`.")]
pub struct WebhooksArgs {
    #[command(flatten)]
    connection: ConnectionArgs,
    #[command(subcommand)]
    command: WebhooksCommand,
}

#[derive(Subcommand, Debug)]
enum WebhooksCommand {
    /// List the endpoints: id, URL, events, status and signing secret.
    List(ListArgs),
    /// Add an endpoint; prints it with its signing secret.
    Add(AddArgs),
    /// Delete endpoints, with their pending deliveries and their attempts.
    Rm(RmArgs),
    /// An endpoint's delivery attempts, newest first.
    Attempts(AttemptsArgs),
    /// Send a message again, now, to every endpoint it went to (with a fresh retry schedule).
    Resend(ResendArgs),
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Print JSON (one endpoint per line) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct AddArgs {
    /// The http or https URL that receives the events (POST, JSON body).
    url: String,
    /// The event types to send, comma-separated (e.g. user.created,user.deleted); all when
    /// left out.
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    events: Vec<String>,
    /// What the endpoint is for.
    #[arg(long)]
    description: Option<String>,
    /// Signing secret of your own (whsec_ and the base64 of 24 to 75 bytes); one is generated
    /// otherwise.
    #[arg(long, value_name = "whsec_…")]
    secret: Option<String>,
    /// Add it disabled: its messages wait until it is enabled.
    #[arg(long)]
    disabled: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct RmArgs {
    /// One or more endpoint ids (ep_…).
    #[arg(required = true)]
    endpoint_ids: Vec<String>,
    /// Print JSON (one object per line) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct AttemptsArgs {
    /// The endpoint's id (ep_…).
    endpoint_id: String,
    /// Attempts to show, 1–500 (the server's default: 10).
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=500))]
    limit: Option<u32>,
    /// Newer attempts to skip.
    #[arg(long)]
    offset: Option<u32>,
    /// Print JSON (one attempt per line) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ResendArgs {
    /// The message's id (msg_…): the svix-id header its receivers saw, or the MESSAGE column of
    /// `clerk webhooks attempts`.
    message_id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: WebhooksArgs) -> anyhow::Result<()> {
    let api = args.connection.client()?.webhooks();
    match args.command {
        WebhooksCommand::List(list) => {
            let endpoints = all_endpoints(&api).await.map_err(explain_missing_routes)?;
            let mut out = std::io::stdout().lock();
            if list.json {
                for endpoint in &endpoints {
                    output::json_line(&mut out, endpoint)?;
                }
            } else {
                endpoints_table(&endpoints).write(&mut out)?;
            }
        }
        WebhooksCommand::Add(add) => {
            let mut create = api.create_endpoint(add.url);
            if !add.events.is_empty() {
                create = create.filter_types(add.events);
            }
            if let Some(description) = add.description {
                create = create.description(description);
            }
            if add.disabled {
                create = create.disabled(true);
            }
            if let Some(secret) = add.secret {
                create = create.secret(secret);
            }
            let endpoint = create
                .send()
                .await
                .map_err(|e| explain_missing_routes(e.into()))?;
            print_endpoint(&endpoint, add.json)?;
        }
        WebhooksCommand::Rm(rm) => {
            for id in &rm.endpoint_ids {
                let deleted = api
                    .delete_endpoint(id)
                    .send()
                    .await
                    .with_context(|| format!("endpoint {id}"))?;
                if rm.json {
                    output::json_line(&mut std::io::stdout(), &deleted)?;
                } else {
                    println!("deleted {}", deleted.id.as_deref().unwrap_or(id));
                }
            }
        }
        WebhooksCommand::Attempts(attempts) => {
            let mut request = api.list_attempts(&attempts.endpoint_id);
            if let Some(limit) = attempts.limit {
                request = request.limit(limit);
            }
            if let Some(offset) = attempts.offset {
                request = request.offset(offset);
            }
            let page = request.send().await?;
            let mut out = std::io::stdout().lock();
            if attempts.json {
                for attempt in &page.data {
                    output::json_line(&mut out, attempt)?;
                }
            } else {
                attempts_table(&page.data).write(&mut out)?;
                let shown = u64::from(attempts.offset.unwrap_or(0)) + page.data.len() as u64;
                if (shown as i64) < page.total_count {
                    out.flush()?;
                    eprintln!(
                        "{} of {} attempts shown (newest first); more with --limit and --offset",
                        page.data.len(),
                        page.total_count
                    );
                }
            }
        }
        WebhooksCommand::Resend(resend) => {
            let resent = api.resend_message(&resend.message_id).send().await?;
            if resend.json {
                output::json_line(&mut std::io::stdout(), &resent)?;
            } else {
                let plural = if resent.deliveries == 1 { "" } else { "s" };
                println!(
                    "resent {} ({}) to {} endpoint{plural}",
                    resent.id, resent.event_type, resent.deliveries
                );
            }
        }
    }
    Ok(())
}

/// Every endpoint, page after page.
async fn all_endpoints(api: &WebhooksApi) -> anyhow::Result<Vec<WebhookEndpoint>> {
    let endpoints: Vec<WebhookEndpoint> = api
        .list_endpoints()
        .limit(PAGE_SIZE)
        .into_stream()
        .try_collect()
        .await?;
    Ok(endpoints)
}

/// A 404 on the endpoints collection means the server has no webhook routes: Clerk itself, or
/// a `clerk serve` from before webhooks.
fn explain_missing_routes(error: anyhow::Error) -> anyhow::Error {
    connection::explain_not_found(
        error,
        "this server has no webhook routes (/v1/_ext/webhooks): `clerk webhooks` manages \
         the webhooks of a `clerk serve`; Clerk's own are set up in its dashboard",
    )
}

fn endpoints_table(endpoints: &[WebhookEndpoint]) -> Table {
    let mut table = Table::new(&["ID", "URL", "EVENTS", "STATUS", "SECRET"]);
    for endpoint in endpoints {
        table.row(vec![
            endpoint.id.clone(),
            endpoint.url.clone(),
            events(endpoint),
            status(endpoint).into(),
            endpoint.secret.clone(),
        ]);
    }
    table
}

/// One endpoint in full, secret included: a `key  value` block, or one JSON line.
fn print_endpoint(endpoint: &WebhookEndpoint, json: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        return output::json_line(&mut out, endpoint);
    }
    let description = match endpoint.description.as_str() {
        "" => "-".to_owned(),
        text => text.to_owned(),
    };
    output::write_fields(
        &mut out,
        &[
            ("id", endpoint.id.clone()),
            ("url", endpoint.url.clone()),
            ("events", events(endpoint)),
            ("status", status(endpoint).into()),
            ("description", description),
            ("secret", endpoint.secret.clone()),
            ("created_at", output::timestamp(Some(endpoint.created_at))),
            ("updated_at", output::timestamp(Some(endpoint.updated_at))),
        ],
    )
}

fn events(endpoint: &WebhookEndpoint) -> String {
    match &endpoint.filter_types {
        Some(types) => types.join(","),
        None => "all".into(),
    }
}

fn status(endpoint: &WebhookEndpoint) -> &'static str {
    if endpoint.disabled {
        "disabled"
    } else {
        "enabled"
    }
}

fn attempts_table(attempts: &[WebhookAttempt]) -> Table {
    let mut table = Table::new(&[
        "STARTED",
        "MESSAGE",
        "EVENT",
        "ATTEMPT",
        "HTTP",
        "DELIVERY",
        "NEXT ATTEMPT",
        "RESPONSE",
    ]);
    for attempt in attempts {
        table.row(vec![
            seconds(Some(attempt.started_at)),
            attempt.message_id.clone(),
            attempt.event_type.clone(),
            attempt.status.clone(),
            attempt
                .response_status_code
                .map_or_else(|| "-".into(), |code| code.to_string()),
            attempt.delivery_status.clone(),
            seconds(attempt.next_attempt_at),
            one_line(&attempt.response, RESPONSE_CHARS),
        ]);
    }
    table
}

/// Unix milliseconds as UTC seconds (attempts are seconds apart), `-` when absent.
fn seconds(unix_ms: Option<i64>) -> String {
    unix_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "-".into())
}

/// `text` on one line, cut to `max` characters (`…` marks the cut), `-` when empty.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "-".into();
    }
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_shown_on_one_short_line() {
        assert_eq!(one_line("", 10), "-");
        assert_eq!(one_line("  ok\n", 10), "ok");
        assert_eq!(one_line("a\nb\tc", 10), "a b c");
        assert_eq!(one_line("0123456789abc", 10), "0123456789…");
    }

    #[test]
    fn events_and_status_read_as_words() {
        let mut endpoint = WebhookEndpoint::default();
        assert_eq!(
            (events(&endpoint).as_str(), status(&endpoint)),
            ("all", "enabled")
        );
        endpoint.filter_types = Some(vec!["user.created".into(), "user.deleted".into()]);
        endpoint.disabled = true;
        assert_eq!(
            (events(&endpoint).as_str(), status(&endpoint)),
            ("user.created,user.deleted", "disabled")
        );
    }
}
