//! One user: identities, the metadata editor, organizations, sessions, MFA state and
//! timestamps, and the actions an operator takes (each confirmed on a page of its own first, so
//! it works without JavaScript); creating a user.
//!
//! What is never shown: password digests, TOTP secrets, backup codes, OAuth tokens. The user
//! view the API returns has none of them, and that view is all these pages read.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use clerk_model::{CreateUserRequest, UpdateUserMetadataRequest, User};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

use super::auth::{CsrfForm, Operator};
use super::layout::{self, csrf_field, timestamp, PageError};
use crate::domain::credentials::{self, SecondFactor};
use crate::domain::list::Page;
use crate::domain::metadata::MetadataMode;
use crate::domain::organizations::list_user_memberships;
use crate::domain::sessions::{self, SessionListQuery};
use crate::domain::{account, images, users};
use crate::error::ApiError;
use crate::AppState;

/// What an operator can do to a user from its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Ban,
    Unban,
    Lock,
    Unlock,
    DisableMfa,
    RemovePassword,
    SetCompromised,
    UnsetCompromised,
    DeleteImage,
    Delete,
}

impl Action {
    const ALL: [Action; 10] = [
        Action::Ban,
        Action::Unban,
        Action::Lock,
        Action::Unlock,
        Action::DisableMfa,
        Action::RemovePassword,
        Action::SetCompromised,
        Action::UnsetCompromised,
        Action::DeleteImage,
        Action::Delete,
    ];

    /// The action's name in URLs.
    fn slug(self) -> &'static str {
        match self {
            Action::Ban => "ban",
            Action::Unban => "unban",
            Action::Lock => "lock",
            Action::Unlock => "unlock",
            Action::DisableMfa => "disable-mfa",
            Action::RemovePassword => "remove-password",
            Action::SetCompromised => "set-compromised",
            Action::UnsetCompromised => "unset-compromised",
            Action::DeleteImage => "delete-image",
            Action::Delete => "delete",
        }
    }

    fn parse(slug: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.slug() == slug)
    }

    fn label(self) -> &'static str {
        match self {
            Action::Ban => "Ban",
            Action::Unban => "Unban",
            Action::Lock => "Lock",
            Action::Unlock => "Unlock",
            Action::DisableMfa => "Disable MFA",
            Action::RemovePassword => "Remove password",
            Action::SetCompromised => "Mark password compromised",
            Action::UnsetCompromised => "Clear password compromised",
            Action::DeleteImage => "Delete profile image",
            Action::Delete => "Delete user",
        }
    }

    /// What the confirmation page says will happen.
    fn consequence(self) -> &'static str {
        match self {
            Action::Ban => {
                "The user is signed out of every session and cannot sign in again until unbanned."
            }
            Action::Unban => "The user can sign in again.",
            Action::Lock => "The user cannot sign in until unlocked or until the lockout ends.",
            Action::Unlock => "The user can sign in again, and the failed attempts are forgotten.",
            Action::DisableMfa => {
                "The user's TOTP, backup codes and second-factor phone numbers are removed."
            }
            Action::RemovePassword => "The user can no longer sign in with a password.",
            Action::SetCompromised => "The user must reset the password at the next sign-in.",
            Action::UnsetCompromised => "The password is usable again as it is.",
            Action::DeleteImage => "The profile image is removed; a default image is shown.",
            Action::Delete => {
                "The user and everything about them is deleted. This cannot be undone."
            }
        }
    }

    /// The flash message after it is done.
    fn done(self) -> &'static str {
        match self {
            Action::Ban => "User banned.",
            Action::Unban => "User unbanned.",
            Action::Lock => "User locked.",
            Action::Unlock => "User unlocked.",
            Action::DisableMfa => "MFA disabled.",
            Action::RemovePassword => "Password removed.",
            Action::SetCompromised => "Password marked compromised.",
            Action::UnsetCompromised => "Password no longer marked compromised.",
            Action::DeleteImage => "Profile image deleted.",
            Action::Delete => "User deleted.",
        }
    }

    fn destructive(self) -> bool {
        matches!(
            self,
            Action::Ban | Action::Lock | Action::RemovePassword | Action::Delete
        )
    }

    /// Whether the action means anything for `user` now (unban only a banned user, …).
    fn applies_to(self, user: &User) -> bool {
        match self {
            Action::Ban => !user.banned,
            Action::Unban => user.banned,
            Action::Lock => !user.locked,
            Action::Unlock => user.locked,
            Action::DisableMfa => user.two_factor_enabled,
            // The user view does not say whether a password is marked compromised, so both
            // directions are offered while there is a password.
            Action::RemovePassword | Action::SetCompromised | Action::UnsetCompromised => {
                user.password_enabled
            }
            Action::DeleteImage => user.has_image,
            Action::Delete => true,
        }
    }

    async fn run(self, app: &AppState, user_id: &str) -> Result<(), ApiError> {
        match self {
            Action::Ban => account::set_banned(app, user_id, true).await.map(drop),
            Action::Unban => account::set_banned(app, user_id, false).await.map(drop),
            Action::Lock => account::set_locked(app, user_id, true).await.map(drop),
            Action::Unlock => account::set_locked(app, user_id, false).await.map(drop),
            Action::DisableMfa => {
                credentials::remove_second_factor(app, user_id, SecondFactor::All)
                    .await
                    .map(drop)
            }
            Action::RemovePassword => credentials::remove_password(app, user_id, false)
                .await
                .map(drop),
            Action::SetCompromised => {
                credentials::set_password_compromised(app, user_id, true, false)
                    .await
                    .map(drop)
            }
            Action::UnsetCompromised => {
                credentials::set_password_compromised(app, user_id, false, false)
                    .await
                    .map(drop)
            }
            Action::DeleteImage => images::delete_profile_image(app, user_id).await.map(drop),
            Action::Delete => users::delete_user(app, user_id).await.map(drop),
        }
    }
}

