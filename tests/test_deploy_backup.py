"""Backup and restore, for real: data written through the app is dumped with scripts/backup.sh
(pg_dump + media tar), restored with scripts/restore.sh into a fresh database on the same
PostgreSQL server and a fresh media folder, and found again there."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from organizations.models import OrganizationKind
from organizations.services import create_organization
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
               if (p / "pg_dump").exists()), None)
pytestmark = pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL client binaries are not installed")


def _url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{name}"


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_finds_the_same_data(tmp_path):
    user = UserFactory(username="备份测试用户", email="backup@example.org", display_name="小备")
    org = create_organization(actor=None, parent=None, name="共青团备份测试委员会", short_name="备份团委",
                              kind=OrganizationKind.PROVINCE, slug="backup-test", adcode="440000")
    media = tmp_path / "media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "章程.pdf").write_bytes(b"%PDF-1.4 youth voice")
    (media / "images").mkdir()
    (media / "images" / "logo.png").write_bytes(bytes(range(256)))

    env = dict(os.environ, DATABASE_URL=_url(connection.settings_dict["NAME"]), DJANGO_MEDIA_ROOT=str(media),
               PG_BIN=PG_BIN)
    out = subprocess.run(["bash", str(ROOT / "scripts/backup.sh"), str(tmp_path / "backups")], env=env,
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    backup = Path(out)
    assert {p.name for p in backup.iterdir()} == {"db.dump", "media.tar.gz", "SHA256SUMS"}

    fresh = f"yv_restore_{os.getpid()}"
    admin_url = _url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        restored_media = tmp_path / "restored-media"
        env.update(DATABASE_URL=_url(fresh), DJANGO_MEDIA_ROOT=str(restored_media))
        subprocess.run(["bash", str(ROOT / "scripts/restore.sh"), str(backup)], env=env, capture_output=True,
                       text=True, check=True)
        with psycopg.connect(_url(fresh)) as conn:
            row = conn.execute("SELECT email, display_name FROM accounts_user WHERE username = %s",
                               [user.username]).fetchone()
            assert row == ("backup@example.org", "小备")
            assert conn.execute("SELECT name FROM organizations_organization WHERE id = %s",
                                [org.pk]).fetchone() == ("共青团备份测试委员会",)
            migrations = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert migrations == connection.cursor().execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        assert (restored_media / "documents" / "章程.pdf").read_bytes() == b"%PDF-1.4 youth voice"
        assert (restored_media / "images" / "logo.png").read_bytes() == bytes(range(256))

        # A damaged backup is refused before anything is touched.
        (backup / "media.tar.gz").write_bytes(b"corrupt")
        bad = subprocess.run(["bash", str(ROOT / "scripts/restore.sh"), str(backup)], env=env,
                             capture_output=True, text=True)
        assert bad.returncode != 0
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
