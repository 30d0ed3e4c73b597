"""CPU time the official Python SDK (clerk-backend-api) spends per request: the counterpart of
examples/cpu_per_request.rs, run by bench/run.sh against the same server in the same run.

    python python_sdk.py BASE_URL KEY USER_ID [N]

Sequential requests with one SDK instance (one httpx connection pool), SDK retries off; the
process CPU clock is read around the timed loop only, after the same warm-up as the Rust side.
"""

import json
import sys
import time

from clerk_backend_api import Clerk
from clerk_backend_api.utils import BackoffStrategy, RetryConfig


def main() -> None:
    if len(sys.argv) < 4:
        print("usage: python_sdk.py BASE_URL KEY USER_ID [N]", file=sys.stderr)
        sys.exit(2)
    base_url, key, user_id = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 2000

    no_retries = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)
    with Clerk(bearer_auth=key, server_url=base_url, retry_config=no_retries) as sdk:
        for _ in range(100):
            sdk.users.get(user_id=user_id)
            sdk.users.list(request={"limit": 10})

        started = time.process_time()
        for _ in range(n):
            sdk.users.get(user_id=user_id)
        get_user = time.process_time() - started

        started = time.process_time()
        for _ in range(n):
            sdk.users.list(request={"limit": 10})
        listing = time.process_time() - started

    print(json.dumps({
        "client": "python clerk-backend-api",
        "requests": n,
        "get_user_cpu_us": round(get_user * 1e6 / n, 1),
        "get_user_list_cpu_us": round(listing * 1e6 / n, 1),
    }))


if __name__ == "__main__":
    main()