/// `?done=…` after a change: which fixed message to show (never text from the URL).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

impl Done {
    fn message(&self) -> Option<&'static str> {
        done_message(self.done.as_deref()?)
    }
}

/// The flash message for `?done={done}` after a change made on these pages (the users table
/// shows the one of a deletion).
pub fn done_message(done: &str) -> Option<&'static str> {
    match done {
        "metadata" => Some("Metadata saved."),
        "created" => Some("User created."),
        slug => Action::parse(slug).map(Action::done),
    }
}

/// `GET /dashboard/users/{user_id}`.
pub async fn show(
    State(app): State<AppState>,
    operator: Operator,
    Path(user_id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Html<String>, PageError> {
    let user = users::get_user(&app, &user_id).await?;
    let metadata = MetadataEditor::stored(&user);
    user_page(&app, &operator, &user, done.message(), &metadata).await
}

/// The three metadata bags as the editor shows them, and what was wrong with a submission.
struct MetadataEditor {
    public: String,
    private: String,
    unsafe_: String,
    /// The user's `updated_at` the text was based on: a save is refused once the user has
    /// changed since (see [`users::update_metadata_unless_changed`]).
    seen: i64,
    /// Clerk's message, and which bag it is about (if it names one).
    error: Option<(String, Option<String>)>,
}

impl MetadataEditor {
    fn stored(user: &User) -> Self {
        let pretty = |value: &Value| serde_json::to_string_pretty(value).unwrap_or_default();
        Self {
            public: pretty(&user.public_metadata),
            private: pretty(user.private_metadata.as_ref().unwrap_or(&Value::Null)),
            unsafe_: pretty(&user.unsafe_metadata),
            seen: user.updated_at,
            error: None,
        }
    }

    fn invalid(&self, param: &str) -> Option<&'static str> {
        let named = self.error.as_ref().and_then(|(_, p)| p.as_deref());
        (named == Some(param)).then_some("true")
    }

    fn render(&self, operator: &Operator, user_id: &str) -> Markup {
        let field = |id: &str, label: &str, hint: &str, text: &str| {
            html! {
                div.field {
                    label for=(id) { (label) }
                    textarea #(id) name=(id) data-json rows="6" spellcheck="false"
                        aria-invalid=[self.invalid(id)]
                        aria-describedby={ (id) "-hint " (id) "-error" } { (text) }
                    p.muted #{ (id) "-hint" } { (hint) }
                    p.field-error #{ (id) "-error" } aria-live="polite" {}
                }
            }
        };
        html! {
            section #metadata .panel aria-labelledby="metadata-title" {
                h2 #metadata-title { "Metadata" }
                @if let Some((message, _)) = &self.error {
                    p #metadata-errors .error role="alert" { (message) }
                }
                form #metadata-form method="post" action={ "/dashboard/users/" (user_id) "/metadata" } {
                    (csrf_field(operator))
                    input type="hidden" name="updated_at" value=(self.seen);
                    (field("public_metadata", "Public metadata", "Readable by the frontend, written only by the backend. A JSON object, up to 8 KB.", &self.public))
                    (field("private_metadata", "Private metadata", "Only the backend reads and writes it. A JSON object, up to 8 KB.", &self.private))
                    (field("unsafe_metadata", "Unsafe metadata", "The frontend can write it too: never trust it. A JSON object, up to 8 KB.", &self.unsafe_))
                    button #metadata-save .primary type="submit" { "Save metadata" }
                }
            }
        }
    }
}

