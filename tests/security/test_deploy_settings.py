"""Production settings come from the environment: with the README's production variables, Django's own
deployment check finds nothing to warn about. Run as a separate process, since settings are read from the
environment once, at start-up."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": "k3Y-7vQ9pL2xR8mN4wT6zB1cF5hJ0sD3gA9eU7iO2yW4qE6rT8uP1aS5dF7gH9jK",
    "ALLOWED_HOSTS": "help.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://help.example.com",
}


def deploy_check(**env):
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set for the test process only (tests/conftest.py)
        environment.pop(name, None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_documented_production_settings_pass_the_deployment_check():
    result = deploy_check(**PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_the_check_warns_of_what_https_turns_on():
    result = deploy_check(**{**PRODUCTION, "HTTPS": "0"})

    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout
