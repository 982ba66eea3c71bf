from django.conf import settings
from django.core.checks import Error, register


@register()
def engine_setting(app_configs=None, **kwargs):
    """A misspelt YV_MODERATION_ENGINE fails at start, not at the first post."""
    from .domain.matcher import ENGINES

    name = getattr(settings, "YV_MODERATION_ENGINE", None)
    if name in ENGINES:
        return []
    return [Error(f"YV_MODERATION_ENGINE={name!r} is not a matching engine", hint=f"one of: {', '.join(ENGINES)}",
                  id="moderation.E001")]
