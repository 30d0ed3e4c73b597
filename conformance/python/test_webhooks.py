"""Webhooks (our extension `/v1/_ext/webhooks`): a receiver on loopback is registered as an
endpoint, the official SDK changes users and organizations, and every message that arrives is
checked with Svix's own verifier (`svix`) and with `standardwebhooks`, then read as Clerk's event.

- each operation sends exactly its event (`user.created`, `user.updated` for update, metadata,
  ban, unban, lock and unlock, `user.deleted`; the organization, membership and invitation
  events), one message each, in Clerk's envelope;
- `user.created`/`user.updated` carry the user exactly as `GET /users/{id}` returns it right
  after; an organization's events carry what `GET /organizations/{id}` returns;
- every message verifies, no `svix-id` comes twice to one endpoint (one message keeps its id to
  every endpoint, as with Svix), every event names the same `ins_…`;
- after `rotate_secret` the next message verifies with the old and with the new secret;
- a change that is refused (422, rolled back) sends nothing;
- the server's attempt log agrees with what the receiver got.

The endpoint API itself is outside Clerk's spec, so its responses are not spec-checked; the
users and organizations read for comparison are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import secrets
import threading
import time
import uuid

import httpx
import pytest
from clerk_backend_api import models
from standardwebhooks.webhooks import Webhook as StandardWebhook
from svix.webhooks import Webhook as SvixWebhook
from svix.webhooks import WebhookVerificationError

from conftest import SECRET_KEY, unique

route = pytest.mark.route
EXT = "/_ext/webhooks"
DELIVERY_TIMEOUT_S = 20  # the worker is woken by the commit; this is only a bound
QUIET_S = 1.0  # how long "nothing more arrives" is watched for
NOW_MS_FLOOR = 1_600_000_000_000


# ---------------------------------------------------------------------------------------------
# the receiver


class Message:
    def __init__(self, path: str, headers: dict[str, str], body: bytes):
        self.path = path
        self.headers = headers  # lower-cased names
        self.body = body
        self.received_at = time.time()
        self.event = json.loads(body)

    @property
    def svix_id(self) -> str:
        return self.headers.get("svix-id", "")

    @property
    def type(self) -> str:
        return self.event.get("type", "")

    @property
    def data(self):
        return self.event.get("data")

    def __repr__(self):
        return f"<{self.svix_id} {self.type} {str(self.data)[:120]}>"


class Receiver:
    """An HTTP server on 127.0.0.1 that answers every POST with 200 and records it."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Message] = []
        self.bad: list[str] = []  # requests that were not a JSON POST
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    msg = Message(self.path, headers, body)
                except ValueError as e:
                    with receiver.lock:
                        receiver.bad.append(f"{self.path}: body is not JSON ({e}): {body[:200]!r}")
                else:
                    with receiver.lock:
                        receiver.messages.append(msg)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def snapshot(self, path: str | None = None) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if path is None or m.path == path]

    def wait_for(self, what: str, match, path: str, timeout: float = DELIVERY_TIMEOUT_S) -> Message:
        """The first message to `path` that `match` accepts; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for m in self.snapshot(path):
                if match(m):
                    return m
            if time.monotonic() > deadline:
                got = [repr(m) for m in self.snapshot(path)[-8:]]
                pytest.fail(f"no {what} arrived within {timeout}s; the last ones: {got}", pytrace=False)
            time.sleep(0.02)

    def close(self):
        self._server.shutdown()


class Endpoint:
    """A registered endpoint on the receiver (its own path) and every secret it has had."""

    def __init__(self, api: httpx.Client, receiver: Receiver, body: dict):
        self.api = api
        self.receiver = receiver
        self.path = "/hook/" + uuid.uuid4().hex[:8]
        r = api.post(f"{EXT}/endpoints", json={"url": receiver.origin + self.path, **body})
        assert r.status_code == 200, r.text
        assert r.headers.get("content-type") == "application/json", r.headers
        self.obj = r.json()
        self.id = self.obj["id"]
        self.secrets = [self.obj["secret"]]
        self.consumed: set[int] = set()  # id() of the messages next() returned

    def messages(self) -> list[Message]:
        return self.receiver.snapshot(self.path)

    def next(self, what: str, match, timeout: float = DELIVERY_TIMEOUT_S) -> Message:
        """The first message not returned before that `match` accepts (messages of one
        transaction are sent at once and may arrive in any order)."""
        msg = self.receiver.wait_for(what, lambda m: id(m) not in self.consumed and match(m), self.path, timeout)
        self.consumed.add(id(msg))
        verify(msg, self.secrets)
        return msg

    def delete(self):
        self.api.delete(f"{EXT}/endpoints/{self.id}")


def verify(msg: Message, secrets_: list[str]) -> str:
    """Checks the message with Svix's verifier and with standardwebhooks (its headers renamed to
    `webhook-*`); returns the secret it verified with. Every signature in the header must be one
    of ours, and the timestamp the attempt's."""
    sig = msg.headers.get("svix-signature", "")
    ts = msg.headers.get("svix-timestamp", "")
    assert msg.svix_id.startswith("msg_"), msg.headers
    assert ts.isdigit() and abs(int(ts) - time.time()) < 300, f"svix-timestamp {ts!r}"
    assert msg.headers.get("content-type") == "application/json", msg.headers
    verified = None
    for secret in secrets_:
        try:
            SvixWebhook(secret).verify(msg.body, msg.headers)
        except WebhookVerificationError:
            continue
        std_headers = {"webhook-id": msg.svix_id, "webhook-timestamp": ts, "webhook-signature": sig}
        parsed = StandardWebhook(secret).verify(msg.body, std_headers)  # raises if not
        assert parsed == msg.event
        verified = secret
        break
    assert verified is not None, f"{msg!r} verifies with none of the endpoint's secrets; svix-signature {sig!r}"
    # No signature in the header that is not ours: each `v1,<base64>` is HMAC-SHA256 of
    # id.timestamp.body under one of the secrets.
    signed = f"{msg.svix_id}.{ts}.".encode() + msg.body
    ours = {base64.b64encode(hmac.new(base64.b64decode(s[len("whsec_"):]), signed, hashlib.sha256).digest()).decode()
            for s in secrets_}
    for part in sig.split(" "):
        version, _, value = part.partition(",")
        assert version == "v1" and value in ours, f"signature {part!r} of {msg!r} is not made with a secret of ours"
    return verified