/// The metadata form: each bag replaces the stored one (`PUT /users/{id}/metadata`).
#[derive(Debug, Deserialize)]
pub struct MetadataForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    public_metadata: String,
    #[serde(default)]
    private_metadata: String,
    #[serde(default)]
    unsafe_metadata: String,
    /// The `updated_at` of the page the form was on.
    #[serde(default)]
    updated_at: Option<i64>,
}

/// `POST /dashboard/users/{user_id}/metadata`: on a mistake, the page again with what was
/// typed and Clerk's error beside it (422).
pub async fn save_metadata(
    State(app): State<AppState>,
    operator: Operator,
    Path(user_id): Path<String>,
    Form(form): Form<MetadataForm>,
) -> Result<Response, PageError> {
    operator.check_csrf(&form.csrf)?;
    let mut editor = MetadataEditor {
        public: form.public_metadata,
        private: form.private_metadata,
        unsafe_: form.unsafe_metadata,
        seen: form.updated_at.unwrap_or_default(),
        error: None,
    };
    let parsed = [
        ("public_metadata", &editor.public),
        ("private_metadata", &editor.private),
        ("unsafe_metadata", &editor.unsafe_),
    ]
    .map(|(param, text)| parse_bag(param, text));
    let result = match parsed {
        [Ok(public), Ok(private), Ok(unsafe_)] => {
            let request = UpdateUserMetadataRequest {
                public_metadata: Some(Some(public)),
                private_metadata: Some(Some(private)),
                unsafe_metadata: Some(Some(unsafe_)),
            };
            let mode = MetadataMode::Replace;
            users::update_metadata_unless_changed(&app, &user_id, request, mode, form.updated_at)
                .await
        }
        [first, second, third] => Err([first, second, third]
            .into_iter()
            .find_map(Result::err)
            .expect("one bag failed to parse")),
    };
    match result {
        Ok(user) => Ok(
            Redirect::to(&format!("/dashboard/users/{}?done=metadata", user.id)).into_response(),
        ),
        Err(err) if err.kind == crate::error::ErrorKind::NotFound => Err(err.into()),
        Err(err) if crate::http::error::status_of(err.kind).is_server_error() => Err(err.into()),
        Err(err) => {
            let user = users::get_user(&app, &user_id).await?;
            let status = if err.kind == crate::error::ErrorKind::Conflict {
                // The typed text is kept, now based on the user as it is: saving again is a
                // deliberate overwrite of what changed.
                editor.seen = user.updated_at;
                let message = "Someone changed this user after you opened the page. Your text \
                               is kept below: compare it with the user as it is now, then save \
                               again.";
                editor.error = Some((message.to_owned(), None));
                StatusCode::CONFLICT
            } else {
                editor.error = Some((err.long_message.clone(), err.param_name.clone()));
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = user_page(&app, &operator, &user, None, &editor).await?;
            Ok((status, page).into_response())
        }
    }
}

/// One bag's text as JSON: empty means `{}`; what is not JSON is refused naming the bag. The
/// domain checks the rest (an object, at most 8 KB), as it does for the API.
fn parse_bag(param: &str, text: &str) -> Result<Value, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(text)
        .map_err(|e| ApiError::value_invalid(param, format!("{param} is not valid JSON: {e}.")))
}

