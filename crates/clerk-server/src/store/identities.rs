//! SQL for what hangs off a user besides its row: finding an identification's owner, deletions
//! of identifications, passkeys and external accounts, and trusted devices.

use super::users::{IdentKind, PasskeyRow};
use super::{Arg, Sql};
use crate::store::{Conn, DbError, DbResult, Row};

/// The public id of the user who has the identification of `kind` with this id.
pub async fn identification_owner(
    conn: &mut Conn,
    kind: IdentKind,
    id: &str,
) -> DbResult<Option<String>> {
    let mut sql = Sql::new(
        "SELECT u.id AS user_id FROM identifications i JOIN users u ON u.seq = i.user_seq \
         WHERE i.id = ",
    );
    sql.bind(id).push(" AND i.kind = ").bind(kind.as_str());
    sql.fetch_optional(conn)
        .await?
        .map(|row| row.try_get("user_id"))
        .transpose()
}

/// Deletes the row of `table` with this public id if it belongs to `user_seq`; whether it did.
pub async fn delete_owned(
    conn: &mut Conn,
    table: OwnedTable,
    user_seq: i64,
    id: &str,
) -> DbResult<bool> {
    let mut sql = Sql::new(&format!("DELETE FROM {} WHERE user_seq = ", table.name()));
    sql.bind(user_seq).push(" AND id = ").bind(id);
    Ok(sql.execute(conn).await? > 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnedTable {
    Identifications,
    Passkeys,
    ExternalAccounts,
}

impl OwnedTable {
    fn name(self) -> &'static str {
        match self {
            Self::Identifications => "identifications",
            Self::Passkeys => "passkeys",
            Self::ExternalAccounts => "external_accounts",
        }
    }
}

/// Whether a trusted device is still trusted (`trusted_devices.status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceStatus {
    #[default]
    Active,
    Revoked,
}

impl DeviceStatus {
    pub const ALL: [Self; 2] = [Self::Active, Self::Revoked];

    /// The stored text, which is also the status on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
        }
    }

    pub fn from_stored(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrustedDeviceRow {
    pub id: String,
    pub platform: String,
    pub app_identifier: String,
    pub name: Option<String>,
    pub algorithm: String,
    pub status: DeviceStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const DEVICE_COLUMNS: &str = "id, platform, app_identifier, name, algorithm, status, \
    created_at, updated_at, last_used_at, revoked_at";

fn device_from_row(row: &Row) -> DbResult<TrustedDeviceRow> {
    Ok(TrustedDeviceRow {
        id: row.try_get("id")?,
        platform: row.try_get("platform")?,
        app_identifier: row.try_get("app_identifier")?,
        name: row.try_get("name")?,
        algorithm: row.try_get("algorithm")?,
        status: {
            let text: String = row.try_get("status")?;
            DeviceStatus::from_stored(&text).ok_or_else(|| {
                DbError::decode("status", format!("unknown trusted device status {text:?}"))
            })?
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// The user's active trusted devices, oldest first.
pub async fn active_trusted_devices(
    conn: &mut Conn,
    user_seq: i64,
) -> DbResult<Vec<TrustedDeviceRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {DEVICE_COLUMNS} FROM trusted_devices WHERE user_seq = "
    ));
    sql.bind(user_seq)
        .push(" AND status = ")
        .bind(DeviceStatus::Active.as_str())
        .push(" ORDER BY seq");
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(device_from_row)
        .collect()
}

pub async fn find_trusted_device(
    conn: &mut Conn,
    user_seq: i64,
    id: &str,
) -> DbResult<Option<TrustedDeviceRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT {DEVICE_COLUMNS} FROM trusted_devices WHERE user_seq = "
    ));
    sql.bind(user_seq).push(" AND id = ").bind(id);
    sql.fetch_optional(conn)
        .await?
        .as_ref()
        .map(device_from_row)
        .transpose()
}

pub async fn revoke_trusted_device(conn: &mut Conn, id: &str, now: i64) -> DbResult<()> {
    let mut sql = Sql::new("UPDATE trusted_devices SET status = ");
    sql.bind(DeviceStatus::Revoked.as_str())
        .push(", revoked_at = ")
        .bind(now)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id);
    sql.execute(conn).await.map(|_| ())
}

pub async fn insert_trusted_device(
    conn: &mut Conn,
    user_seq: i64,
    d: &TrustedDeviceRow,
) -> DbResult<()> {
    let mut sql = Sql::new(&format!(
        "INSERT INTO trusted_devices (user_seq, {DEVICE_COLUMNS}) VALUES "
    ));
    sql.bind_list::<Arg>(&[
        user_seq.into(),
        d.id.clone().into(),
        d.platform.clone().into(),
        d.app_identifier.clone().into(),
        d.name.clone().into(),
        d.algorithm.clone().into(),
        d.status.as_str().into(),
        d.created_at.into(),
        d.updated_at.into(),
        d.last_used_at.into(),
        d.revoked_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}

/// Every trusted device (active or revoked) of these users, as (user_seq, device), in order.
pub async fn trusted_devices_of(
    conn: &mut Conn,
    user_seqs: &[i64],
) -> DbResult<Vec<(i64, TrustedDeviceRow)>> {
    if user_seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!(
        "SELECT user_seq, {DEVICE_COLUMNS} FROM trusted_devices WHERE user_seq IN "
    ));
    sql.bind_list(user_seqs).push(" ORDER BY user_seq, seq");
    sql.fetch_all(conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("user_seq")?, device_from_row(row)?)))
        .collect()
}

pub async fn insert_passkey(conn: &mut Conn, p: &PasskeyRow) -> DbResult<()> {
    let mut sql =
        Sql::new("INSERT INTO passkeys (id, user_seq, name, last_used_at, created_at) VALUES ");
    sql.bind_list::<Arg>(&[
        p.id.clone().into(),
        p.user_seq.into(),
        p.name.clone().into(),
        p.last_used_at.into(),
        p.created_at.into(),
    ]);
    sql.execute(conn).await.map(|_| ())
}
