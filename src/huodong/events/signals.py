"""Signals the events domain sends so later phases can attach their own records (never the reverse call)."""

from django.dispatch import Signal

# Sent inside the transaction that created the event; args: event, actor.
event_created = Signal()
