"""What appeals plugs into the apps below it (they do not import appeals). Called from
AppealsConfig.ready().

- moderation.hooks.appeal_for_alert_ref / open_appeal_for_alert: a concentrated-demand alert is
  turned into a collective appeal (转为集中诉求) from the moderation admin (moderation.services.
  open_appeal_from_alert), and the alert's page links to the appeal opened from it."""


def appeal_for_alert_ref(ref: str):
    from .models import AppealSource, SourceKind

    source = (AppealSource.objects.filter(kind=SourceKind.ALERT, external_ref=ref)
              .select_related("appeal").order_by("pk").first())
    return source.appeal if source else None


def open_appeal_for_alert(*, actor, location_org, **fields):
    from . import services

    return services.open_collective_appeal_from_cluster(
        actor=actor, organization=services.mechanism_owner(location_org), location_org=location_org, **fields)


def register() -> None:
    from moderation import hooks

    hooks.appeal_for_alert_ref.register(appeal_for_alert_ref)
    hooks.open_appeal_for_alert.register(open_appeal_for_alert)
