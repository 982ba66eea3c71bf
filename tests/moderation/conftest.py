import pytest


@pytest.fixture(autouse=True)
def rate_limits_on(settings):
    settings.YV_RATE_LIMITS_ENABLED = True
