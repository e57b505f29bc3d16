"""The one view: ``POST /scan/<event_id>`` with ``{"token": "HD1.…"}`` → ``{"result": …}``."""

from __future__ import annotations

import base64
import json
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from .models import Checkin, Counter, Key, Ticket

PAYLOAD = struct.Struct(">HIQ")  # key id, event id, guest id << 32 | version (as huodong's tickets)
_KEYS: dict[int, tuple[int, Ed25519PublicKey]] = {}


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(event_id: int) -> tuple[int, Ed25519PublicKey] | None:
    if event_id not in _KEYS:
        row = Key.objects.filter(event_id=event_id).values_list("key_id", "public_key").first()
        if row is None:
            return None
        _KEYS[event_id] = (row[0], Ed25519PublicKey.from_public_bytes(bytes(row[1])))
    return _KEYS[event_id]


def scan(request: HttpRequest, event_id: int) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    try:
        prefix, payload_b64, signature_b64 = json.loads(request.body)["token"].split(".")
        payload, signature = _unb64(payload_b64), _unb64(signature_b64)
        key_id, ev, packed = PAYLOAD.unpack(payload)
    except (ValueError, KeyError, TypeError, struct.error):
        return JsonResponse({"result": "refused", "reason": "malformed"})
    key = _key(event_id)
    if prefix != "HD1" or ev != event_id or key is None or key[0] != key_id:
        return JsonResponse({"result": "refused", "reason": "forged"})
    try:
        key[1].verify(signature, b"HD1." + payload)
    except InvalidSignature:
        return JsonResponse({"result": "refused", "reason": "forged"})
    ticket_id, version = packed >> 32, packed & 0xFFFFFFFF
    with transaction.atomic():
        done = Ticket.objects.filter(
            pk=ticket_id, event_id=event_id, version=version, checked_in=False, revoked=False
        ).update(checked_in=True)
        if done:
            Checkin.objects.create(ticket_id=ticket_id, at=timezone.now())
            Counter.objects.filter(event_id=event_id).update(checked_in=F("checked_in") + 1)
    return JsonResponse({"result": "accepted" if done else "duplicate", "ticket": ticket_id})


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")
