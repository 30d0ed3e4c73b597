//! JWT templates (Clerk's `/jwt_templates`): named claim sets, with shortcodes such as
//! `{{user.id}}` filled in at minting, that
//! [`SessionsApi::create_token_from_template`](crate::sessions::SessionsApi::create_token_from_template)
//! mints tokens from, signed with the instance's key or one of the template's own.
//!
//! Retries follow the client's rules: reads, updates (PATCH sets the whole template) and deletes
//! are safe to repeat; creating a template is not (a repeat after a lost answer would fail with
//! `form_identifier_exists` on the name), so it is retried only after a 429 or a refused
//! connection unless the caller opts in.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use serde_json::json;
//! # async fn run(client: clerk_http_client::Client) -> clerk_http_client::Result<()> {
//! let templates = client.jwt_templates();
//! let template = templates
//!     .create("my-api", json!({"aud": "my-api", "email": "{{user.primary_email_address}}"}))
//!     .lifetime(300)
//!     .send()
//!     .await?;
//! // PATCH takes the whole template: name and claims again, the rest as wanted.
//! templates
//!     .update(&template.id, "my-api", json!({"aud": "my-api", "uid": "{{user.id}}"}))
//!     .send()
//!     .await?;
//! let all: Vec<_> = templates.list().into_stream().try_collect().await?;
//! templates.delete(&template.id).send().await?;
//! # Ok(()) }
//! ```

use clerk_model::{DeletedObject, JwtTemplate, JwtTemplateRequest};
use reqwest::Method;
use serde_json::Value;

use crate::pagination::offset_paginated_list;
use crate::request::{operation, HttpRequest};
use crate::users::macros::path_operation;
use crate::validation;
use crate::{Client, Error, RequestOptions, Result};

/// The `/jwt_templates` operations. Get one with [`Client::jwt_templates`].
#[derive(Debug, Clone)]
pub struct JwtTemplatesApi {
    client: Client,
}

impl JwtTemplatesApi {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    fn client(&self) -> Client {
        self.client.clone()
    }

    /// `GET /jwt_templates`: a page of templates; also walks every page with
    /// [`ListJwtTemplates::into_stream`].
    pub fn list(&self) -> ListJwtTemplates {
        ListJwtTemplates::new(self.client())
    }

    /// `GET /jwt_templates/{template_id}`: the details of a template.
    pub fn get(&self, template_id: impl Into<String>) -> GetJwtTemplate {
        GetJwtTemplate::new(self.client(), template_id.into())
    }

    /// `POST /jwt_templates`: a new template named `name` (unique in the instance; tokens are
    /// minted by name) with `claims`, a JSON object whose string values may hold shortcodes.
    pub fn create(&self, name: impl Into<String>, claims: Value) -> CreateJwtTemplate {
        CreateJwtTemplate {
            client: self.client(),
            options: RequestOptions::default(),
            fields: TemplateFields::new(name.into(), claims),
        }
    }

    /// `PATCH /jwt_templates/{template_id}`: replaces the template's name and claims (both
    /// required, as in Clerk's API), and the other fields that are set; the ones not set keep
    /// their values.
    pub fn update(
        &self,
        template_id: impl Into<String>,
        name: impl Into<String>,
        claims: Value,
    ) -> UpdateJwtTemplate {
        UpdateJwtTemplate {
            client: self.client(),
            options: RequestOptions::default(),
            template_id: template_id.into(),
            fields: TemplateFields::new(name.into(), claims),
        }
    }

    /// `DELETE /jwt_templates/{template_id}`: tokens can no longer be minted from it.
    pub fn delete(&self, template_id: impl Into<String>) -> DeleteJwtTemplate {
        DeleteJwtTemplate::new(self.client(), template_id.into())
    }
}

// --- list and get -----------------------------------------------------------------------------

/// `GET /jwt_templates`.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListJwtTemplates {
    client: Client,
    options: RequestOptions,
    limit: Option<u32>,
    offset: Option<u32>,
}

impl ListJwtTemplates {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
            limit: None,
            offset: None,
        }
    }

    /// Page size, 1..=500 (Clerk's default: 10).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Templates to skip.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    fn build(self) -> Result<HttpRequest> {
        validation::limit(self.client.validates(), self.limit)?;
        Ok(
            HttpRequest::new("list_jwt_templates", Method::GET, &["jwt_templates"])
                .query_opt("limit", self.limit)
                .query_opt("offset", self.offset),
        )
    }
}

offset_paginated_list!(ListJwtTemplates -> JwtTemplate);

path_operation! {
    /// `GET /jwt_templates/{template_id}`: the details of a template.
    GetJwtTemplate(template_id) -> JwtTemplate {
        operation: "get_jwt_template",
        method: GET,
        path: |s| ["jwt_templates", s.template_id.as_str()],
        idempotent: true,
    }
}

