"""Opaque, tamper-proof list cursors.

A cursor is DynamoDB's LastEvaluatedKey, signed with HMAC-SHA256 over the key *and* the
scope it was made for (studio and query). A cursor altered by a client, or replayed
against another studio or another query, fails the check and is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from backline.errors import InvalidInputError

_SIGNATURE_BYTES = 16


class CursorSigner:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def encode(self, last_key: dict[str, Any] | None, scope: str) -> str | None:
        if not last_key:
            return None
        payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
        token = self._sign(payload, scope) + payload
        return base64.urlsafe_b64encode(token).decode().rstrip("=")

    def decode(self, cursor: str | None, scope: str) -> dict[str, Any] | None:
        if not cursor:
            return None
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError) as error:
            raise InvalidInputError("cursor is not valid", field="cursor") from error
        signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
        if not hmac.compare_digest(signature, self._sign(payload, scope)):
            raise InvalidInputError("cursor is not valid for this list", field="cursor")
        decoded: dict[str, Any] = json.loads(payload)
        return decoded

    def _sign(self, payload: bytes, scope: str) -> bytes:
        mac = hmac.new(self._secret, scope.encode() + b"\x00" + payload, hashlib.sha256)
        return mac.digest()[:_SIGNATURE_BYTES]
