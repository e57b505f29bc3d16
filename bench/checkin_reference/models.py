"""The reference's own tables (``ref_*``): a signing key per event, tickets, check-ins and a counter."""

from __future__ import annotations

from django.db import models


class Key(models.Model):
    event_id = models.IntegerField(unique=True)
    key_id = models.IntegerField(default=1)
    private_key = models.BinaryField()
    public_key = models.BinaryField()

    class Meta:
        db_table = "ref_key"

    def __str__(self) -> str:
        return f"key {self.event_id}#{self.key_id}"


class Ticket(models.Model):
    event_id = models.IntegerField()
    version = models.IntegerField(default=1)
    checked_in = models.BooleanField(default=False)
    revoked = models.BooleanField(default=False)

    class Meta:
        db_table = "ref_ticket"

    def __str__(self) -> str:
        return f"ticket {self.pk}"


class Checkin(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
    at = models.DateTimeField()

    class Meta:
        db_table = "ref_checkin"

    def __str__(self) -> str:
        return f"check-in {self.ticket_id}"


class Counter(models.Model):
    event_id = models.IntegerField(unique=True)
    checked_in = models.IntegerField(default=0)

    class Meta:
        db_table = "ref_counter"

    def __str__(self) -> str:
        return f"{self.event_id}: {self.checked_in}"
