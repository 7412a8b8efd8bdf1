"""Production set-up (issue 9 §3): deploy checks, media storage, local HTTP."""

import os

from cryptography.fernet import Fernet

from backoffice import checks
from tests.test_settings import production_env, run_manage

S3_ENV = {
    "MEDIA_S3_BUCKET": "southernpos-media",
    "MEDIA_S3_ENDPOINT_URL": "https://s3.example.ec",
    "MEDIA_S3_REGION": "us-east-1",
    "MEDIA_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "MEDIA_S3_SECRET_ACCESS_KEY": "secret-example",
}


def _ids(messages):
    return [m.id for m in messages]


# --- checks, in process ----------------------------------------------------------


def test_console_mail_warns_and_smtp_passes(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    [warning] = checks.check_email_backend()
    assert warning.id == "backoffice.W001"
    assert "never delivered" in warning.msg
    assert "smtp.EmailBackend" in warning.hint
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert checks.check_email_backend() == []


def test_media_root_passes_if_it_can_be_created_and_fails_under_a_file(
    settings, tmp_path, monkeypatch
):
    for name in list(os.environ):
        if name.startswith("MEDIA_S3"):
            monkeypatch.delenv(name)
    settings.MEDIA_ROOT = tmp_path / "media" / "uploads"  # created on first upload
    assert checks.check_media_storage() == []
    (tmp_path / "media").write_text("not a folder")
    [error] = checks.check_media_storage()
    assert error.id == "backoffice.E001"
    assert "is not a directory this process can write to" in error.msg
    assert "DJANGO_MEDIA_ROOT" in error.hint


def test_s3_variables_without_a_bucket_fail(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", "https://s3.example.ec")
    [error] = checks.check_media_storage()
    assert error.id == "backoffice.E002"
    assert "MEDIA_S3_ENDPOINT_URL set without MEDIA_S3_BUCKET" in error.msg


def test_s3_without_credentials_fails(settings, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": checks.S3_BACKEND,
            "OPTIONS": {"bucket_name": "southernpos-media", "access_key": "AKIA"},
        },
    }
    [error] = checks.check_media_storage()
    assert error.id == "backoffice.E003"
    assert "without MEDIA_S3_SECRET_ACCESS_KEY" in error.msg
    settings.STORAGES["default"]["OPTIONS"]["secret_key"] = "s"
    assert checks.check_media_storage() == []


def test_insecure_http_warns_only_with_debug_off(settings):
    settings.INSECURE_HTTP = True
    settings.DEBUG = False
    [warning] = checks.check_insecure_http()
    assert warning.id == "backoffice.W002"
    assert "local testing" in warning.hint
    settings.INSECURE_HTTP = False
    assert checks.check_insecure_http() == []


# --- the real commands, with the production environment ---------------------------


def test_check_deploy_fails_clearly_without_the_fiscal_key(tmp_path):
    env = production_env(tmp_path)
    env.pop("FISCAL_CERT_KEY")
    for command in (("check",), ("check", "--deploy")):
        result = run_manage(*command, **env)
        assert result.returncode != 0
        assert "fiscal.E001" in result.stderr
        assert "FISCAL_CERT_KEY is not set" in result.stderr
        assert "Fernet.generate_key()" in result.stderr


def test_check_deploy_fails_clearly_without_the_schemas(tmp_path):
    env = production_env(tmp_path) | {"SRI_XSD_DIR": str(tmp_path / "no-xsd")}
    result = run_manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "fiscal.E003" in result.stderr
    assert f"SRI schema directory {tmp_path / 'no-xsd'} does not exist" in (
        result.stderr
    )


def test_check_deploy_warns_about_console_mail(tmp_path):
    env = production_env(tmp_path)
    env.pop("DJANGO_EMAIL_BACKEND")
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "backoffice.W001" in result.stderr


def test_a_second_key_rotates_and_a_bad_one_is_named(tmp_path):
    env = production_env(tmp_path)
    env["FISCAL_CERT_KEY"] += "," + Fernet.generate_key().decode()
    assert run_manage("check", "--deploy", **env).returncode == 0
    env["FISCAL_CERT_KEY"] += ",oops"
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "key number 3 is not a valid Fernet key" in result.stderr


SHOW_STORAGE = (
    "from django.conf import settings as s;"
    "from django.core.files.storage import default_storage as d;"
    "print(s.STORAGES['default']['BACKEND']);"
    "print(d.url('logos/marca.png'));"
    "from django.urls import reverse, NoReverseMatch;"
    'exec(\'try: print(reverse("media", args=["a.png"]))\\n'
    'except NoReverseMatch: print("no media route")\')'
)


def test_storage_is_local_by_default_and_served_by_the_app(tmp_path):
    result = run_manage(
        "shell", "--no-imports", "-c", SHOW_STORAGE, **production_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.files.storage.FileSystemStorage",
        "/media/logos/marca.png",
        "/media/a.png",
    ]


def test_s3_bucket_switches_storage_to_signed_object_urls(tmp_path):
    env = production_env(tmp_path) | S3_ENV
    result = run_manage("shell", "--no-imports", "-c", SHOW_STORAGE, **env)
    assert result.returncode == 0, result.stderr
    backend, url, route = result.stdout.splitlines()
    assert backend == "storages.backends.s3.S3Storage"
    assert url.startswith("https://s3.example.ec/southernpos-media/logos/marca.png?")
    assert "X-Amz-Signature=" in url  # private bucket: signed (v4), expiring URLs
    assert route == "no media route"  # the bucket serves uploads, not the app
    assert (
        run_manage("check", "--deploy", "--fail-level", "DEBUG", **env).returncode == 0
    )


def test_s3_custom_domain_gives_plain_urls(tmp_path):
    env = production_env(tmp_path) | S3_ENV
    env["MEDIA_S3_CUSTOM_DOMAIN"] = "media.example.ec"
    result = run_manage("shell", "--no-imports", "-c", SHOW_STORAGE, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "https://media.example.ec/logos/marca.png"


def test_s3_without_keys_fails_check_deploy(tmp_path):
    env = production_env(tmp_path) | S3_ENV
    env.pop("MEDIA_S3_SECRET_ACCESS_KEY")
    result = run_manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "backoffice.E003" in result.stderr


SHOW_SECURITY = (
    "from django.conf import settings as s;"
    "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
    " s.SECURE_PROXY_SSL_HEADER[0])"
)


def test_insecure_http_switch_for_local_testing(tmp_path):
    env = production_env(tmp_path)
    default = run_manage("shell", "--no-imports", "-c", SHOW_SECURITY, **env)
    assert default.stdout.split() == ["True", "True", "True", "HTTP_X_FORWARDED_PROTO"]
    env["DJANGO_INSECURE_HTTP"] = "1"
    local = run_manage("shell", "--no-imports", "-c", SHOW_SECURITY, **env)
    assert local.stdout.split() == ["False", "False", "False", "HTTP_X_FORWARDED_PROTO"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    for warning in ("backoffice.W002", "security.W008", "security.W012"):
        assert warning in result.stderr