// --- create and update ------------------------------------------------------------------------

/// What create and update send: the whole template.
#[derive(Debug, Clone)]
struct TemplateFields {
    body: JwtTemplateRequest,
    /// Kept as given until sent, where anything but an object is refused.
    claims: Value,
}

impl TemplateFields {
    fn new(name: String, claims: Value) -> Self {
        Self {
            body: JwtTemplateRequest {
                name: Some(name),
                ..Default::default()
            },
            claims,
        }
    }

    fn into_body(self, validate: bool) -> Result<JwtTemplateRequest> {
        validation::in_range(
            validate,
            "lifetime",
            self.body.lifetime,
            validation::LIFETIME_SECONDS,
        )?;
        validation::in_range(
            validate,
            "allowed_clock_skew",
            self.body.allowed_clock_skew,
            0..=300,
        )?;
        // Always checked: the body's `claims` is typed as an object, so nothing else can be sent.
        let Value::Object(claims) = self.claims else {
            return Err(Error::validation("claims", "must be a JSON object"));
        };
        Ok(JwtTemplateRequest {
            claims: Some(claims),
            ..self.body
        })
    }
}

/// The optional fields of a template, on both builders.
macro_rules! template_setters {
    ($builder:ident) => {
        impl $builder {
            /// The lifetime of the tokens minted from the template, in seconds: 30 to
            /// 315360000 (60 when never set).
            pub fn lifetime(mut self, seconds: i64) -> Self {
                self.fields.body.lifetime = Some(seconds);
                self
            }

            /// The clock skew the tokens allow, in seconds (their `nbf` is set this far in the
            /// past): 0 to 300 (5 when never set).
            pub fn allowed_clock_skew(mut self, seconds: i64) -> Self {
                self.fields.body.allowed_clock_skew = Some(seconds);
                self
            }

            /// Whether a custom signing key and algorithm are also provided for this template;
            /// when `true`, `signing_algorithm` and `signing_key` are required.
            pub fn custom_signing_key(mut self, custom: bool) -> Self {
                self.fields.body.custom_signing_key = Some(custom);
                self
            }

            /// The custom signing algorithm to use when minting JWTs (`HS256`, `HS384`,
            /// `HS512`, `RS256`, `RS384`, `RS512`, `ES256`, `ES384`). Required if
            /// `custom_signing_key` is `true`.
            pub fn signing_algorithm(mut self, algorithm: impl Into<String>) -> Self {
                self.fields.body.signing_algorithm = Some(algorithm.into());
                self
            }

            /// The custom signing private key to use when minting JWTs: the shared secret for
            /// `HS*`, a PEM private key otherwise. Required if `custom_signing_key` is `true`;
            /// never shown again.
            pub fn signing_key(mut self, key: impl Into<String>) -> Self {
                self.fields.body.signing_key = Some(key.into());
                self
            }
        }
    };
}

/// `POST /jwt_templates`: not retried after a 5xx or a timeout unless the caller opts in (a
/// repeat of a create that went through fails on the taken name).
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateJwtTemplate {
    client: Client,
    options: RequestOptions,
    fields: TemplateFields,
}

template_setters!(CreateJwtTemplate);

impl CreateJwtTemplate {
    fn build(self) -> Result<HttpRequest> {
        let body = self.fields.into_body(self.client.validates())?;
        HttpRequest::new("create_jwt_template", Method::POST, &["jwt_templates"]).json(&body)
    }
}

operation!(CreateJwtTemplate -> JwtTemplate);

/// `PATCH /jwt_templates/{template_id}`: safe to repeat (it sets the whole template), so
/// retried like a read.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateJwtTemplate {
    client: Client,
    options: RequestOptions,
    template_id: String,
    fields: TemplateFields,
}

template_setters!(UpdateJwtTemplate);

impl UpdateJwtTemplate {
    fn build(self) -> Result<HttpRequest> {
        validation::path_param("template_id", &self.template_id)?;
        let body = self.fields.into_body(self.client.validates())?;
        HttpRequest::new(
            "update_jwt_template",
            Method::PATCH,
            &["jwt_templates", &self.template_id],
        )
        .idempotent(true)
        .json(&body)
    }
}

operation!(UpdateJwtTemplate -> JwtTemplate);

path_operation! {
    /// `DELETE /jwt_templates/{template_id}`.
    DeleteJwtTemplate(template_id) -> DeletedObject {
        operation: "delete_jwt_template",
        method: DELETE,
        path: |s| ["jwt_templates", s.template_id.as_str()],
        idempotent: true,
    }
}
