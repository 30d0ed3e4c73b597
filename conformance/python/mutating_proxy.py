"""A reverse proxy in front of `clerk serve` that breaks its answers on purpose, to prove the suite
notices: the suite must fail when the server drops a required key, adds a charset to the
Content-Type, or answers a missing user with a 500.

Used by test_oracle_catches.py, and by hand: `CONFORMANCE_MUTATION=<name> bash conformance/run.sh`
puts the proxy between the SDK and the server for the whole suite (which must then fail).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import urlsplit

import httpx

# (status, content_type, body bytes) -> (status, content_type, body bytes)
Mutation = Callable[[int, Optional[str], bytes], "tuple[int, Optional[str], bytes]"]


def _map_users(body: bytes, fn) -> bytes:
    try:
        doc = json.loads(body)
    except ValueError:
        return body

    def walk(x):
        if isinstance(x, dict) and x.get("object") == "user" and "email_addresses" in x:
            fn(x)
        elif isinstance(x, list):
            for item in x:
                walk(item)

    walk(doc)
    return json.dumps(doc).encode()


def drop_user_key(key: str) -> Mutation:
    def mutate(status, ctype, body):
        return status, ctype, _map_users(body, lambda u: u.pop(key, None))

    return mutate


def charset(status, ctype, body):
    if ctype == "application/json":
        ctype = "application/json; charset=utf-8"
    return status, ctype, body


def not_found_is_500(status, ctype, body):
    if status == 404:
        body = json.dumps({"errors": [{
            "message": "Oops, an unexpected error occurred",
            "long_message": "There was an internal error on our servers.",
            "code": "internal_clerk_error",
        }]}).encode()
        return 500, "application/json", body
    return status, ctype, body


MUTATIONS: dict[str, Mutation] = {
    "drop_banned": drop_user_key("banned"),
    "drop_created_at": drop_user_key("created_at"),
    "drop_email_addresses": drop_user_key("email_addresses"),
    "charset": charset,
    "404_to_500": not_found_is_500,
}

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-type", "host"}


class MutatingProxy:
    def __init__(self, upstream_base_url: str, mutation: Mutation):
        parts = urlsplit(upstream_base_url)
        self.upstream_origin = f"{parts.scheme}://{parts.netloc}"
        self.mutation = mutation
        self._client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                resp = proxy._client.request(self.command, proxy.upstream_origin + self.path,
                                             headers=headers, content=data)
                status, ctype, body = proxy.mutation(resp.status_code, resp.headers.get("content-type"),
                                                     resp.content)
                self.send_response(status)
                for k, v in resp.headers.items():
                    if k.lower() not in HOP_HEADERS:
                        self.send_header(k, v)
                if ctype is not None:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}{urlsplit(upstream_base_url).path}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._client.close()
