"""Schemathesis hooks for test/worker/http/schemathesis.node.test.ts (loaded through SCHEMATHESIS_HOOKS).

Every generated request comes from its own client address (TEST-NET-2, RFC 5737; Miniflare keeps a
CF-Connecting-IP the request already has), so the per-client rate limits of wrangler.toml never turn the
fuzzing into a run of 429s: their own tests are test/worker/http/rate-limit.test.ts.
"""
import itertools

import schemathesis

_clients = itertools.count()


@schemathesis.hook
def before_call(context, case, kwargs):
    n = next(_clients)
    case.headers = {**(case.headers or {}), "CF-Connecting-IP": f"198.51.{(n >> 8) & 255}.{n & 255}"}