async fn user_page(
    app: &AppState,
    operator: &Operator,
    user: &User,
    flash: Option<&str>,
    metadata: &MetadataEditor,
) -> Result<Html<String>, PageError> {
    let memberships = list_user_memberships(
        app,
        &user.id,
        Page {
            limit: 50,
            offset: 0,
        },
    )
    .await?;
    let sessions = sessions::list(
        app,
        &SessionListQuery {
            user_id: Some(user.id.clone()),
            client_id: None,
            status: None,
            page: Page {
                limit: 20,
                offset: 0,
            },
        },
        false,
    )
    .await?;
    let name = display_name(user);
    let body = html! {
        main {
            div.name {
                img.avatar src=(user.image_url) alt="" width="48" height="48";
                h1 { (name) }
            }
            p { (badges(user)) }
            div.grid {
                section #profile .panel aria-labelledby="profile-title" {
                    h2 #profile-title { "Profile" }
                    dl.facts {
                        dt { "ID" } dd { code { (user.id) } }
                        dt { "External ID" } dd { (user.external_id.as_deref().unwrap_or("—")) }
                        dt { "Username" } dd { (user.username.as_deref().unwrap_or("—")) }
                        dt { "Locale" } dd { (user.locale.as_deref().unwrap_or("—")) }
                        dt { "Created" } dd { (timestamp(Some(user.created_at))) }
                        dt { "Updated" } dd { (timestamp(Some(user.updated_at))) }
                        dt { "Last sign-in" } dd { (timestamp(user.last_sign_in_at)) }
                        dt { "Last active" } dd { (timestamp(user.last_active_at)) }
                    }
                }
                section #security .panel aria-labelledby="security-title" {
                    h2 #security-title { "Sign-in and MFA" }
                    dl.facts {
                        dt { "Password" } dd { (yes_no(user.password_enabled)) }
                        dt { "Password set" } dd { (timestamp(user.password_last_updated_at)) }
                        dt { "MFA" } dd { (yes_no(user.two_factor_enabled)) }
                        dt { "Authenticator app" } dd { (yes_no(user.totp_enabled)) }
                        dt { "Backup codes" } dd { (yes_no(user.backup_code_enabled)) }
                        dt { "MFA enabled" } dd { (timestamp(user.mfa_enabled_at)) }
                        dt { "Banned" } dd { (yes_no(user.banned)) }
                        dt { "Locked" } dd { (yes_no(user.locked)) }
                    }
                }
            }
            (identities(user))
            (metadata.render(operator, &user.id))
            section #organizations .panel aria-labelledby="organizations-title" {
                h2 #organizations-title { "Organizations" }
                @if memberships.data.is_empty() {
                    p.muted { "Not a member of any organization." }
                } @else {
                    table.stack {
                        thead { tr { th scope="col" { "Organization" } th scope="col" { "Role" } th scope="col" { "Joined" } } }
                        tbody {
                            @for membership in &memberships.data {
                                tr {
                                    td data-label="Organization" {
                                        a.org-link href={ "/dashboard/organizations/" (membership.organization.id) } { (membership.organization.name) }
                                    }
                                    td data-label="Role" { (membership.role) }
                                    td data-label="Joined" { (timestamp(Some(membership.created_at))) }
                                }
                            }
                        }
                    }
                }
            }
            @if !sessions.data.is_empty() {
                section #sessions .panel aria-labelledby="sessions-title" {
                    h2 #sessions-title { "Sessions" }
                    table.stack {
                        thead { tr { th scope="col" { "Session" } th scope="col" { "Status" } th scope="col" { "Last active" } th scope="col" { "Expires" } } }
                        tbody {
                            @for session in &sessions.data {
                                tr {
                                    td data-label="Session" { code { (session.id) } }
                                    td data-label="Status" { (session.status) }
                                    td data-label="Last active" { (timestamp(Some(session.last_active_at))) }
                                    td data-label="Expires" { (timestamp(Some(session.expire_at))) }
                                }
                            }
                        }
                    }
                }
            }
            section #actions .panel aria-labelledby="actions-title" {
                h2 #actions-title { "Actions" }
                div.actions {
                    @for action in Action::ALL.into_iter().filter(|a| a.applies_to(user)) {
                        a.button.danger[action.destructive()] data-action=(action.slug())
                            href={ "/dashboard/users/" (user.id) "/confirm/" (action.slug()) } { (action.label()) }
                    }
                }
            }
        }
    };
    Ok(layout::page(&name, operator, flash, body))
}

