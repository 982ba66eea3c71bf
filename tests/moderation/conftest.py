import pytest


@pytest.fixture(autouse=True)
def rate_limits_on(settings):
    settings.YV_RATE_LIMITS_ENABLED = True


@pytest.fixture(params=["ahocorasick_rs", "pyahocorasick"])
def engine(request, settings):
    """Both matching engines (moderation/domain/matcher.py); the setting follows for service tests."""
    settings.YV_MODERATION_ENGINE = request.param
    return request.param
