//! Trusted devices (Clerk's Device Trust for mobile apps).

use clerk_model::{Paginated, TrustedDevice};

use super::macros::path_operation;

path_operation! {
    /// `GET /users/{user_id}/trusted_devices`: the user's active trusted devices and their number.
    ListUserTrustedDevices(user_id) -> Paginated<TrustedDevice> {
        operation: "list_user_trusted_devices",
        method: GET,
        path: |s| ["users", s.user_id.as_str(), "trusted_devices"],
        idempotent: true,
    }
}

path_operation! {
    /// `DELETE /users/{user_id}/trusted_devices/{trusted_device_id}`: revokes an active device.
    RevokeUserTrustedDevice(user_id, trusted_device_id) -> TrustedDevice {
        operation: "revoke_user_trusted_device",
        method: DELETE,
        path: |s| ["users", s.user_id.as_str(), "trusted_devices", s.trusted_device_id.as_str()],
        idempotent: true,
    }
}
