//! SQL for the lockout: verification attempts are claimed, and locks set, by conditional
//! UPDATEs, so the rules hold for concurrent requests and for several nodes on one database.

use super::Sql;
use crate::store::{Conn, DbResult};

/// Which counter a check spends: the password's, or the second factor's (TOTP, backup codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Password,
    SecondFactor,
}

impl Factor {
    fn column(self) -> &'static str {
        match self {
            Self::Password => "failed_verification_attempts",
            Self::SecondFactor => "failed_second_factor_attempts",
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Password => Self::SecondFactor,
            Self::SecondFactor => Self::Password,
        }
    }
}

/// Claims one check of `factor` before it runs: counts it as failed up front, in one
/// conditional UPDATE that refuses when the user is locked or either factor is out of
/// attempts. An expired lock is lifted by the claim, with fresh counts. Returns whether the
/// claim was granted (false also when no user has this id).
pub async fn claim(
    conn: &mut Conn,
    user_id: &str,
    factor: Factor,
    max_attempts: i64,
    now: i64,
) -> DbResult<bool> {
    let (col, other) = (factor.column(), factor.other().column());
    let mut sql = Sql::new("UPDATE users SET ");
    // `locked_at IS NOT NULL` below can only mean an expired lock (see the WHERE clause).
    sql.push(&format!(
        "{col} = CASE WHEN locked_at IS NOT NULL THEN 1 ELSE {col} + 1 END, \
         {other} = CASE WHEN locked_at IS NOT NULL THEN 0 ELSE {other} END, \
         locked_at = NULL, lockout_expires_at = NULL WHERE id = "
    ));
    sql.bind(user_id)
        .push(
            " AND (locked_at IS NULL OR (lockout_expires_at IS NOT NULL AND lockout_expires_at <= ",
        )
        .bind(now)
        .push(&format!(")) AND (locked_at IS NOT NULL OR ({col} < "))
        .bind(max_attempts)
        .push(&format!(" AND {other} < "))
        .bind(max_attempts)
        .push("))");
    Ok(sql.execute(conn).await? == 1)
}

/// Locks the user if a factor has used up its attempts and no lock is set. Run after a check
/// failed, and when a claim is refused (which also covers a process that died between a claim
/// and its outcome). Returns whether a lock was set.
pub async fn lock_if_exhausted(
    conn: &mut Conn,
    user_id: &str,
    max_attempts: i64,
    now: i64,
    lockout_expires_at: i64,
) -> DbResult<bool> {
    let mut sql = Sql::new("UPDATE users SET locked_at = ");
    sql.bind(now)
        .push(", lockout_expires_at = ")
        .bind(lockout_expires_at)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(user_id)
        .push(" AND locked_at IS NULL AND (failed_verification_attempts >= ")
        .bind(max_attempts)
        .push(" OR failed_second_factor_attempts >= ")
        .bind(max_attempts)
        .push(")");
    Ok(sql.execute(conn).await? == 1)
}
