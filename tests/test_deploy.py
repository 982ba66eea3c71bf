"""Deployment files: they parse, they point at things that exist, the settings reference is complete,
and protected documents go through nginx with X-Accel-Redirect. Docker itself is not run here (no
images can be pulled); `docker-compose config` validates the compose file where it is installed."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def test_compose_file_is_valid_yaml_with_every_service():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat", "nginx", "elasticsearch"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["elasticsearch"]["profiles"] == ["search"]  # optional
    for name in ("web", "worker", "beat"):
        svc = services[name]
        assert svc["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}  # merged from x-app
        assert (ROOT / svc["command"][0]).exists(), svc["command"]
        env = svc["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://redis:")
    for volume in services["nginx"]["volumes"]:
        source = volume.split(":")[0]
        assert source in compose["volumes"] or (DEPLOY / source).exists(), volume


def test_dockerfile_and_scripts_use_real_entry_points():
    docker = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", docker, re.M)
    assert "pip install -r requirements.txt" in docker and "collectstatic --noinput" in docker
    assert 'CMD ["deploy/web.sh"]' in docker
    procfile = dict(line.split(": ", 1) for line in (DEPLOY / "Procfile").read_text().splitlines()
                    if line and not line.startswith("#"))
    assert set(procfile) == {"web", "worker", "beat"}
    for command in procfile.values():
        assert (ROOT / command).stat().st_mode & 0o111, command  # executable
    assert "youthvoice.wsgi:application" in (DEPLOY / "web.sh").read_text()
    assert "celery -A youthvoice worker" in (DEPLOY / "worker.sh").read_text()
    assert "celery -A youthvoice beat" in (DEPLOY / "beat.sh").read_text()
    for script in ("web.sh", "worker.sh", "beat.sh"):
        subprocess.run(["sh", "-n", str(DEPLOY / script)], check=True)
    for script in ("backup.sh", "restore.sh"):
        subprocess.run(["bash", "-n", str(ROOT / "scripts" / script)], check=True)


def test_gunicorn_config_loads():
    namespace = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["bind"] == "0.0.0.0:8000" and namespace["workers"] >= 1 and namespace["timeout"] == 30


def test_nginx_example_protects_documents():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert conf.count("{") == conf.count("}")
    protected = re.search(r"location /protected/ \{(.*?)\}", conf, re.S).group(1)
    assert "internal;" in protected and "alias /srv/youthvoice/media/;" in protected
    assert re.search(r"location /media/documents/ \{\s*return 404;", conf)
    assert re.search(r"location /static/ \{[^}]*alias /srv/youthvoice/static/;", conf)


def test_settings_reference_lists_every_environment_variable():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import settings_reference
    finally:
        sys.path.pop(0)
    found = settings_reference.variables()
    # An independent, cruder reading of the same files: the AST walk must not miss any.
    pattern = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z0-9_]+)["']""")
    grepped = {m for p in settings_reference.SETTINGS for m in pattern.findall(p.read_text())}
    assert grepped and grepped == set(found)
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "YV_SENDFILE_NGINX_URL"} <= set(found)
    table = settings_reference.table()
    assert all(not row.endswith("|  |") for row in table.splitlines()), "a variable without a meaning"
    result = subprocess.run([sys.executable, str(ROOT / "scripts/settings_reference.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_protected_document_is_served_by_nginx_after_the_privacy_check(tmp_path, settings, client):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import Collection, CollectionViewRestriction

    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.SENDFILE_BACKEND = "deploy.sendfile_nginx"
    settings.SENDFILE_ROOT = str(tmp_path)
    settings.SENDFILE_URL = "/protected"
    doc = Document(title="报名表")
    doc.file.save("报名表.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    doc.save()
    r = client.get(doc.url)
    assert r.status_code == 200
    assert r["X-Accel-Redirect"].startswith("/protected/documents/") and r.content == b""
    assert "filename" in r["Content-Disposition"] and r["Content-Type"] == "application/pdf"

    # A document in a login-only collection: no X-Accel-Redirect for an anonymous visitor.
    private = Collection.get_first_root_node().add_child(name="内部资料")
    CollectionViewRestriction.objects.create(collection=private, restriction_type="login")
    secret = Document(title="内部", collection=private)
    secret.file.save("内部.pdf", ContentFile(b"%PDF-1.4 secret"), save=False)
    secret.save()
    r = client.get(secret.url)
    assert r.status_code in (302, 403) and "X-Accel-Redirect" not in r


def test_production_settings_from_the_environment():
    code = ("import json; from youthvoice.settings import production as p; print(json.dumps({"
            "'ignore': p.CACHES['default']['OPTIONS'].get('IGNORE_EXCEPTIONS'), 'sendfile': p.SENDFILE_BACKEND,"
            " 'url': p.SENDFILE_URL, 'root': p.SENDFILE_ROOT, 'debug': p.DEBUG, 'smtp': [p.EMAIL_HOST, p.EMAIL_PORT],"
            " 'lease': p.YV_OUTBOX_LEASE_SECONDS, 'conn': p.DATABASES['default']['CONN_MAX_AGE']}))")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "qnzs.example.org",
           "REDIS_URL": "redis://127.0.0.1:6379/0", "YV_SENDFILE_NGINX_URL": "/protected",
           "DJANGO_MEDIA_ROOT": "/srv/youthvoice/media", "EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587",
           "YV_OUTBOX_LEASE_SECONDS": "120"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    import json

    assert json.loads(out.stdout) == {
        "ignore": True, "sendfile": "deploy.sendfile_nginx", "url": "/protected", "root": "/srv/youthvoice/media",
        "debug": False, "smtp": ["smtp.example.org", 587], "lease": 120,
        "conn": 60,  # persistent database connections: set on the database, where Django reads it
    }
    missing = subprocess.run([sys.executable, "-c", "import youthvoice.settings.production"], cwd=ROOT,
                             env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert missing.returncode != 0 and "DJANGO_SECRET_KEY" in missing.stderr


def test_production_collectstatic_resolves_every_reference(tmp_path):
    """Production's manifest storage rewrites the references inside our static files (CSS url(),
    JS source maps) and fails on a missing one — e.g. a vendored library naming a map we do not
    ship. Run with the plain manifest storage (whitenoise's compression only adds time)."""
    code = (
        "import django; from django.conf import settings; django.setup()\n"
        "from django.core.management import call_command; from django.test.utils import override_settings\n"
        "with override_settings(STORAGES={**settings.STORAGES, 'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}):\n"
        "    call_command('collectstatic', interactive=False, verbosity=0)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "youthvoice.settings.production",
           "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "qnzs.example.org",
           "DJANGO_STATIC_ROOT": str(tmp_path / "static"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "static" / "staticfiles.json").exists()


def test_compose_file_is_accepted_by_docker_compose(tmp_path):
    """Both docker-compose v1 and `docker compose` v2 accept the file: no top-level `name:` (v1 rejects
    it); the project name comes from COMPOSE_PROJECT_NAME in deploy/.env. Run by whichever is installed
    (images are never pulled: `config` only parses, interpolates and validates)."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    assert "name" not in compose and "version" not in compose
    assert "COMPOSE_PROJECT_NAME=youthvoice" in (DEPLOY / "env.example").read_text().splitlines()
    tools = [cmd for cmd in (["docker-compose"], ["docker", "compose"]) if shutil.which(cmd[0])
             and subprocess.run([*cmd, "version"], capture_output=True, timeout=60).returncode == 0]
    if not tools:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(DEPLOY / "docker-compose.yml", deploy)
    shutil.copy(DEPLOY / "env.example", deploy / ".env")
    for cmd in tools:
        r = subprocess.run([*cmd, "-f", "docker-compose.yml", "config", "-q"], cwd=deploy, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, (cmd, r.stdout, r.stderr)
        r = subprocess.run([*cmd, "-f", "docker-compose.yml", "config", "--services"], cwd=deploy,
                           capture_output=True, text=True, timeout=120)
        assert {"db", "redis", "web", "worker", "beat", "nginx"} <= set(r.stdout.split()), (cmd, r.stdout)
