"""Connection settings every PostgreSQL connection gets (youthvoice/settings/base.py)."""

import pytest
from django.db import connection


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_postgresql_jit_is_off(db):
    """JIT compiled the unified search's statement on every run (its estimated cost passes
    jit_above_cost): 1.1 s instead of 6 ms on the demo."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
