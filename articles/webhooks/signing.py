"""Signing a delivery so its receiver can tell it came from the newsroom, unchanged and not replayed.

The signature is HMAC-SHA256, under the endpoint's secret, of the timestamp, a
full stop and the body's bytes; the delivery id is in the body and in a header.
A receiver recomputes it, compares in constant time, and refuses a timestamp
more than a few minutes old (a replay) or a delivery id it has already seen.
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Newsroom-Signature"
TIMESTAMP_HEADER = "X-Newsroom-Timestamp"
DELIVERY_HEADER = "X-Newsroom-Delivery"
EVENT_HEADER = "X-Newsroom-Event"


def signature(secret, timestamp, body):
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>.<body>")."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret, timestamp, body, given):
    """What a receiver does (also used by the tests): True if ``given`` is the signature of this body."""
    return hmac.compare_digest(signature(secret, timestamp, body), given or "")
