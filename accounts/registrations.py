"""What accounts plugs into the apps below it (they do not import accounts). Called from
AccountsConfig.ready().

- organizations.hooks.record_sensitive_consent <- services.record_sensitive_consent: a cadre's
  application under their real name records the separate PIPL consent in its transaction."""


def register() -> None:
    from organizations import hooks

    from . import services

    hooks.record_sensitive_consent.register(services.record_sensitive_consent)
