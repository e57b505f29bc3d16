"""Tickets: a compact token signed with the event's Ed25519 key (DESIGN.md, "Check-in"), its QR code and
the short human code.

The token is ``HD1.<payload>.<signature>``, both parts base64url without padding. The payload is 14 bytes,
big-endian: key id (2), event id (4), guest id (4), ticket version (4). The signature is Ed25519 over
``b"HD1." + payload``: 64 bytes. The whole token is 110 characters, a QR code of version 7 at level M. A scanner with the event's public key tells a real ticket from a forged or
tampered one without the network; the server stays the authority (the version must be the ticket's own,
the ticket not revoked).

The short code (8 characters of Crockford's base32: no I, L, O, U) is random and unique per event: read
aloud at the door when a phone has no QR to show.
"""

from __future__ import annotations

import base64
import io
import secrets
import struct
from dataclasses import dataclass

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.db import IntegrityError, transaction

from .models import EventKey, Guest, Ticket

PREFIX = "HD1"
_PAYLOAD = struct.Struct(">HIQ")  # key id, event id, (guest id << 32 | version) — see _pack
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 8


class InvalidTicket(ValueError):
    """A token that is malformed, forged, tampered with or not this event's."""


@dataclass(frozen=True)
class TokenClaims:
    key_id: int
    event_id: int
    guest_id: int
    version: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _pack(claims: TokenClaims) -> bytes:
    if claims.guest_id >= 1 << 32 or claims.version >= 1 << 32:
        raise ValueError("guest id or version out of range")
    return _PAYLOAD.pack(claims.key_id, claims.event_id, (claims.guest_id << 32) | claims.version)


def _unpack(payload: bytes) -> TokenClaims:
    key_id, event_id, packed = _PAYLOAD.unpack(payload)
    return TokenClaims(key_id=key_id, event_id=event_id, guest_id=packed >> 32, version=packed & 0xFFFFFFFF)


def event_key(event_id: int) -> EventKey:
    """The event's signing key, created on first use (concurrent first uses agree on one)."""
    key = EventKey.objects.filter(event_id=event_id).first()
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        with transaction.atomic():
            return EventKey.objects.create(event_id=event_id, private_key=seed, public_key=public)
    except IntegrityError:
        return EventKey.objects.get(event_id=event_id)


def public_key_b64(event_id: int) -> str:
    """The public half, base64url: what a scanner downloads to verify offline."""
    return _b64(bytes(event_key(event_id).public_key))


def sign(claims: TokenClaims, private_seed: bytes | Ed25519PrivateKey) -> str:
    """The token of ``claims``, signed with the event's private key (its raw seed, or the key already loaded:
    signing thousands at once need not load it each time)."""
    payload = _pack(claims)
    key = (
        Ed25519PrivateKey.from_private_bytes(bytes(private_seed))
        if isinstance(private_seed, (bytes, bytearray, memoryview))
        else private_seed
    )
    signature = key.sign(PREFIX.encode() + b"." + payload)
    return f"{PREFIX}.{_b64(payload)}.{_b64(signature)}"


def verify(token: str, public_key: bytes | Ed25519PublicKey) -> TokenClaims:
    """The claims of ``token`` if its signature is the key's (its raw bytes, or the key already loaded);
    raises InvalidTicket otherwise. Pure: no database, so a scanner (or a test) can run it offline."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise InvalidTicket("malformed")
    try:
        payload, signature = _unb64(parts[1]), _unb64(parts[2])
    except (ValueError, TypeError):
        raise InvalidTicket("malformed") from None
    if len(payload) != _PAYLOAD.size or len(signature) != 64:
        raise InvalidTicket("malformed")
    if _b64(payload) != parts[1] or _b64(signature) != parts[2]:
        raise InvalidTicket("malformed")  # non-canonical base64: one token has one spelling
    key = (
        Ed25519PublicKey.from_public_bytes(bytes(public_key))
        if isinstance(public_key, (bytes, bytearray, memoryview))  # (a check against the key's ABC is slow)
        else public_key
    )
    try:
        key.verify(signature, PREFIX.encode() + b"." + payload)
    except InvalidSignature:
        raise InvalidTicket("bad signature") from None
    return _unpack(payload)


def token_for(ticket: Ticket) -> str:
    """The signed token of ``ticket`` (its current version)."""
    key = event_key(ticket.event_id)
    claims = TokenClaims(
        key_id=key.key_id, event_id=ticket.event_id, guest_id=ticket.guest_id, version=ticket.version
    )
    return sign(claims, key.private_key)


def ticket_for_token(token: str, event_id: int | None = None) -> Ticket:
    """The ticket a token names, checked against the server's record: signed by the event's key, the
    current version, not revoked (and, with ``event_id``, of that event). Raises InvalidTicket."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3:
        raise InvalidTicket("malformed")
    try:
        claims = _unpack(_unb64(parts[1]))
    except (ValueError, TypeError, struct.error):
        raise InvalidTicket("malformed") from None
    if event_id is not None and claims.event_id != event_id:
        raise InvalidTicket("another event")
    key = EventKey.objects.filter(event_id=claims.event_id).first()
    if key is None or key.key_id != claims.key_id:
        raise InvalidTicket("unknown key")
    verify(token, key.public_key)
    ticket = (
        Ticket.objects.select_related("guest")
        .filter(guest_id=claims.guest_id, event_id=claims.event_id)
        .first()
    )
    if ticket is None or ticket.revoked_at is not None or ticket.version != claims.version:
        raise InvalidTicket("revoked or superseded")
    return ticket


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """A code as typed at the door: spaces and dashes dropped, upper-cased, O→0 and I/L→1 (Crockford)."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return text.replace("O", "0").replace("I", "1").replace("L", "1")


def issue(guest: Guest) -> Ticket:
    """The guest's ticket, issued on first call (inside the caller's transaction); a revoked ticket is
    reissued with the next version so its old QR stops working."""
    existing = Ticket.objects.filter(guest=guest).first()
    if existing is not None:
        if existing.revoked_at is not None:
            existing.revoked_at = None
            existing.version += 1
            existing.save(update_fields=["revoked_at", "version"])
        return existing
    event_key(guest.event_id)
    for _attempt in range(10):
        code = new_code()
        if not Ticket.objects.filter(event_id=guest.event_id, code=code).exists():
            try:
                with transaction.atomic():
                    return Ticket.objects.create(guest=guest, event_id=guest.event_id, code=code)
            except IntegrityError:
                continue
    raise RuntimeError("could not find a free ticket code")


def revoke(ticket: Ticket) -> None:
    """The ticket stops working (a cancelled registration): its token is refused from now on."""
    from django.utils import timezone

    if ticket.revoked_at is None:
        ticket.revoked_at = timezone.now()
        ticket.save(update_fields=["revoked_at"])


def qr_png(token: str, *, scale: int = 8) -> bytes:
    """The token as a QR code PNG (segno; error correction M, a quiet zone of 4 modules)."""
    out = io.BytesIO()
    segno.make(token, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(token: str, *, scale: int = 6) -> str:
    """The token as inline SVG for the ticket page (no image request, works offline once loaded)."""
    out = io.BytesIO()
    segno.make(token, error="m", micro=False).save(
        out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True
    )
    return out.getvalue().decode("utf-8")
