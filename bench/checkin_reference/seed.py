"""Create the reference's tables and ``n`` tickets of event 1; returns their tokens (run with
``DJANGO_SETTINGS_MODULE=checkin_reference.settings``)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

EVENT_ID = 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def seed(n: int) -> dict[str, object]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    from .models import Counter, Key, Ticket
    from .views import PAYLOAD

    private = Ed25519PrivateKey.generate()
    Key.objects.create(
        event_id=EVENT_ID,
        private_key=private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
    )
    Counter.objects.create(event_id=EVENT_ID)
    Ticket.objects.bulk_create([Ticket(event_id=EVENT_ID) for _ in range(n)], batch_size=2000)
    tokens = []
    for pk in Ticket.objects.order_by("pk").values_list("pk", flat=True):
        payload = PAYLOAD.pack(1, EVENT_ID, (pk << 32) | 1)
        tokens.append(f"HD1.{_b64(payload)}.{_b64(private.sign(b'HD1.' + payload))}")
    return {"event_id": EVENT_ID, "tokens": tokens, "url": f"/scan/{EVENT_ID}"}
