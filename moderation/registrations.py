"""What moderation plugs into the apps below it (they do not import moderation). Called from
ModerationConfig.ready().

- accounts.hooks.is_banned <- services.is_banned: a banned user cannot log in (password or code),
  gets no login/reset code, and their number is blocked when the account closes.
- accounts.hooks.screen_public_texts <- services.screen_public_texts: display names in the admin's
  user forms go through the one screening of public text."""


def register() -> None:
    from accounts import hooks

    from . import services

    hooks.is_banned.register(services.is_banned)
    hooks.screen_public_texts.register(services.screen_public_texts)
