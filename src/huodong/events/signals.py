"""Signals the events domain sends so later phases can attach their own records (never the reverse call)."""

from django.dispatch import Signal

# Sent inside the transaction that created the event; args: event, actor.
event_created = Signal()

# Sent before an update is written; args: event (unchanged), actor, changes {field: new value}. A receiver
# refuses the change by raising DomainError — nothing has been written then.
event_updating = Signal()

# Sent inside the transaction that changed the event's facts; args: event, actor, before (a snapshot).
# The planning app listens: theme, tone, time and place are part of the signed plan (AP-1).
event_updated = Signal()
