"""Signals other apps may listen to (the status page announces public updates to its subscribers)."""

from django.dispatch import Signal

# Sent after commit when a status-page communication is posted: kwargs communication, incident.
public_update_posted = Signal()
