#!/usr/bin/env python3
"""Huawei Cloud SDK-HMAC-SHA256 request signing, written independently of
the Swift signer (Sources/QuotaHuaweiCES/SDKSigner.swift) from the algorithm
as the official SDKs describe it, so the two can be compared.

Standard library only. Reads one JSON object per line on stdin:

    {"method": "GET", "url": "https://host/path?q=1",
     "headers": [["Host", "host"], ["X-Project-Id", "p"]],
     "body_hex": "", "ak": "AK", "sk": "SK", "date": "20240102T030405Z"}

and writes one JSON object per line on stdout:

    {"canonical_request": "...", "string_to_sign": "...", "authorization": "..."}

X-Sdk-Date is added to the signed headers from "date".
"""
import hashlib
import hmac
import json
import sys
from urllib.parse import quote, unquote_to_bytes, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"


def encode(raw: bytes) -> str:
    # quote() never escapes letters, digits and "_.-"; "~" is added here,
    # and everything else becomes %XX with uppercase hex digits.
    return quote(raw, safe="~")


def canonical_uri(path: str) -> str:
    segments = unquote_to_bytes(path).split(b"/")
    uri = "/".join(encode(segment) for segment in segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: str) -> str:
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        pairs.append((unquote_to_bytes(key), unquote_to_bytes(value)))
    pairs.sort()
    return "&".join(encode(k) + "=" + encode(v) for k, v in pairs)


def canonical_headers(headers):
    fields = sorted(
        (name.lower(), value.strip())
        for name, value in headers
        if name.lower() != "content-type"
    )
    text = "".join(f"{name}:{value}\n" for name, value in fields)
    names = []
    for name, _ in fields:
        if not names or names[-1] != name:
            names.append(name)
    return text, ";".join(names)


def sign(request):
    parts = urlsplit(request["url"])
    headers = [h for h in request["headers"] if h[0].lower() != "x-sdk-date"]
    headers.append(["X-Sdk-Date", request["date"]])
    header_text, signed = canonical_headers(headers)
    body = bytes.fromhex(request.get("body_hex", ""))
    canonical = "\n".join([
        request["method"].upper(),
        canonical_uri(parts.path),
        canonical_query(parts.query),
        header_text,
        signed,
        hashlib.sha256(body).hexdigest(),
    ])
    string_to_sign = "\n".join([
        ALGORITHM,
        request["date"],
        hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
    ])
    signature = hmac.new(request["sk"].encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return {
        "canonical_request": canonical,
        "string_to_sign": string_to_sign,
        "authorization": f"{ALGORITHM} Access={request['ak']}, SignedHeaders={signed}, Signature={signature}",
    }


def main():
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(sign(json.loads(line))), flush=False)


if __name__ == "__main__":
    main()
