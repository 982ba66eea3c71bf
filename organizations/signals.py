"""Signals other apps listen to (organisations know nothing of the apps above them).

`calendar_changed`: the working calendar's rows changed in bulk (an imported yearly schedule), which
the per-row model signals do not see; the stations app drops its cached calendars on it.

`organization_created(sender=Organization, organization=...)` and
`organization_renamed(sender=Organization, organization=...)`: sent synchronously inside the
creating/updating service's transaction, after the organisation's staff groups exist; the home app
creates or retitles the branch page on them (home.registrations). A receiver's error rolls the
whole creation back, as when the services called home directly."""

from django.dispatch import Signal

calendar_changed = Signal()
organization_created = Signal()
organization_renamed = Signal()
