"""Settings from the environment: production is safe, development is easy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "FISCAL_CERT_KEY", "MEDIA_S3"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path):
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "pos.example.ec",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://pos.example.ec",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "FISCAL_CERT_KEY": Fernet.generate_key().decode(),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }


def test_check_deploy_reports_no_issues(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "DEBUG", **production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_does_complain_in_development(tmp_path):
    """The check above can fail: with development settings it does."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG on


def test_production_refuses_the_dev_secret_key(tmp_path):
    env = production_env(tmp_path)
    env["DJANGO_SECRET_KEY"] = settings.DEV_SECRET_KEY
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    env.pop("DJANGO_SECRET_KEY")  # unset falls back to the dev key: refused too
    assert run_manage("check", **env).returncode != 0


def test_production_security_settings(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY,"
        " s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False True 31536000 True True True DENY True same-origin "
        "['pos.example.ec'] ['https://pos.example.ec']"
    )


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection as c;"
        "cur = c.cursor(); cur.execute('PRAGMA journal_mode');"
        "print(cur.fetchone()[0], c.transaction_mode, c.settings_dict['ENGINE'])"
    )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite3'}"}
    result = run_manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE", "django.db.backends.sqlite3"]
    # The default, with no DATABASE_URL at all, is the same embedded SQLite.
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s;"
        "d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['OPTIONS']['transaction_mode'], d['NAME'])",
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "IMMEDIATE",
        str(ROOT / "db.sqlite3"),
    ]


def test_postgres_url_uses_the_rls_backend(tmp_path):
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['OPTIONS'].get('assume_role'))"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://app@db.example.ec:5432/southernpos",
        DATABASE_ROLE="southernpos_app",
    )
    assert result.stdout.split() == [
        "backoffice.tenancy.pgbackend",
        "southernpos",
        "southernpos_app",
    ]


def test_locale_time_zone_and_currency():
    assert settings.LANGUAGE_CODE == "es-ec"
    assert [code for code, _ in settings.LANGUAGES] == ["es-ec", "en"]
    assert settings.TIME_ZONE == "America/Guayaquil"
    assert settings.USE_TZ is True
    assert settings.CURRENCY == "USD"


def test_pages_are_in_spanish_by_default_and_english_on_request(client, db):
    spanish = client.get("/admin/login/")
    assert spanish["Content-Language"] == "es-ec"
    assert "Contraseña" in spanish.content.decode()
    english = client.get("/admin/login/", headers={"accept-language": "en"})
    assert english["Content-Language"] == "en"
    assert "Password" in english.content.decode()


def test_psycopg_caches_the_checkouts_multi_row_inserts():
    """Our PostgreSQL backend raises psycopg's limit on the parameters of a
    query whose placeholder conversion it caches (a 5-line sale's INSERTs
    have 60–85). The constant is psycopg's: an upgrade that renames it fails
    here instead of silently slowing every checkout."""
    from psycopg import _queries
    from psycopg.adapt import Transformer

    import backoffice.tenancy.pgbackend.base  # noqa: F401 - sets the limit

    assert _queries.MAX_CACHED_STATEMENT_PARAMS == 1000
    sql = ("SELECT " + ", ".join(["%s::int"] * 85)).encode()
    hits = _queries._query2pg.cache_info().hits
    for _ in range(2):
        query = _queries.PostgresQuery(Transformer())
        query.convert(sql, list(range(85)))
        assert query.query.count(b"$") == 85
    assert _queries._query2pg.cache_info().hits == hits + 1


def test_gunicorn_workers_tune_the_garbage_collector():
    """gunicorn.conf.py's post_worker_init freezes what the app loaded and
    collects the young generation less often (backoffice/runtime.py)."""
    import gc
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    before = gc.get_threshold()
    try:
        config["post_worker_init"](worker=None)
        assert gc.get_threshold()[0] == 10_000
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