def assert_envelope(msg: Message, event_type: str):
    ev = msg.event
    assert list(ev) == ["data", "event_attributes", "instance_id", "object", "timestamp", "type"], list(ev)
    assert ev["object"] == "event" and ev["type"] == event_type, ev
    assert ev["instance_id"].startswith("ins_"), ev["instance_id"]
    assert isinstance(ev["timestamp"], int) and ev["timestamp"] > NOW_MS_FLOOR
    assert abs(ev["timestamp"] - time.time() * 1000) < 120_000, ev["timestamp"]
    req = ev["event_attributes"]["http_request"]
    assert set(req) == {"client_ip", "user_agent"}, req
    assert msg.headers.get("user-agent", "").startswith("Svix-Webhooks/"), msg.headers


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {SECRET_KEY}"},
                      timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture(scope="module")
def endpoint(api, receiver):
    """One endpoint for every event type, for the whole module."""
    ep = Endpoint(api, receiver, {"description": "conformance"})
    yield ep
    ep.delete()


def sdk_user_agent() -> str:
    from clerk_backend_api import _version

    return _version.__user_agent__


def user_event(endpoint: Endpoint, event_type: str, user_id: str) -> Message:
    msg = endpoint.next(f"{event_type} of {user_id}",
                        lambda m: m.type == event_type and isinstance(m.data, dict) and m.data.get("id") == user_id)
    assert_envelope(msg, event_type)
    return msg