fn identities(user: &User) -> Markup {
    let primary = |id: &str, primary_id: &Option<String>| primary_id.as_deref() == Some(id);
    html! {
        section #identities .panel aria-labelledby="identities-title" {
            h2 #identities-title { "Identities" }
            h3 { "Email addresses" }
            @if user.email_addresses.is_empty() { p.muted { "None." } }
            ul {
                @for email in &user.email_addresses {
                    li {
                        (email.email_address)
                        " · " (verification(email.verification.as_ref().map(|v| v.status.as_str())))
                        @if primary(&email.id, &user.primary_email_address_id) { " · primary" }
                    }
                }
            }
            h3 { "Phone numbers" }
            @if user.phone_numbers.is_empty() { p.muted { "None." } }
            ul {
                @for phone in &user.phone_numbers {
                    li {
                        (phone.phone_number)
                        " · " (verification(phone.verification.as_ref().map(|v| v.status.as_str())))
                        @if primary(&phone.id, &user.primary_phone_number_id) { " · primary" }
                        @if phone.reserved_for_second_factor { " · second factor" }
                    }
                }
            }
            @if !user.web3_wallets.is_empty() {
                h3 { "Web3 wallets" }
                ul { @for wallet in &user.web3_wallets { li { (wallet.web3_wallet) } } }
            }
            @if !user.passkeys.is_empty() {
                h3 { "Passkeys" }
                ul { @for passkey in &user.passkeys { li { (passkey.name) " · last used " (timestamp(Some(passkey.last_used_at))) } } }
            }
            @if !user.external_accounts.is_empty() {
                h3 { "Connected accounts" }
                ul {
                    @for account in &user.external_accounts {
                        li { (account.provider) " · " (account.email_address) }
                    }
                }
            }
            @if !user.saml_accounts.is_empty() || !user.enterprise_accounts.is_empty() {
                h3 { "Enterprise accounts" }
                ul {
                    @for account in &user.saml_accounts { li { (account.provider) " · " (account.email_address) } }
                    @for account in &user.enterprise_accounts { li { (account.provider) " · " (account.email_address) } }
                }
            }
        }
    }
}

fn verification(status: Option<&str>) -> &str {
    status.unwrap_or("unverified")
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "Yes"
    } else {
        "No"
    }
}

/// The badges a user's row and page show: text, not colour alone.
pub fn badges(user: &User) -> Markup {
    html! {
        @if user.banned { span.badge.badge-banned { "Banned" } }
        @if user.locked { span.badge.badge-locked { "Locked" } }
        @if user.two_factor_enabled { span.badge.badge-mfa { "MFA" } }
    }
}

/// How a user is named on pages: full name, username, primary email, or the id.
pub fn display_name(user: &User) -> String {
    let full = layout::full_name(user.first_name.as_deref(), user.last_name.as_deref());
    if !full.is_empty() {
        return full;
    }
    if let Some(username) = user.username.as_deref().filter(|u| !u.is_empty()) {
        return username.to_owned();
    }
    user.email_addresses
        .iter()
        .find(|e| user.primary_email_address_id.as_deref() == Some(e.id.as_str()))
        .map(|e| e.email_address.clone())
        .unwrap_or_else(|| user.id.clone())
}

/// `GET /dashboard/users/{user_id}/confirm/{action}`: what will happen, and the button.
pub async fn confirm_page(
    State(app): State<AppState>,
    operator: Operator,
    Path((user_id, action)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let action = Action::parse(&action).ok_or_else(ApiError::route_not_found)?;
    let user = users::get_user(&app, &user_id).await?;
    let name = display_name(&user);
    let body = html! {
        main {
            h1 { (action.label()) ": " (name) "?" }
            p { (action.consequence()) }
            form #confirm-form method="post" action={ "/dashboard/users/" (user.id) "/actions/" (action.slug()) } {
                (csrf_field(&operator))
                div.actions {
                    button #confirm-submit .primary[!action.destructive()] .danger[action.destructive()] type="submit" { (action.label()) }
                    a #confirm-cancel .button href={ "/dashboard/users/" (user.id) } { "Cancel" }
                }
            }
        }
    };
    Ok(layout::page(action.label(), &operator, None, body))
}

