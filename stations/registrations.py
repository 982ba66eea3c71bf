"""What stations plugs into the apps below it (they do not import stations). Called from
StationsConfig.ready().

- accounts.hooks.personal_data["stations"]: the user's bookings in their personal-data copy; when
  the account closes, the notes they wrote on their bookings are blanked."""


def export_personal_data(user) -> dict:
    from .models import Booking

    return {"bookings": [{"id": b.pk, "station": str(b.station), "status": b.status,
                          "created_at": b.requested_at.isoformat() if b.requested_at else None}
                         for b in Booking.objects.filter(user=user).select_related("station").order_by("pk")]}


def erase_personal_data(user) -> None:
    from .models import Booking

    Booking.objects.filter(user=user).update(note="")


def register() -> None:
    from accounts.hooks import register_personal_data

    register_personal_data("stations", export=export_personal_data, erase=erase_personal_data)
