//! Declarations shared by the operation builders.

/// Declares the builder of an operation whose only parameters are path parameters, if any (and
/// the per-call options every builder has): `ban_user`, `delete_totp`, `GET /jwks`, …
macro_rules! path_operation {
    (
        $(#[$doc:meta])*
        $name:ident($($param:ident),*) -> $output:ty {
            operation: $op:literal,
            method: $method:ident,
            path: |$s:ident| $path:expr,
            idempotent: $idempotent:expr $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct $name {
            client: $crate::Client,
            options: $crate::RequestOptions,
            $($param: String,)*
        }

        impl $name {
            pub(crate) fn new(client: $crate::Client, $($param: String),*) -> Self {
                Self { client, options: Default::default(), $($param,)* }
            }

            fn build(self) -> $crate::Result<$crate::request::HttpRequest> {
                $($crate::validation::path_param(stringify!($param), &self.$param)?;)*
                let $s = &self;
                Ok($crate::request::HttpRequest::new($op, reqwest::Method::$method, &$path)
                    .idempotent($idempotent))
            }
        }

        $crate::request::operation!($name -> $output);
    };
}

/// Declares the builder of an operation that sends a JSON body: the struct (client, per-call
/// options, path parameters, body), its constructor, and `request` to replace the whole body.
/// Setters (see [`body_setters!`]), `build` and `operation!` are written beside it.
macro_rules! body_operation {
    (
        $(#[$doc:meta])*
        $name:ident($($param:ident),*) body: $body:ty
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct $name {
            client: $crate::Client,
            options: $crate::RequestOptions,
            $($param: String,)*
            body: $body,
        }

        impl $name {
            pub(crate) fn new(client: $crate::Client, $($param: String,)* body: $body) -> Self {
                Self { client, options: Default::default(), $($param,)* body }
            }

            /// Replaces the whole body, what the operation's method was given included (the
            /// setters fill single fields).
            pub fn request(mut self, body: $body) -> Self {
                self.body = body;
                self
            }
        }
    };
}

/// Fluent setters that fill the fields of a request body held in `self.body`. Each field is
/// given with its doc comment, which becomes the setter's: `body_setters!(@string /// The first
/// name. first_name)`.
macro_rules! body_setters {
    // `Option<String>` fields.
    (@string $($(#[$doc:meta])* $field:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.body.$field = Some(value.into());
            self
        }
    )*};
    // `Option<Option<String>>` fields: the setter sets a value; `null` is set through `request`.
    (@nullable_string $($(#[$doc:meta])* $field:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: impl Into<String>) -> Self {
            self.body.$field = Some(Some(value.into()));
            self
        }
    )*};
    (@bool $($(#[$doc:meta])* $field:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: bool) -> Self {
            self.body.$field = Some(value);
            self
        }
    )*};
    (@strings $($(#[$doc:meta])* $field:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $field<I, S>(mut self, values: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.body.$field = Some(values.into_iter().map(Into::into).collect());
            self
        }
    )*};
    (@json $($(#[$doc:meta])* $field:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $field(mut self, value: serde_json::Value) -> Self {
            self.body.$field = Some(value);
            self
        }
    )*};
}

pub(crate) use {body_operation, body_setters, path_operation};