/// `POST /dashboard/users/{user_id}/actions/{action}`: runs a confirmed action.
pub async fn run_action(
    State(app): State<AppState>,
    operator: Operator,
    Path((user_id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    operator.check_csrf(&form.csrf)?;
    let action = Action::parse(&action).ok_or_else(ApiError::route_not_found)?;
    // The action answers 404 for an unknown user, so after it `user_id` names a real one.
    action.run(&app, &user_id).await?;
    let to = match action {
        Action::Delete => format!("/dashboard/?done={}", action.slug()),
        _ => format!("/dashboard/users/{user_id}?done={}", action.slug()),
    };
    Ok(Redirect::to(&to).into_response())
}

/// `GET /dashboard/users/new`.
pub async fn new_user_page(operator: Operator) -> Html<String> {
    create_page(&operator, &CreateForm::default(), None)
}

/// The create form: the identifiers people give most.
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email_address: String,
    #[serde(default)]
    phone_number: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    password: String,
}

/// `POST /dashboard/users`: on a mistake, the form again with Clerk's error (the password is
/// never sent back).
pub async fn create_user(
    State(app): State<AppState>,
    operator: Operator,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    operator.check_csrf(&form.csrf)?;
    let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let list = |text: &str| given(text).map(|t| vec![t]);
    let request = CreateUserRequest {
        email_address: list(&form.email_address),
        phone_number: list(&form.phone_number),
        username: given(&form.username),
        first_name: given(&form.first_name),
        last_name: given(&form.last_name),
        external_id: given(&form.external_id),
        skip_password_requirement: Some(form.password.is_empty()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        ..Default::default()
    };
    match users::create_user(&app, request).await {
        Ok(user) => {
            Ok(Redirect::to(&format!("/dashboard/users/{}?done=created", user.id)).into_response())
        }
        Err(err) if crate::http::error::status_of(err.kind).is_server_error() => Err(err.into()),
        Err(err) => {
            let page = create_page(&operator, &form, Some(&err));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn create_page(operator: &Operator, form: &CreateForm, error: Option<&ApiError>) -> Html<String> {
    let invalid = |param: &str| {
        error
            .and_then(|e| e.param_name.as_deref())
            .filter(|p| *p == param)
            .map(|_| "true")
    };
    let input = |id: &str, label: &str, kind: &str, value: &str, autocomplete: &str| {
        html! {
            div.field {
                label for=(id) { (label) }
                input #(id) name=(id) type=(kind) value=(value) autocomplete=(autocomplete)
                    aria-invalid=[invalid(id)];
            }
        }
    };
    let body = html! {
        main {
            h1 { "New user" }
            @if let Some(error) = error {
                p #create-errors .error role="alert" { (error.long_message) }
            }
            form #create-user .panel method="post" action="/dashboard/users" {
                (csrf_field(operator))
                (input("email_address", "Email address", "email", &form.email_address, "off"))
                (input("phone_number", "Phone number (E.164)", "tel", &form.phone_number, "off"))
                (input("username", "Username", "text", &form.username, "off"))
                (input("first_name", "First name", "text", &form.first_name, "off"))
                (input("last_name", "Last name", "text", &form.last_name, "off"))
                (input("external_id", "External ID", "text", &form.external_id, "off"))
                (input("password", "Password (optional)", "password", "", "new-password"))
                button #create-submit .primary type="submit" { "Create user" }
            }
        }
    };
    layout::page("New user", operator, None, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_slug() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.slug()), Some(action));
        }
        assert_eq!(Action::parse("drop-table"), None);
    }

    #[test]
    fn flash_messages_come_from_a_fixed_list() {
        let done = |value: &str| Done {
            done: Some(value.to_owned()),
        };
        assert_eq!(done("ban").message(), Some("User banned."));
        assert_eq!(done("metadata").message(), Some("Metadata saved."));
        assert_eq!(done("<script>alert(1)</script>").message(), None);
    }

    #[test]
    fn a_bag_that_is_not_json_names_its_field() {
        assert_eq!(
            parse_bag("public_metadata", "  ").unwrap(),
            serde_json::json!({})
        );
        let err = parse_bag("private_metadata", "{not json").unwrap_err();
        assert_eq!(err.param_name.as_deref(), Some("private_metadata"));
    }
}