def assert_same_as_get(raw, msg: Message, path: str, what: str):
    got = raw.get(path)
    assert got.status_code == 200, got.text
    current = got.json()
    if msg.data != current:
        diff = {k: (msg.data.get(k), current.get(k)) for k in sorted(set(msg.data) | set(current))
                if msg.data.get(k) != current.get(k)}
        pytest.fail(f"{what}: the event's data differs from GET {path} right after, "
                    f"(event, GET) per key: {json.dumps(diff)[:1500]}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# the endpoint API


def test_endpoint_api(api, receiver):
    r = api.post(f"{EXT}/endpoints", json={"url": receiver.origin + "/api-test", "filter_types": ["user.deleted"],
                                           "description": "api test", "disabled": True})
    assert r.status_code == 200, r.text
    ep = r.json()
    assert ep["object"] == "webhook_endpoint" and ep["id"].startswith("ep_")
    assert ep["url"] == receiver.origin + "/api-test" and ep["description"] == "api test"
    assert ep["filter_types"] == ["user.deleted"] and ep["disabled"] is True
    assert ep["secret"].startswith("whsec_") and len(base64.b64decode(ep["secret"][6:])) >= 24
    assert ep["created_at"] > NOW_MS_FLOOR and ep["updated_at"] == ep["created_at"]
    assert api.get(f"{EXT}/endpoints/{ep['id']}").json() == ep
    listed = api.get(f"{EXT}/endpoints").json()
    assert ep["id"] in [e["id"] for e in listed["data"]] and listed["total_count"] >= 1
    r = api.patch(f"{EXT}/endpoints/{ep['id']}", json={"description": "changed", "filter_types": None})
    assert r.status_code == 200, r.text
    assert r.json()["description"] == "changed" and r.json()["filter_types"] is None
    assert r.json()["secret"] == ep["secret"] and r.json()["disabled"] is True
    attempts = api.get(f"{EXT}/endpoints/{ep['id']}/attempts").json()
    assert attempts == {"data": [], "total_count": 0}, attempts
    r = api.post(f"{EXT}/endpoints", json={"url": "not a url"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"], r.text
    r = api.post(f"{EXT}/endpoints", json={"url": receiver.origin + "/x", "secret": "whsec_c2hvcnQ="})
    assert r.status_code == 422, r.text
    r = api.delete(f"{EXT}/endpoints/{ep['id']}")
    assert r.status_code == 200 and r.json() == {"object": "webhook_endpoint", "id": ep["id"], "deleted": True}, r.text
    r = api.get(f"{EXT}/endpoints/{ep['id']}")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "resource_not_found", r.text


# ---------------------------------------------------------------------------------------------
# users


def test_user_lifecycle_events(sdk, raw, endpoint):
    addr = f"{unique('wh')}@example.com"
    u = sdk.users.create(email_address=[addr], first_name="Ada", skip_password_requirement=True)
    created = user_event(endpoint, "user.created", u.id)
    req = created.event["event_attributes"]["http_request"]
    assert req["client_ip"] == "127.0.0.1" and req["user_agent"] == sdk_user_agent(), req
    assert_same_as_get(raw, created, f"/users/{u.id}", "user.created")
    assert created.data["email_addresses"][0]["email_address"] == addr

    steps = [
        ("update", lambda: sdk.users.update(user_id=u.id, first_name="Grace", last_name="Hopper"),
         lambda d: d["first_name"] == "Grace" and d["last_name"] == "Hopper"),
        ("update metadata", lambda: sdk.users.update_metadata(user_id=u.id, public_metadata={"plan": "pro"},
                                                              private_metadata={"n": 1}),
         lambda d: d["public_metadata"] == {"plan": "pro"} and d["private_metadata"] == {"n": 1}),
        ("ban", lambda: sdk.users.ban(user_id=u.id), lambda d: d["banned"] is True),
        ("unban", lambda: sdk.users.unban(user_id=u.id), lambda d: d["banned"] is False),
        ("lock", lambda: sdk.users.lock(user_id=u.id), lambda d: d["locked"] is True),
        ("unlock", lambda: sdk.users.unlock(user_id=u.id), lambda d: d["locked"] is False),
    ]
    for name, operation, shows in steps:
        operation()
        msg = user_event(endpoint, "user.updated", u.id)
        assert shows(msg.data), f"{name}: user.updated does not show the change: {json.dumps(msg.data)[:800]}"
        assert_same_as_get(raw, msg, f"/users/{u.id}", f"user.updated after {name}")

    deleted = sdk.users.delete(user_id=u.id)
    assert deleted.deleted is True
    msg = user_event(endpoint, "user.deleted", u.id)
    assert msg.data == {"deleted": True, "id": u.id, "object": "user"}, msg.data

    time.sleep(QUIET_S)  # anything sent twice would be here by now
    mine = [m for m in endpoint.messages() if isinstance(m.data, dict) and m.data.get("id") == u.id]
    assert [m.type for m in mine] == ["user.created"] + ["user.updated"] * len(steps) + ["user.deleted"], mine


def test_refused_change_sends_nothing(sdk, endpoint):
    addr = f"{unique('taken')}@example.com"
    first = sdk.users.create(email_address=[addr], skip_password_requirement=True)
    user_event(endpoint, "user.created", first.id)
    with pytest.raises(models.ClerkErrors) as ei:
        sdk.users.create(email_address=[addr], first_name="Second", skip_password_requirement=True)
    assert ei.value.status_code == 422
    other = sdk.users.create(email_address=[f"{unique('after')}@example.com"], skip_password_requirement=True)
    user_event(endpoint, "user.created", other.id)  # sent after the refused one would have been
    time.sleep(QUIET_S)
    with_addr = [m for m in endpoint.messages() if addr.encode() in m.body]
    assert [(m.type, m.data["id"]) for m in with_addr] == [("user.created", first.id)], with_addr


# ---------------------------------------------------------------------------------------------
# organizations


def org_event(endpoint: Endpoint, event_type: str, object_id: str) -> Message:
    msg = endpoint.next(f"{event_type} of {object_id}",
                        lambda m: m.type == event_type and isinstance(m.data, dict) and m.data.get("id") == object_id)
    assert_envelope(msg, event_type)
    return msg


@route("POST", "/organizations")
@route("POST", "/organizations/{organization_id}/memberships")
@route("POST", "/organizations/{organization_id}/invitations")
def test_organization_events(sdk, raw, new_user, endpoint):
    owner, member = new_user(), new_user()
    org = sdk.organizations.create(request={"name": unique("Hooks "), "created_by": owner.id})
    msg = org_event(endpoint, "organization.created", org.id)
    assert msg.data["object"] == "organization" and msg.data["created_by"] == owner.id
    assert_same_as_get(raw, msg, f"/organizations/{org.id}", "organization.created")
    # The creator becomes its admin: a membership event of its own.
    admin = endpoint.next("organizationMembership.created of the creator",
                          lambda m: m.type == "organizationMembership.created"
                          and (m.data.get("organization") or {}).get("id") == org.id)
    assert_envelope(admin, "organizationMembership.created")
    assert admin.data["object"] == "organization_membership" and admin.data["id"].startswith("orgmem_")
    assert admin.data["role"] == "org:admin" and admin.data["public_user_data"]["user_id"] == owner.id

    sdk.organizations.update(organization_id=org.id, name="Renamed " + unique())
    msg = org_event(endpoint, "organization.updated", org.id)
    assert msg.data["name"].startswith("Renamed ")
    assert_same_as_get(raw, msg, f"/organizations/{org.id}", "organization.updated")

    mem = sdk.organization_memberships.create(organization_id=org.id, user_id=member.id, role="org:member")
    msg = org_event(endpoint, "organizationMembership.created", mem.id)
    assert msg.data["object"] == "organization_membership" and msg.data["role"] == "org:member"
    assert msg.data["organization"]["id"] == org.id and msg.data["public_user_data"]["user_id"] == member.id
    listed = raw.get(f"/organizations/{org.id}/memberships", params={"limit": 100}).json()["data"]
    assert [m for m in listed if m["id"] == mem.id] == [msg.data], "membership event differs from the listing"

    sdk.organization_memberships.update(organization_id=org.id, user_id=member.id, role="org:admin")
    msg = org_event(endpoint, "organizationMembership.updated", mem.id)
    assert msg.data["role"] == "org:admin" and msg.data["object"] == "organization_membership"

    sdk.organization_memberships.delete(organization_id=org.id, user_id=member.id)
    msg = org_event(endpoint, "organizationMembership.deleted", mem.id)
    assert msg.data["object"] == "organization_membership" and msg.data["public_user_data"]["user_id"] == member.id

    addr = f"{unique('inv')}@example.com"
    inv = sdk.organization_invitations.create(organization_id=org.id, email_address=addr, role="org:member",
                                              inviter_user_id=owner.id)
    msg = org_event(endpoint, "organizationInvitation.created", inv.id)
    assert msg.data["object"] == "organization_invitation" and msg.data["status"] == "pending"
    assert msg.data["email_address"] == addr and msg.data["organization_id"] == org.id, msg.data
    assert_same_as_get(raw, msg, f"/organizations/{org.id}/invitations/{inv.id}", "organizationInvitation.created")

    sdk.organization_invitations.revoke(organization_id=org.id, invitation_id=inv.id, requesting_user_id=owner.id)
    msg = org_event(endpoint, "organizationInvitation.revoked", inv.id)
    assert msg.data["object"] == "organization_invitation" and msg.data["status"] == "revoked"
    assert_same_as_get(raw, msg, f"/organizations/{org.id}/invitations/{inv.id}", "organizationInvitation.revoked")

    sdk.organizations.delete(organization_id=org.id)
    msg = org_event(endpoint, "organization.deleted", org.id)
    assert msg.data == {"deleted": True, "id": org.id, "object": "organization"}, msg.data


# ---------------------------------------------------------------------------------------------
# filters, rotation, the attempt log, and every message so far


def test_filter_types_and_disabled(api, sdk, receiver, endpoint):
    only_deleted = Endpoint(api, receiver, {"filter_types": ["user.deleted"]})
    disabled = Endpoint(api, receiver, {"disabled": True})
    try:
        u = sdk.users.create(email_address=[f"{unique('f')}@example.com"], skip_password_requirement=True)
        sdk.users.update(user_id=u.id, first_name="Filtered")
        sdk.users.delete(user_id=u.id)
        msg = only_deleted.next("user.deleted on the filtered endpoint", lambda m: m.data.get("id") == u.id)
        assert msg.type == "user.deleted"
        everything = user_event(endpoint, "user.deleted", u.id)  # the catch-all got the rest before it
        assert everything.svix_id == msg.svix_id, "one message, one svix-id to every endpoint"
        assert everything.body == msg.body
        time.sleep(QUIET_S)
        assert [m.type for m in only_deleted.messages()] == ["user.deleted"], only_deleted.messages()
        assert disabled.messages() == [], disabled.messages()
    finally:
        only_deleted.delete()
        disabled.delete()


def test_rotated_secret_signs_beside_the_old_one(api, sdk, receiver):
    ep = Endpoint(api, receiver, {})
    try:
        old = ep.secrets[0]
        r = api.post(f"{EXT}/endpoints/{ep.id}/rotate_secret", json={})
        assert r.status_code == 200, r.text
        new = r.json()["secret"]
        assert new.startswith("whsec_") and new != old
        assert api.get(f"{EXT}/endpoints/{ep.id}").json()["secret"] == new
        ep.secrets.append(new)
        u = sdk.users.create(email_address=[f"{unique('rot')}@example.com"], skip_password_requirement=True)
        msg = ep.next("user.created after rotation", lambda m: m.data.get("id") == u.id)
        assert len(msg.headers["svix-signature"].split(" ")) == 2, msg.headers["svix-signature"]
        for secret in (old, new):
            SvixWebhook(secret).verify(msg.body, msg.headers)
            StandardWebhook(secret).verify(msg.body, {"webhook-id": msg.svix_id,
                                                      "webhook-timestamp": msg.headers["svix-timestamp"],
                                                      "webhook-signature": msg.headers["svix-signature"]})
        with pytest.raises(WebhookVerificationError):
            SvixWebhook("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()).verify(msg.body, msg.headers)

        # A key of one's own: it signs beside the one it replaces, and the first one is gone.
        own = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        r = api.post(f"{EXT}/endpoints/{ep.id}/rotate_secret", json={"key": own})
        assert r.status_code == 200 and r.json()["secret"] == own, r.text
        ep.secrets.append(own)
        sdk.users.update(user_id=u.id, first_name="Rotated")
        msg = ep.next("user.updated after the second rotation", lambda m: m.type == "user.updated")
        SvixWebhook(own).verify(msg.body, msg.headers)
        SvixWebhook(new).verify(msg.body, msg.headers)
        with pytest.raises(WebhookVerificationError):
            SvixWebhook(old).verify(msg.body, msg.headers)
    finally:
        ep.delete()


def test_attempt_log_matches_what_arrived(api, sdk, endpoint):
    u = sdk.users.create(email_address=[f"{unique('log')}@example.com"], skip_password_requirement=True)
    msg = user_event(endpoint, "user.created", u.id)
    deadline = time.monotonic() + DELIVERY_TIMEOUT_S
    while True:  # the attempt is recorded just after the answer arrives
        log = api.get(f"{EXT}/endpoints/{endpoint.id}/attempts", params={"limit": 500}).json()
        received = endpoint.messages()
        if log["total_count"] == len(received) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert log["total_count"] == len(received), (log["total_count"], len(received))
    ours = [a for a in log["data"] if a["message_id"] == msg.svix_id]
    assert len(ours) == 1, ours
    a = ours[0]
    assert a["event_type"] == "user.created" and a["status"] == "succeeded", a
    assert a["response_status_code"] == 200 and a["response"] == "ok", a
    assert a["delivery_status"] == "succeeded" and a["next_attempt_at"] is None, a
    assert a["started_at"] <= a["finished_at"], a
    assert sorted(x["message_id"] for x in log["data"]) == sorted(m.svix_id for m in received)


def test_every_message_verifies_with_distinct_ids_and_one_instance(sdk, receiver, endpoint):
    u = sdk.users.create(email_address=[f"{unique('all')}@example.com"], skip_password_requirement=True)
    user_event(endpoint, "user.created", u.id)
    time.sleep(QUIET_S)
    every = receiver.snapshot()
    assert receiver.bad == [], receiver.bad
    # A message keeps its svix-id to every endpoint it goes to (as with Svix); to one endpoint,
    # each id comes once (the receiver always answered 200: nothing was retried).
    for path in {m.path for m in every}:
        ids = [m.svix_id for m in every if m.path == path]
        assert len(ids) == len(set(ids)), f"{path}: svix-id sent twice: {[i for i in ids if ids.count(i) > 1][:5]}"
    instances = {m.event.get("instance_id") for m in every}
    assert len(instances) == 1 and next(iter(instances)).startswith("ins_"), instances
    for m in endpoint.messages():
        verify(m, endpoint.secrets)
        assert m.type in {
            "user.created", "user.updated", "user.deleted",
            "organization.created", "organization.updated", "organization.deleted",
            "organizationMembership.created", "organizationMembership.updated", "organizationMembership.deleted",
            "organizationInvitation.created", "organizationInvitation.revoked",
        }, m
