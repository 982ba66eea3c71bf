"""Signals other apps listen to. `calendar_changed`: the working calendar's rows changed in bulk
(an imported yearly schedule), which the per-row model signals do not see; the stations app drops
its cached calendars on it."""

from django.dispatch import Signal

calendar_changed = Signal()
