"""Validates HTTP responses against Clerk's published Backend API spec.

The Python twin of the Rust crate `clerk-spec` (same rules, same spec file,
crates/clerk-spec/clerk-bapi-openapi.yml):

- the request path (server prefix `/v1` stripped) is matched to a spec path
  template, literal segments winning over `{params}`;
- the response schema is picked by status: exact, then `4XX`, then `default`;
  a non-2xx status without a schema, or a non-2xx answer to a route the spec
  does not know, must carry a `ClerkErrors` envelope; a 2xx answer to an
  unknown route or an undocumented 2xx status is a violation;
- a JSON body must come with `Content-Type` exactly `application/json`;
- OpenAPI 3.0 is translated to JSON Schema 2020-12: `nullable` allows null
  (also through `$ref`/`allOf`/`oneOf`), `allOf` parts are merged before
  `additionalProperties: false` applies, `oneOf` is kept and its
  `discriminator` property made required (the Python SDK dispatches on it and
  fails without it), `exclusiveMinimum: true` becomes the numeric form,
  only `format: date-time` is checked, annotations are dropped.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

import jsonschema
import yaml

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC_PATH = os.path.join(REPO_ROOT, "crates", "clerk-spec", "clerk-bapi-openapi.yml")
SERVER_PREFIX = "/v1"
JSON_CONTENT_TYPE = "application/json"
COMPONENT_PREFIX = "#/components/schemas/"
ANNOTATIONS = {
    "description", "example", "examples", "title", "default", "deprecated",
    "readOnly", "writeOnly", "xml", "externalDocs", "discriminator", "nullable",
}
CLERK_ERRORS_REF = {"$ref": COMPONENT_PREFIX + "ClerkErrors"}


@dataclass(eq=False)
class SpecViolation(AssertionError):
    request: str
    operation: Optional[str]
    errors: list = field(default_factory=list)  # [(json_pointer, message)]

    def __str__(self) -> str:
        head = f"response to {self.request} violates Clerk's spec"
        if self.operation:
            head += f" (schema of {self.operation})"
        lines = [head + ":"]
        for pointer, message in self.errors:
            lines.append(f"  at {pointer or '(body)'}: {message}")
        return "\n".join(lines)


def _split(path: str) -> list:
    return [s for s in path.strip("/").split("/") if s]


class Spec:
    def __init__(self, path: str = SPEC_PATH):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.templates = []
        for template in self.doc["paths"]:
            segs = [None if (s.startswith("{") and s.endswith("}")) else s for s in _split(template)]
            self.templates.append((template, segs))
        self._validators: dict = {}

    # ---- lookup -------------------------------------------------------
    def lookup(self, ref: str) -> Any:
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def deref(self, node: Any) -> Any:
        for _ in range(16):
            if isinstance(node, dict) and "$ref" in node:
                node = self.lookup(node["$ref"])
            else:
                break
        return node

    def find_operation(self, method: str, rel: str):
        segments = _split(rel)
        best = None
        for template, segs in self.templates:
            if len(segs) != len(segments):
                continue
            if not all((t == s) if t is not None else bool(s) for t, s in zip(segs, segments)):
                continue
            op = self.doc["paths"][template].get(method)
            if op is None:
                continue
            score = [t is not None for t in segs]
            if best is None or score > best[0]:
                best = (score, template, op)
        return (best[1], best[2]) if best else None

    # ---- validation ---------------------------------------------------
    def validate_response(
        self,
        method: str,
        url: str,
        status: int,
        content_type: Optional[str],
        body: Any,
        extension_prefixes: Iterable[str] = (),
    ) -> None:
        """Raises SpecViolation if the response does not conform."""
        path = urlsplit(url).path if "://" in url else url.split("?", 1)[0].split("#", 1)[0]
        method_uc = method.upper()
        request = f"{method_uc} {path} {status}"
        is_ext = any(p and path.startswith(p) for p in extension_prefixes)
        success = 200 <= status < 300

        if not (path == SERVER_PREFIX or path.startswith(SERVER_PREFIX + "/")):
            if is_ext:
                return
            raise SpecViolation(request, None, [("", f"path is not under the server prefix {SERVER_PREFIX}")])
        rel = path[len(SERVER_PREFIX):]
        found = self.find_operation(method.lower(), rel)
        if found is None:
            if is_ext:
                return
            if success:
                raise SpecViolation(request, None, [("", f"no operation {method_uc} {rel} in the spec")])
            location, schema = "unknown route (ClerkErrors)", CLERK_ERRORS_REF
        else:
            template, op = found
            location = f"{method_uc} {template}"
            responses = op.get("responses", {})
            key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None)
            if key is None:
                if success:
                    raise SpecViolation(request, location, [("", f"status {status} is not documented")])
                location, schema = f"{location} (ClerkErrors)", CLERK_ERRORS_REF
            else:
                response = self.deref(responses[key])
                location = f"{location} {key}"
                content = response.get("content")
                if content is None:
                    if success:
                        if body is None:
                            return
                        raise SpecViolation(request, location, [("", "the spec documents no body for this status")])
                    location, schema = f"{location} (ClerkErrors)", CLERK_ERRORS_REF
                elif JSON_CONTENT_TYPE in content:
                    schema = content[JSON_CONTENT_TYPE].get("schema")
                else:
                    return  # not a JSON response; none in /users

        errors = []
        if content_type != JSON_CONTENT_TYPE:
            errors.append(("", f"Content-Type must be exactly {JSON_CONTENT_TYPE!r}, got {content_type!r}"))
        if schema is not None:
            validator = self._validator(location, schema)
            for e in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
                pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in e.absolute_path)
                errors.append((pointer, _message(e)))
        if errors:
            raise SpecViolation(request, location, errors)

    def validate_raw(self, method, url, status, content_type, raw: bytes, extension_prefixes=()) -> None:
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as e:
                raise SpecViolation(f"{method.upper()} {url} {status}", None,
                                    [("", f"body is not JSON: {e}: {raw[:200]!r}")]) from None
        else:
            body = None
        self.validate_response(method, url, status, content_type, body, extension_prefixes)

    def _validator(self, key: str, schema: Any):
        v = self._validators.get(key)
        if v is None:
            root = self.json_schema(schema)
            jsonschema.Draft202012Validator.check_schema(root)
            v = jsonschema.Draft202012Validator(root, format_checker=FORMATS)
            self._validators[key] = v
        return v

    # ---- translation --------------------------------------------------
    def json_schema(self, openapi_schema: Any) -> dict:
        reached: set = set()
        root = self._translate(openapi_schema, reached)
        defs, done = {}, set()
        while reached - done:
            name = sorted(reached - done)[0]
            done.add(name)
            defs[name] = self._translate(self.doc["components"]["schemas"][name], reached)
        if defs:
            if isinstance(root, dict):
                root = dict(root)
                root["$defs"] = defs
            else:
                root = {"allOf": [root], "$defs": defs}
        return root

    def component_json_schema(self, name: str) -> dict:
        return self.json_schema({"$ref": COMPONENT_PREFIX + name})

    def _translate(self, node: Any, reached: set) -> Any:
        if not isinstance(node, dict):
            return node
        nullable = node.get("nullable") is True
        src = self._flatten_all_of(node) if "allOf" in node else node
        out: dict = {}
        for key, value in src.items():
            if key in ANNOTATIONS or key.startswith("x-"):
                continue
            if key == "$ref":
                if value.startswith(COMPONENT_PREFIX):
                    name = value[len(COMPONENT_PREFIX):]
                    reached.add(name)
                    out["$ref"] = "#/$defs/" + name
                else:
                    return self._translate(self.lookup(value), reached)
            elif key in ("properties", "patternProperties"):
                out[key] = {k: self._translate(v, reached) for k, v in value.items()}
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self._translate(value, reached)
            elif key in ("allOf", "oneOf", "anyOf"):
                out[key] = [self._translate(v, reached) for v in value]
            elif key == "format":
                if value == "date-time":
                    out[key] = value
            elif key in ("exclusiveMinimum", "exclusiveMaximum"):
                bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                if value is True and bound in src:
                    out[key] = src[bound]
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    out[key] = value
            elif key in ("minimum", "maximum"):
                exclusive = "exclusiveMinimum" if key == "minimum" else "exclusiveMaximum"
                if src.get(exclusive) is not True:
                    out[key] = value
            else:
                out[key] = copy.deepcopy(value)
        disc = src.get("discriminator")
        if isinstance(disc, dict) and disc.get("propertyName"):
            req = out.setdefault("required", [])
            if disc["propertyName"] not in req:
                req.append(disc["propertyName"])
        return _make_nullable(out) if nullable else out

    def _flatten_all_of(self, node: dict) -> dict:
        merged = {k: copy.deepcopy(v) for k, v in node.items() if k != "allOf"}
        residual = []
        for part in node.get("allOf", []):
            resolved = self.deref(part)
            if not isinstance(resolved, dict):
                residual.append(part)
                continue
            if "allOf" in resolved:
                resolved = self._flatten_all_of(resolved)
            leftover = {}
            for key, value in resolved.items():
                if key == "properties":
                    target = merged.setdefault("properties", {})
                    for name, schema in value.items():
                        if name in target and target[name] != schema:
                            target[name] = {"allOf": [target[name], schema]}
                        else:
                            target[name] = copy.deepcopy(schema)
                elif key == "required":
                    target = merged.setdefault("required", [])
                    for n in value:
                        if n not in target:
                            target.append(n)
                elif key == "additionalProperties":
                    if value is False or merged.get("additionalProperties") is False:
                        merged[key] = False
                    else:
                        merged.setdefault(key, copy.deepcopy(value))
                elif key == "nullable" or key in ANNOTATIONS or key.startswith("x-"):
                    continue
                elif key not in merged:
                    merged[key] = copy.deepcopy(value)
                elif merged[key] != value:
                    leftover[key] = value
            if leftover:
                residual.append(leftover)
        if residual:
            merged["allOf"] = residual
        return merged


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_rfc3339(value) -> bool:
    """RFC 3339 date-time (the only format checked, as in the Rust oracle)."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    return True


def _make_nullable(out: dict) -> dict:
    composite = any(k in out for k in ("$ref", "allOf", "oneOf", "anyOf", "not"))
    if not composite and "type" in out:
        t = out["type"]
        if isinstance(t, str):
            out["type"] = [t, "null"]
        elif isinstance(t, list) and "null" not in t:
            t.append("null")
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"].append(None)
        return out
    return {"anyOf": [{"type": "null"}, out]}


def _message(e: "jsonschema.ValidationError") -> str:
    msg = e.message
    if len(msg) > 300:
        msg = msg[:300] + "…"
    if e.context:
        best = jsonschema.exceptions.best_match(e.context)
        if best is not None:
            msg += f" (closest: {best.message[:200]})"
    return msg


@functools.lru_cache(maxsize=1)
def load() -> Spec:
    return Spec()
