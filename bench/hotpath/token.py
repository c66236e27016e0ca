#!/usr/bin/env python3
"""Mints resident access tokens the way TokenService does (HS256, same claims), one per line."""
import base64, hashlib, hmac, json, sys, time

key, *ids = sys.argv[1:]

def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

now = int(time.time())
for rid in ids:
    header = {"alg": "HS256", "typ": "JWT"}
    body = {"sub": rid, "nh:kind": "resident", "name": f"r{rid}", "iss": "neighbourhub",
            "aud": "neighbourhub-resident", "iat": now, "nbf": now, "exp": now + 3600}
    signing = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + b64(json.dumps(body, separators=(",", ":")).encode())
    sig = hmac.new(key.encode(), signing.encode(), hashlib.sha256).digest()
    print(signing + "." + b64(sig))
