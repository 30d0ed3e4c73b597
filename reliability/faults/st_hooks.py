"""schemathesis hooks for the fuzz part (loaded with SCHEMATHESIS_HOOKS=faults.st_hooks).

- counts every request schemathesis sends and the status it got, per operation, and writes the
  counts to $FAULTS_FUZZ_STATS (JSON) when the run ends;
- adds the check `exact_json_content_type`: every response with a body says exactly
  `Content-Type: application/json` (schemathesis' own content_type_conformance accepts
  parameters such as `; charset=utf-8`, which Clerk never sends);
- adds the check `clerk_spec_oracle`: the project's own oracle (conformance/python/spec_oracle.py,
  the twin of crates/clerk-spec) judges every response too, against the same spec file
  ($FAULTS_SPEC). Beyond schemathesis' schema check it requires a `ClerkErrors` envelope on
  error statuses the spec leaves undocumented, and the discriminator keys Clerk's SDKs dispatch on;
- adds the check `paginated_list_shape`: the OAuth token, session and JWT template lists are
  `{data, total_count}` exactly when the request said `paginated=true`, else a bare array
  (fuzz.patched_spec allows both shapes).
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import sys
import threading
from urllib.parse import parse_qs, urlsplit

import schemathesis

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "conformance", "python"))
import spec_oracle  # noqa: E402

_lock = threading.Lock()
_statuses: "collections.Counter[str]" = collections.Counter()
_by_operation: "dict[str, collections.Counter[str]]" = collections.defaultdict(collections.Counter)


@schemathesis.hook
def after_call(context, case, response):
    label = f"{case.operation.method.upper()} {case.operation.path}"
    status = str(response.status_code)
    with _lock:
        _statuses[status] += 1
        _by_operation[label][status] += 1


@schemathesis.check
def exact_json_content_type(ctx, response, case):
    if not response.content:
        return None
    # schemathesis gives header names in lower case, each with its list of values.
    values = response.headers.get("content-type", [])
    if values != ["application/json"]:
        raise AssertionError(f"Content-Type must be exactly 'application/json', got {values!r}")
    try:
        json.loads(response.content)
    except ValueError as e:
        raise AssertionError(f"body is not JSON: {e}") from None
    return None


_oracle = None

# Operations the server keeps on purpose although Clerk's current spec dropped them, so no
# schema exists to check their answers against. Schemathesis' coverage phase reaches them when
# it tries a method the spec does not list on a path.
OUTSIDE_THE_SPEC = {("POST", "/users/{user_id}/totp")}


@schemathesis.check
def clerk_spec_oracle(ctx, response, case):
    global _oracle
    if _oracle is None:
        _oracle = spec_oracle.Spec(os.environ.get("FAULTS_SPEC", spec_oracle.SPEC_PATH))
    request = response.request
    if (request.method.upper(), case.operation.path) in OUTSIDE_THE_SPEC:
        return None
    content_type = response.headers.get("content-type", [None])[0]
    try:
        _oracle.validate_raw(request.method, request.url, response.status_code, content_type,
                                        response.content)
    except spec_oracle.SpecViolation as e:
        raise AssertionError(str(e)) from None
    return None


# The lists that answer `{data, total_count}` with `paginated=true` and a bare array otherwise.
PAGINATED_LIST_PATHS = ("/users/{user_id}/oauth_access_tokens/{provider}", "/sessions", "/jwt_templates")


@schemathesis.check
def paginated_list_shape(ctx, response, case):
    if (case.operation.path not in PAGINATED_LIST_PATHS or case.operation.method.upper() != "GET"
            or response.status_code != 200):
        return None
    query = parse_qs(urlsplit(response.request.url).query)
    paginated = query.get("paginated", [""])[0] in ("true", "1")  # the server reads the first value
    body = json.loads(response.content)
    if paginated != isinstance(body, dict):
        want = "{data, total_count}" if paginated else "a bare array"
        raise AssertionError(f"paginated={paginated}: expected {want}, got {type(body).__name__}")
    return None


def _dump():
    path = os.environ.get("FAULTS_FUZZ_STATS")
    if not path:
        return
    with _lock:
        data = {"statuses": dict(_statuses), "operations": {k: dict(v) for k, v in _by_operation.items()}}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True)


atexit.register(_dump)
