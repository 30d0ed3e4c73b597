//! The rows the loader writes for a generated data set, table by table, with the server's own
//! bound values, normalized identifications and search-index rows.

use clerk_server::store::users::search::{search_key, Searchable, SEARCH_COLUMNS};
use clerk_server::store::{Arg, Dialect, IdentKind, IdentStatus};

use crate::gen::{DataSet, Ident, User};

pub(super) const TABLES: &[&str] = &[
    "organizations",
    "users",
    "identifications",
    "organization_memberships",
];

pub(super) const USER_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "external_id",
    "username",
    "first_name",
    "last_name",
    "locale",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_email_address",
    "primary_phone_number",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "password_digest",
    "password_hasher",
    "password_last_updated_at",
    "banned",
    "locked_at",
    "lockout_expires_at",
    "last_active_at",
    "last_sign_in_at",
    "created_at",
    "updated_at",
];

fn kind(ident: &Ident) -> IdentKind {
    IdentKind::from_stored(ident.kind).expect("a generated kind is a stored kind")
}

/// The identification's value as the server compares it (`identifications.norm`).
fn norm(ident: &Ident) -> String {
    kind(ident).normalize(&ident.value)
}

pub(super) fn user_row(u: &User, digest: &str) -> Vec<Arg> {
    let email = u.primary_email();
    let phone = u.primary_phone();
    let password = u.has_password;
    vec![
        u.seq.into(),
        u.id.clone().into(),
        u.external_id.clone().into(),
        u.username.clone().into(),
        u.first_name.clone().into(),
        u.last_name.clone().into(),
        u.locale.into(),
        email.id.clone().into(),
        phone.map(|p| p.id.clone()).into(),
        norm(email).into(),
        phone.map(norm).into(),
        u.public_metadata.clone().into(),
        u.private_metadata.clone().into(),
        u.unsafe_metadata.clone().into(),
        password.then(|| digest.to_owned()).into(),
        password.then_some("bcrypt").into(),
        password.then_some(u.created_at).into(),
        u.banned.into(),
        u.locked_at.into(),
        // A generated lock never expires.
        Arg::Int(None),
        u.last_active_at.into(),
        u.last_sign_in_at.into(),
        u.created_at.into(),
        u.created_at.into(),
    ]
}

pub(super) const IDENT_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "user_seq",
    "kind",
    "value",
    "norm",
    "status",
    "strategy",
    "created_at",
    "updated_at",
];

pub(super) fn ident_rows(u: &User) -> impl Iterator<Item = Vec<Arg>> + '_ {
    u.idents.iter().map(|i| {
        vec![
            i.seq.into(),
            i.id.clone().into(),
            u.seq.into(),
            i.kind.into(),
            i.value.clone().into(),
            norm(i).into(),
            // Generated identifications are verified, as `POST /users` makes them by default.
            IdentStatus::Verified.as_str().into(),
            IdentStatus::Verified.strategy().into(),
            u.created_at.into(),
            u.created_at.into(),
        ]
    })
}

/// The user's row of the search index, as the server writes it (its own function), after the
/// key.
pub(super) fn search_row(u: &User) -> Vec<Arg> {
    let searchable = Searchable {
        id: &u.id,
        username: u.username.as_deref(),
        first_name: Some(&u.first_name),
        last_name: Some(&u.last_name),
        identifications: u
            .idents
            .iter()
            .map(|i| (kind(i), i.value.as_str()))
            .collect(),
    };
    let mut row: Vec<Arg> = vec![u.seq.into()];
    row.extend(searchable.row().into_iter().map(Arg::from));
    row
}

/// The columns of the search index the loader writes: its key, then the searched ones.
pub(super) fn search_columns(dialect: Dialect) -> Vec<&'static str> {
    std::iter::once(search_key(dialect))
        .chain(SEARCH_COLUMNS)
        .collect()
}

pub(super) const MEMBERSHIP_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "organization_id",
    "user_seq",
    "role",
    "created_at",
    "updated_at",
];

pub(super) fn membership_rows(u: &User) -> impl Iterator<Item = Vec<Arg>> + '_ {
    u.memberships.iter().map(|m| {
        vec![
            m.seq.into(),
            m.id.clone().into(),
            m.organization_id.clone().into(),
            u.seq.into(),
            m.role.into(),
            u.created_at.into(),
            u.created_at.into(),
        ]
    })
}

pub(super) const ORG_COLUMNS: &[&str] = &[
    "seq",
    "id",
    "name",
    "slug",
    "created_by",
    "created_at",
    "updated_at",
];

pub(super) fn org_rows(set: &DataSet) -> impl Iterator<Item = Vec<Arg>> + '_ {
    (0..set.organizations()).map(|i| {
        let o = set.organization(i);
        vec![
            o.seq.into(),
            o.id.into(),
            o.name.into(),
            o.slug.into(),
            o.created_by.into(),
            o.created_at.into(),
            o.created_at.into(),
        ]
    })
}
