//! Running each `clerk users …` subcommand: send its request, print the answer, pick the exit
//! code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use clerk_http_client::model::User;
use clerk_http_client::UsersApi;
use futures::TryStreamExt;

use super::args::{ListArgs, UpdateArgs, UserIds, UsersArgs, UsersCommand};
use super::builders;
use crate::output;

pub async fn run(args: UsersArgs) -> anyhow::Result<ExitCode> {
    let client = args.connection.client()?;
    let users = client.users();
    match args.command {
        UsersCommand::List(list) => run_list(&users, list).await?,
        UsersCommand::Count(count) => {
            let total = builders::count_request(&users, &count).send().await?;
            if count.json {
                output::json_line(&mut std::io::stdout(), &total)?;
            } else {
                println!("{}", total.total_count);
            }
        }
        UsersCommand::Get(id) => {
            let user = users.get_user(&id.user_id).send().await?;
            output::print_user(&user, id.json)?;
        }
        UsersCommand::Create(create) => {
            let request = create.clone_request()?;
            let user = users.create_user().request(request).send().await?;
            output::print_user(&user, create.json)?;
        }
        UsersCommand::Update(update) => {
            let user = update_user(&users, &update).await?;
            output::print_user(&user, update.json)?;
        }
        UsersCommand::Delete(ids) => {
            for id in &ids.user_ids {
                let deleted = users.delete_user(id).send().await?;
                if ids.json {
                    output::json_line(&mut std::io::stdout(), &deleted)?;
                } else {
                    println!("deleted {}", deleted.id.as_deref().unwrap_or(id));
                }
            }
        }
        UsersCommand::Ban(ids) => {
            each_user(&ids, |id| users.ban_user(id).send()).await?;
        }
        UsersCommand::Unban(ids) => {
            each_user(&ids, |id| users.unban_user(id).send()).await?;
        }
        UsersCommand::Lock(ids) => {
            each_user(&ids, |id| users.lock_user(id).send()).await?;
        }
        UsersCommand::Unlock(ids) => {
            each_user(&ids, |id| users.unlock_user(id).send()).await?;
        }
        UsersCommand::VerifyPassword(verify) => {
            let password = match (verify.password, verify.password_stdin) {
                (_, true) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
                (Some(password), false) => password,
                (None, false) => bail!("give a password or --password-stdin"),
            };
            return match users
                .verify_password(&verify.user_id, password)
                .send()
                .await
            {
                Ok(result) if result.verified => {
                    println!("verified");
                    Ok(ExitCode::SUCCESS)
                }
                Ok(_) => {
                    println!("not verified");
                    Ok(ExitCode::FAILURE)
                }
                // Clerk answers a wrong password with 422 incorrect_password: an answer, not a
                // failure of the command.
                Err(e) if e.code() == Some("incorrect_password") => {
                    println!("incorrect password");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            };
        }
        UsersCommand::VerifyTotp(verify) => {
            return match users
                .verify_totp(&verify.user_id, &verify.code)
                .send()
                .await
            {
                Ok(result) if result.verified => {
                    println!("verified ({})", result.code_type);
                    Ok(ExitCode::SUCCESS)
                }
                Ok(_) => {
                    println!("not verified");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) if e.code() == Some("totp_incorrect_code") => {
                    println!("incorrect code");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            };
        }
        UsersCommand::DisableMfa(id) => {
            let result = users.disable_mfa(&id.user_id).send().await?;
            if id.json {
                output::json_line(&mut std::io::stdout(), &result)?;
            } else {
                println!("second factors disabled for {}", id.user_id);
            }
        }
        UsersCommand::RemovePassword(id) => {
            let user = users.remove_user_password(&id.user_id).send().await?;
            output::print_user(&user, id.json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_list(users: &UsersApi, list: ListArgs) -> anyhow::Result<()> {
    let builder = builders::list_request(users, &list);
    if !list.all {
        let users = builder.send().await?;
        output::print_users(&users, list.json)?;
        return Ok(());
    }
    if list.json {
        // Streamed: one page in memory at a time, whatever the number of users.
        let mut pages = builder.into_pages();
        let mut out = std::io::stdout().lock();
        while let Some(page) = pages.try_next().await? {
            for user in &page {
                output::json_line(&mut out, user)?;
            }
            out.flush()?;
        }
    } else {
        // A table needs every row to size its columns.
        let users: Vec<User> = builder.into_stream().try_collect().await?;
        output::print_users(&users, false)?;
    }
    Ok(())
}

/// Runs one call per id and prints the users it returns as a table (or JSON lines). Stops at
/// the first failure, having printed what succeeded.
async fn each_user<F, Fut>(ids: &UserIds, call: F) -> anyhow::Result<()>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = clerk_http_client::Result<User>>,
{
    let mut done = Vec::new();
    for id in &ids.user_ids {
        match call(id.clone()).await {
            Ok(user) => done.push(user),
            Err(e) => {
                output::print_users(&done, ids.json)?;
                return Err(anyhow::Error::from(e).context(format!("user {id}")));
            }
        }
    }
    output::print_users(&done, ids.json)?;
    Ok(())
}

/// `PATCH /users/{id}` for the profile fields, then the metadata endpoint for metadata: from API
/// version 2026-05-12 Clerk refuses metadata in the update itself.
async fn update_user(users: &UsersApi, args: &UpdateArgs) -> anyhow::Result<User> {
    let metadata = args.metadata_request()?;
    let profile = args.profile_request();
    let changes_profile = profile != Default::default();
    if metadata.is_none() && !changes_profile {
        bail!("nothing to update: give at least one field (see `clerk users update --help`)");
    }
    let mut user = None;
    if changes_profile {
        user = Some(
            users
                .update_user(&args.user_id)
                .request(profile)
                .send()
                .await?,
        );
    }
    if let Some(metadata) = metadata {
        user = Some(if args.replace_metadata {
            users
                .replace_user_metadata(&args.user_id)
                .request(metadata)
                .send()
                .await?
        } else {
            users
                .update_user_metadata(&args.user_id)
                .request(metadata)
                .send()
                .await?
        });
    }
    Ok(user.expect("one of the two calls ran"))
}
