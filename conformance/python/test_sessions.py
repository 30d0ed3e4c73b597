"""Sessions, session tokens, the JWKS and JWT templates through the official Python SDK, and a
minted token verified the way an application's backend verifies it: with the SDK's own
`verify_token` (which fetches `/v1/jwks`), with `authenticate_request` given the key as PEM, and
with PyJWT directly (signature, issuer, expiry, no audience). Every response is checked against
Clerk's spec (conftest.Recorder).
"""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from clerk_backend_api import models
from clerk_backend_api.security.types import (
    AuthenticateRequestOptions,
    AuthStatus,
    VerifyTokenOptions,
)
from clerk_backend_api.security.verifytoken import verify_token
from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

from conftest import SECRET_KEY, unique
from test_users import clerk_error


@pytest.fixture
def user(new_user):
    return new_user()


@pytest.fixture
def session(sdk, user):
    return sdk.sessions.create(request={"user_id": user.id})


def issuer(server) -> str:
    return server.base_url.removesuffix("/v1")


def key_for(jwks: models.JWKS, token: str):
    kid = jwt.get_unverified_header(token)["kid"]
    [key] = [k for k in jwks.keys if k.kid == kid]
    return RSAAlgorithm.from_jwk(key.model_dump(by_alias=True, exclude_none=True))


def test_create_get_list_revoke(sdk, user, session):
    assert session.object == models.SessionObject.SESSION
    assert session.user_id == user.id
    assert session.status == models.Status.ACTIVE
    assert session.client_id.startswith("client_")
    assert session.expire_at > session.created_at

    assert sdk.sessions.get(session_id=session.id) == session
    listed = sdk.sessions.list(user_id=user.id)
    assert [s.id for s in listed] == [session.id]
    assert [s.id for s in sdk.sessions.list(client_id=session.client_id)] == [session.id]
    assert sdk.users.get(user_id=user.id).last_sign_in_at == session.created_at

    revoked = sdk.sessions.revoke(session_id=session.id)
    assert revoked.status == models.Status.REVOKED
    assert sdk.sessions.list(user_id=user.id, status=models.QueryParamStatus.ACTIVE) == []
    assert [s.id for s in sdk.sessions.list(user_id=user.id, status=models.QueryParamStatus.REVOKED)] == [session.id]


def test_missing_session_and_user(sdk):
    with pytest.raises(models.ClerkErrors) as exc:
        sdk.sessions.get(session_id="sess_missing")
    clerk_error(exc, 404, "resource_not_found")
    with pytest.raises(models.ClerkErrors) as exc:
        sdk.sessions.create(request={"user_id": "user_missing"})
    clerk_error(exc, 404, "resource_not_found")


def test_banned_user_sessions_are_revoked_and_new_ones_refused(sdk, user, session):
    sdk.users.ban(user_id=user.id)
    assert sdk.sessions.get(session_id=session.id).status == models.Status.REVOKED
    with pytest.raises(models.SDKError) as exc:
        sdk.sessions.create(request={"user_id": user.id})
    assert exc.value.status_code == 403
    assert "user_banned" in exc.value.body


def test_minted_token_verifies_against_the_jwks(sdk, server, user, session):
    token = sdk.sessions.create_token(session_id=session.id).jwt
    jwks = sdk.jwks.get_jwks()
    assert jwks.keys, "the JWKS lists the instance's key"

    # As PyJWT checks it: RS256 signature by the key the header names, issuer, expiry.
    claims = jwt.decode(
        token,
        key_for(jwks, token),
        algorithms=["RS256"],
        issuer=issuer(server),
        options={"require": ["exp", "iat", "nbf", "iss", "sub"], "verify_aud": False},
    )
    assert claims["sub"] == user.id
    assert claims["sid"] == session.id
    assert claims["exp"] - claims["iat"] == 60
    assert "aud" not in claims

    # As the SDK's verify_token checks it, fetching /v1/jwks from this server.
    verified = verify_token(token, VerifyTokenOptions(secret_key=SECRET_KEY, api_url=issuer(server)))
    assert verified["sid"] == session.id

    # As authenticate_request checks an incoming request, given the key as PEM.
    pem = key_for(jwks, token).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    request = httpx.Request("GET", "https://app.example.com/api", headers={"Authorization": f"Bearer {token}"})
    state = sdk.authenticate_request(request, AuthenticateRequestOptions(jwt_key=pem))
    assert state.status == AuthStatus.SIGNED_IN, state.reason
    assert state.payload["sub"] == user.id

    # A revoked session mints nothing more.
    sdk.sessions.revoke(session_id=session.id)
    with pytest.raises(models.ClerkErrors) as exc:
        sdk.sessions.create_token(session_id=session.id)
    clerk_error(exc, 404, "resource_not_found")


def test_expired_token_is_refused(sdk, server, session):
    token = sdk.sessions.create_token(session_id=session.id, expires_in_seconds=30).jwt
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 30
    jwks = sdk.jwks.get_jwks()
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(
            token,
            key_for(jwks, token),
            algorithms=["RS256"],
            issuer=issuer(server),
            options={"verify_aud": False, "verify_iat": False, "verify_nbf": False},
            leeway=-31,  # as if 31 s had passed
        )


def test_jwt_templates_and_template_tokens(sdk, raw, server, user, session):
    name = unique("tpl")
    # The SDK's claims model has no fields, so it sends `claims` empty (and reads it back
    # empty): the template is created over plain HTTP, everything else through the SDK.
    claims = {"aud": "my-api", "email": "{{user.primary_email_address}}", "uid": "{{user.id}}"}
    created = raw.post("/jwt_templates", json={"name": name, "claims": claims, "lifetime": 300})
    assert created.status_code == 200, created.text
    assert created.json()["claims"] == claims
    template = sdk.jwt_templates.get(template_id=created.json()["id"])
    assert template.name == name
    assert template.lifetime == 300
    assert template.id in [t.id for t in sdk.jwt_templates.list()]

    token = sdk.sessions.create_token_from_template(session_id=session.id, template_name=name).jwt
    jwks = sdk.jwks.get_jwks()
    claims = jwt.decode(
        token, key_for(jwks, token), algorithms=["RS256"], issuer=issuer(server), audience="my-api"
    )
    assert claims["uid"] == user.id
    assert claims["email"] == user.email_addresses[0].email_address
    assert claims["exp"] - claims["iat"] == 300

    updated = sdk.jwt_templates.update(template_id=template.id, name=name, claims={"v": 2}, lifetime=60)
    assert updated.lifetime == 60
    with pytest.raises(models.ClerkErrors) as exc:
        sdk.jwt_templates.create(request={"name": name, "claims": {}})
    clerk_error(exc, 422, "form_identifier_exists")
    deleted = sdk.jwt_templates.delete(template_id=template.id)
    assert deleted.deleted is True


def test_refresh_returns_a_new_token(sdk, server, session):
    old = sdk.sessions.create_token(session_id=session.id).jwt
    time.sleep(1)  # a new iat
    refreshed = sdk.sessions.refresh(
        session_id=session.id,
        expired_token=old,
        refresh_token="from-the-refresh-cookie",
        request_origin="https://app.example.com",
    )
    claims = jwt.decode(
        refreshed.jwt,
        key_for(sdk.jwks.get_jwks(), refreshed.jwt),
        algorithms=["RS256"],
        issuer=issuer(server),
        options={"verify_aud": False},
    )
    assert claims["sid"] == session.id
    assert claims["azp"] == "https://app.example.com"
