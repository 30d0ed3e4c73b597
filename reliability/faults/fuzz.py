"""Schema fuzzing: schemathesis against every `/users`, `/organizations`, `/sessions`, `/jwks`,
`/jwt_templates`, `/email_addresses` and `/phone_numbers` operation of Clerk's spec that
`clerk serve` implements, on a seeded database, with the checks

- not_a_server_error (and the status histogram must hold no 5xx),
- content_type_conformance and exact_json_content_type (exactly `application/json`),
- response_schema_conformance and clerk_spec_oracle (every response valid against the spec's
  schema for its status; the project's oracle also wants the ClerkErrors envelope on error
  statuses the spec leaves undocumented),
- paginated_list_shape (the one documented difference from the spec, see patched_spec).

Path parameters are drawn from the seeded rows (schemathesis "dictionaries"), so requests reach
real users, organizations, memberships, invitations, wallets, passkeys, external accounts,
trusted devices, sessions and JWT templates, not only 404s; now and then schemathesis generates its own value instead.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time

import httpx
import yaml

from .server import REPO_ROOT, Database, Server, Violation, Workdir, expect_status

SPEC_PATH = os.path.join(REPO_ROOT, "crates", "clerk-spec", "clerk-bapi-openapi.yml")
VENV_BIN = os.path.dirname(sys.executable)
MAX_EXAMPLES = int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", "40"))
# Wall-clock bound of one schemathesis run (a store); past it the run is killed and fails.
FUZZ_TIMEOUT_S = int(os.environ.get("RELIABILITY_FUZZ_TIMEOUT", "300"))
# How often a path parameter comes from the seeded rows rather than from the generator.
REAL_ID_PROBABILITY = 0.9
REAL_BODY_PROBABILITY = 0.5
CHECKS = ("not_a_server_error,content_type_conformance,response_schema_conformance,"
          "exact_json_content_type,clerk_spec_oracle,paginated_list_shape")

# Operations the server implemented when this suite was written (the README's list). Each must be
# detected as implemented: a routing regression must not silently shrink what is fuzzed.
KNOWN_IMPLEMENTED = {
    "GetUserList", "CreateUser", "GetUsersCount", "GetUser", "UpdateUser", "DeleteUser",
    "UpdateUserMetadata", "ReplaceUserMetadata", "BanUser", "UnbanUser", "UsersBan", "UsersUnban",
    "LockUser", "UnlockUser", "VerifyPassword", "VerifyTOTP", "DeleteTOTP", "DeleteBackupCode",
    "DisableMFA", "RemoveUserPassword", "SetUserPasswordCompromised", "UnsetUserPasswordCompromised",
    "SetUserProfileImage", "DeleteUserProfileImage", "ReplaceUserEmailAddress", "ReplaceUserPhoneNumber",
    "UserWeb3WalletDelete", "UserPasskeyDelete", "DeleteExternalAccount", "ListUserTrustedDevices",
    "RevokeUserTrustedDevice", "GetOAuthAccessToken", "GetUserBillingSubscription",
    "GetUserBillingCreditBalance", "AdjustUserBillingCreditBalance", "UsersGetOrganizationMemberships",
    "UsersGetOrganizationInvitations", "ListOrganizations", "CreateOrganization", "GetOrganization",
    "UpdateOrganization", "DeleteOrganization", "MergeOrganizationMetadata",
    "ReplaceOrganizationMetadata", "CreateOrganizationMembership", "ListOrganizationMemberships",
    "UpdateOrganizationMembership", "DeleteOrganizationMembership",
    "UpdateOrganizationMembershipMetadata", "CreateOrganizationInvitation",
    "ListOrganizationInvitations", "GetOrganizationInvitation", "RevokeOrganizationInvitation",
    "GetSessionList", "createSession", "GetSession", "RefreshSession", "RevokeSession",
    "CreateSessionToken", "CreateSessionTokenFromTemplate", "GetJWKS", "ListJWTTemplates",
    "CreateJWTTemplate", "GetJWTTemplate", "UpdateJWTTemplate", "DeleteJWTTemplate",
    "CreateEmailAddress", "GetEmailAddress", "UpdateEmailAddress", "DeleteEmailAddress",
    "CreatePhoneNumber", "GetPhoneNumber", "UpdatePhoneNumber", "DeletePhoneNumber",
}

# The spec paths fuzzed: the Users API and the resources that hang off a user.
FUZZED_PREFIXES = ("/users", "/organizations", "/sessions", "/jwks", "/jwt_templates",
                   "/email_addresses", "/phone_numbers")


# Spec operations whose path another route of the server matches, so the probe below cannot
# tell them apart: GET /organizations/{id}/invitations/pending reaches the route
# /invitations/{invitation_id} (an invitation "pending", not found). Not fuzzed.
SHADOWED = {"ListPendingOrganizationInvitations"}

# ---------------------------------------------------------------------------------------------
# which operations the server implements


def spec_operations() -> list[tuple[str, str, str]]:
    """(METHOD, path template, operationId) of every operation under FUZZED_PREFIXES."""
    with open(SPEC_PATH, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    ops = []
    for path, item in doc["paths"].items():
        if not path.startswith(FUZZED_PREFIXES):
            continue
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                ops.append((method.upper(), path, op["operationId"]))
    return ops


def implemented_operations(client: httpx.Client) -> tuple[list[str], list[str]]:
    """Asks the server which spec operations it routes. A request with ids that name nothing and
    a body no handler accepts (`[]`, so nothing is created or changed) is compared with the
    answer to a path that cannot exist: 405, or the very same 404 as that path, means the route
    does not exist."""

    def shape(resp: httpx.Response):
        try:
            body = resp.json()
        except ValueError:
            body = None
        errors = body.get("errors") if isinstance(body, dict) else None
        return resp.status_code, json.dumps(errors, sort_keys=True)

    fallback = shape(client.get("/faults_no_such_route/x", headers={"Connection": "close"}))
    implemented, missing = [], []
    for method, template, op_id in spec_operations():
        path = re.sub(r"\{[^}]+\}", "faults_probe_missing", template)
        # One connection per probe: some handlers ignore the body, and the server may then
        # close the keep-alive connection after answering, without `Connection: close`.
        resp = client.request(method, path, content=b"[]",
                              headers={"Content-Type": "application/json", "Connection": "close"})
        if op_id in SHADOWED or resp.status_code == 405 or shape(resp) == fallback:
            missing.append(op_id)
        else:
            implemented.append(op_id)
    return implemented, missing


# ---------------------------------------------------------------------------------------------
# seed data


def seed(client: httpx.Client) -> dict[str, list[str]]:
    """Creates users (through the import extension, so they have every kind of identity and
    credential) and organizations with memberships and invitations. Returns the dictionaries of
    real ids for the path parameters."""
    tag = secrets.token_hex(3)
    records = []
    for n in range(24):
        records.append({
            "email_addresses": [{"email_address": f"seed{n}-{tag}@example.com"}],
            "phone_numbers": [{"phone_number": f"+1555{n:07d}"}],
            "web3_wallets": [{"web3_wallet": "0x" + secrets.token_hex(20)}],
            "username": f"seed{n}_{tag}",
            "external_id": f"ext-{n}-{tag}",
            "first_name": f"Seed{n}",
            "password": f"correct horse battery {n}",
            "totp_secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "backup_codes": [f"code-{n}-a", f"code-{n}-b"],
            "public_metadata": {"n": n},
            "external_accounts": [{
                "provider": "oauth_google", "provider_user_id": f"g-{n}-{tag}",
                "email_address": f"seed{n}-{tag}@gmail.example",
                "oauth_token": {"access_token": f"at-{n}", "expires_at": None, "scopes": ["email"]},
            }],
            "passkeys": [{"name": f"key {n}"}],
            "trusted_devices": [{"platform": "ios", "app_identifier": "com.example.app",
                                 "name": f"phone {n}", "algorithm": "ES256"}],
        })
    result = expect_status(client.post("/_ext/import/users", json={"users": records}), 200, "seed import")
    if result.get("failed"):
        raise Violation(f"seed import failed: {json.dumps(result)[:600]}")
    ids = [r["id"] for r in result["results"]]
    users = ids[:16]  # kept: every operation but DELETE /users/{id} uses these
    doomed_users = ids[16:]  # DELETE /users/{id} deletes these
    wallets, passkeys, accounts, devices, email_ids, phone_ids = [], [], [], [], [], []
    for uid in users:
        u = expect_status(client.get(f"/users/{uid}"), 200, "seed read-back")
        email_ids += [e["id"] for e in u.get("email_addresses", [])]
        phone_ids += [p["id"] for p in u.get("phone_numbers", [])]
        wallets += [w["id"] for w in u.get("web3_wallets", [])]
        passkeys += [p["id"] for p in u.get("passkeys", [])]
        accounts += [a["id"] for a in u.get("external_accounts", [])]
        td = client.get(f"/users/{uid}/trusted_devices")
        if td.status_code == 200:
            body = td.json()
            items = body.get("data", body) if isinstance(body, dict) else body
            devices += [d["id"] for d in items]

    orgs = []
    for n in range(8):
        org = expect_status(client.post("/organizations", json={
            "name": f"Seed org {n}", "slug": f"seed-org-{n}-{tag}", "created_by": users[n],
            "public_metadata": {"n": n}}), 200, "seed organization")
        orgs.append(org["id"])
    kept_orgs, doomed_orgs = orgs[:5], orgs[5:]
    # Every member user is a member of every member org, so any pair drawn names a membership.
    member_orgs, members = kept_orgs[:3], users[8:14]
    for org in member_orgs:
        for uid in members:
            r = client.post(f"/organizations/{org}/memberships", json={"user_id": uid, "role": "org:member"})
            if r.status_code not in (200, 422):  # 422: the creator is already a member
                raise Violation(f"seed membership: {r.status_code} {r.text[:300]}")
    # Sessions (a few revoked ones among them) and JWT templates, one with its own key.
    sessions = []
    for uid in users[:6]:
        for _ in range(2):
            sessions.append(expect_status(client.post("/sessions", json={"user_id": uid}), 200, "seed session")["id"])
    for sid in sessions[::4]:
        expect_status(client.post(f"/sessions/{sid}/revoke"), 200, "seed revoke")
    templates, template_names = [], []
    for n, extra in enumerate([{}, {"custom_signing_key": True, "signing_algorithm": "HS256",
                                    "signing_key": "seed shared secret"}, {"lifetime": 3600}]):
        name = f"seed-{n}-{tag}"
        body = {"name": name, "claims": {"email": "{{user.primary_email_address}}",
                                         "meta": "{{user.public_metadata || 'none'}}"}, **extra}
        templates.append(expect_status(client.post("/jwt_templates", json=body), 200, "seed template")["id"])
        template_names.append(name)
    doomed_templates = templates[2:]
    invitation_org = kept_orgs[3]
    invitations = []
    for n in range(8):
        inv = expect_status(client.post(f"/organizations/{invitation_org}/invitations", json={
            "email_address": f"invitee{n}-{tag}@example.com", "role": "org:member"}), 200, "seed invitation")
        invitations.append(inv["id"])
    return {
        "user_ids": users, "doomed_user_ids": doomed_users, "org_ids": kept_orgs,
        "doomed_org_ids": doomed_orgs, "member_org_ids": member_orgs, "member_user_ids": members,
        "invitation_org_ids": [invitation_org], "invitation_ids": invitations,
        "web3_wallet_ids": wallets or ["idn_none"], "passkey_ids": passkeys or ["idn_none"],
        "external_account_ids": accounts or ["eac_none"], "trusted_device_ids": devices or ["td_none"],
        "providers": ["oauth_google"],
        "emails": [f"fuzz{n}-{tag}@example.com" for n in range(400)],
        "roles": ["org:member", "org:admin"],
        "session_ids": sessions, "template_ids": templates[:2], "doomed_template_ids": doomed_templates,
        "template_names": template_names,
        "email_address_ids": email_ids or ["idn_none"], "phone_number_ids": phone_ids or ["idn_none"],
        "phones": [f"+1444{n:07d}" for n in range(400)],
    }


# ---------------------------------------------------------------------------------------------
# the spec, as the server is meant to answer it


# The list responses that take `paginated=true` (see patched_spec).
PAGINATED_LISTS = ("OAuthAccessToken", "Session.List", "JWTTemplate.List")


def patched_spec(path: str) -> None:
    """Writes Clerk's spec with the one documented difference from Clerk's real wire behaviour:
    a list that takes `paginated` (OAuth access tokens, sessions, JWT templates) answers
    `{"data": [...], "total_count": n}` with `paginated=true` (Clerk's JS and Go SDKs send it and
    expect that; the spec only knows the bare array). Both shapes are validated; st_hooks checks
    that the shape follows the `paginated` flag."""
    with open(SPEC_PATH, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    for response in PAGINATED_LISTS:
        media = doc["components"]["responses"][response]["content"]["application/json"]
        bare = media["schema"]
        media["schema"] = {"oneOf": [bare, {
            "type": "object", "additionalProperties": False, "required": ["data", "total_count"],
            "properties": {"data": bare, "total_count": {"type": "integer"}},
        }]}
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


# ---------------------------------------------------------------------------------------------
# schemathesis configuration


def _toml(value) -> str:
    """A TOML value: JSON's strings, numbers and arrays are TOML's too (ASCII ids only here)."""
    return json.dumps(value)


def _binding(key: str, dictionary: str) -> str:
    # Path parameters mostly name real rows; body fields get a real value half of the time.
    probability = REAL_ID_PROBABILITY if key.startswith("path.") else REAL_BODY_PROBABILITY
    return f'"{key}" = {{ dictionary = {_toml(dictionary)}, probability = {probability} }}'


# Every operation that names a path parameter reads it from these rows...
GLOBAL_BINDINGS = {
    "path.user_id": "user_ids",
    "path.organization_id": "org_ids",
    "path.invitation_id": "invitation_ids",
    "path.web3_wallet_identification_id": "web3_wallet_ids",
    "path.passkey_identification_id": "passkey_ids",
    "path.external_account_id": "external_account_ids",
    "path.trusted_device_id": "trusted_device_ids",
    "path.provider": "providers",
    "path.session_id": "session_ids",
    "path.template_id": "template_ids",
    "path.template_name": "template_names",
    "path.email_address_id": "email_address_ids",
    "path.phone_number_id": "phone_number_ids",
}
_MEMBERSHIP = {"path.organization_id": "member_org_ids", "path.user_id": "member_user_ids"}
# ...except where another choice reaches more of the server: deletions take their own rows (so
# the other operations keep finding theirs), membership paths name pairs that are memberships,
# invitation paths name the organization that has them, and bodies get valid emails, roles and
# user ids now and then (the generator alone almost never makes a create succeed).
OPERATION_BINDINGS = {
    "DeleteUser": {"path.user_id": "doomed_user_ids"},
    "DeleteOrganization": {"path.organization_id": "doomed_org_ids"},
    "UpdateOrganizationMembership": {**_MEMBERSHIP, "body.role": "roles"},
    "DeleteOrganizationMembership": _MEMBERSHIP,
    "UpdateOrganizationMembershipMetadata": _MEMBERSHIP,
    "GetOrganizationInvitation": {"path.organization_id": "invitation_org_ids"},
    "RevokeOrganizationInvitation": {"path.organization_id": "invitation_org_ids"},
    "CreateUser": {"body.email_address[*]": "emails"},
    "ReplaceUserEmailAddress": {"body.email_address": "emails"},
    "CreateOrganizationInvitation": {"body.email_address": "emails", "body.role": "roles",
                                     "body.inviter_user_id": "user_ids"},
    "CreateOrganizationMembership": {"body.user_id": "user_ids", "body.role": "roles"},
    "CreateOrganization": {"body.created_by": "user_ids"},
    "createSession": {"body.user_id": "user_ids"},
    "GetSessionList": {"query.user_id": "user_ids"},
    "DeleteJWTTemplate": {"path.template_id": "doomed_template_ids"},
    "CreateEmailAddress": {"body.user_id": "user_ids", "body.email_address": "emails"},
    "CreatePhoneNumber": {"body.user_id": "user_ids", "body.phone_number": "phones"},
}


def config_toml(dicts: dict[str, list[str]]) -> str:
    # No crash cache: schemathesis would otherwise replay earlier runs' failures (and write
    # them into the working tree); every run is the same seeded set of cases.
    lines = ["[cache]", "enabled = false", "", "[generation]", "with-security-parameters = false", ""]
    for name, values in dicts.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}", ""]
    lines.append("[parameters]")
    lines += [_binding(k, v) for k, v in GLOBAL_BINDINGS.items()]
    lines.append("")
    # One block per operation: schemathesis takes an operation's parameters from the first
    # block that matches it (no merging), and falls back to [parameters] for the others.
    for op, params in OPERATION_BINDINGS.items():
        lines += ["[[operations]]", f"include-operation-id = {_toml(op)}", "[operations.parameters]"]
        lines += [_binding(k, v) for k, v in params.items()]
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# the part


def run_schemathesis(work: Workdir, target: str, secret_key: str, operations: list[str],
                     dicts: dict[str, list[str]]) -> tuple[int | None, str, dict]:
    """Runs schemathesis once; returns (exit status or None on timeout, output, request counts)."""
    spec_path = os.path.join(work.path, "clerk-bapi-openapi.yml")
    patched_spec(spec_path)
    config_path = os.path.join(work.path, "schemathesis.toml")
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(config_toml(dicts))
    stats_path = os.path.join(work.path, "fuzz-stats.json")
    log_path = os.path.join(work.path, "schemathesis.log")
    args = [
        os.path.join(VENV_BIN, "schemathesis"), "--config-file", config_path, "--no-color",
        "run", spec_path, "--url", target,
        "--header", f"Authorization: Bearer {secret_key}",
        "--include-operation-id-regex", "^(" + "|".join(map(re.escape, operations)) + ")$",
        "--checks", CHECKS, "--phases", "examples,coverage,fuzzing", "--mode", "all",
        "--max-examples", str(MAX_EXAMPLES),
        # One worker: hypothesis parses lambdas' source with `ast`, and concurrent `ast.parse`
        # in threads can raise "AST constructor recursion depth mismatch" (CPython gh-106905).
        "--workers", "1", "--seed", os.environ.get("RELIABILITY_SEED", "1"),
        "--request-timeout", "30", "--generation-database", "none", "--suppress-health-check", "all",
        "--continue-on-failure", "--warnings", "off",
    ]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="faults.st_hooks", FAULTS_FUZZ_STATS=stats_path,
               FAULTS_SPEC=spec_path, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(log_path, "w", encoding="utf-8") as log:
        try:
            code = subprocess.run(args, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work.path,
                                  timeout=FUZZ_TIMEOUT_S).returncode
        except subprocess.TimeoutExpired:
            code = None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        output = f.read()
    stats = {"statuses": {}, "operations": {}}
    if os.path.exists(stats_path):
        with open(stats_path, encoding="utf-8") as f:
            stats = json.load(f)
    return code, output, stats


def run_store(kind: str, results: list) -> None:
    started = time.monotonic()
    work = Workdir(f"fuzz-{kind}")
    db = Database(kind, work.path)
    # The OAuth provider is enabled so the token route answers 200 for the seeded (never
    # expiring, refresh-less) tokens; its token URL is never called.
    provider = "provider=oauth_google,token_url=http://127.0.0.1:9/token,client_id=faults,client_secret=faults"
    server = Server(db.url, work.path, name=f"fuzz-{kind}", extra_args=["--oauth-provider", provider])
    proxy = None
    label = f"fuzz[{kind}]"
    try:
        server.start()
        with server.client() as client:
            implemented, missing = implemented_operations(client)
            lost = sorted(KNOWN_IMPLEMENTED - set(implemented))
            if lost:
                raise Violation(f"operations the server served before now look unrouted: {', '.join(lost)}")
            print(f"  {len(implemented)} operations implemented and fuzzed; not implemented, skipped: "
                  f"{', '.join(sorted(missing)) or 'none'}")
            dicts = seed(client)
        target = server.base_url
        mutation = os.environ.get("RELIABILITY_FUZZ_MUTATION")
        if mutation:
            # Self-check of the oracles: break the server's answers on purpose (the conformance
            # suite's proxy); the run must then fail.
            sys.path.insert(0, os.path.join(REPO_ROOT, "conformance", "python"))
            import mutating_proxy

            proxy = mutating_proxy.MutatingProxy(server.base_url, mutating_proxy.MUTATIONS[mutation])
            target = proxy.base_url
            print(f"  answers mutated by {mutation!r} (the run must fail)")
        code, output, stats = run_schemathesis(work, target, server.secret_key, implemented, dicts)
        statuses = {int(k): v for k, v in stats["statuses"].items()}
        total = sum(statuses.values())
        histogram = " ".join(f"{s}:{n}" for s, n in sorted(statuses.items()))
        print(f"  {total} requests; statuses {histogram or '(none)'}")
        server_errors = sum(n for s, n in statuses.items() if s >= 500)
        problems = []
        if code is None:
            problems.append(f"schemathesis did not finish within {FUZZ_TIMEOUT_S}s")
        elif code != 0:
            problems.append(f"schemathesis exit status {code}")
        if server_errors:
            problems.append(f"{server_errors} responses with a 5xx status")
        if total == 0:
            problems.append("no request was sent")
        if not server.alive():
            problems.append("the server died during the run")
        if problems:
            print(_failures_excerpt(output))
            print(f"  (schemathesis output: {work.path}/schemathesis.log; server log: {server.log_path})")
            raise Violation("; ".join(problems))
        results.append((label, True, f"{total} requests, 0 x 5xx, statuses {histogram}",
                        time.monotonic() - started))
    except Violation as e:
        work.keep = True
        results.append((label, False, str(e), time.monotonic() - started))
    finally:
        if proxy is not None:
            proxy.close()
        server.stop()
        db.drop()
        work.cleanup()


def _failures_excerpt(output: str, limit: int = 12000) -> str:
    """The part of schemathesis' report that names the failures (or its tail)."""
    start = output.find("FAILURES")
    text = output[start:] if start >= 0 else output[-limit:]
    if len(text) > limit:
        text = text[:limit] + "\n  … (cut)"
    return text


def run(stores: list[str], results: list) -> None:
    for kind in stores:
        print(f"\n== fuzz on {kind} ==")
        run_store(kind, results)
