"""Settings read from the environment: a wrong value stops the start with a sentence, not a later surprise."""

import os
import subprocess
import sys

from django.conf import settings


def django_check(**environment):
    env = {**os.environ, **environment}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.LANGUAGE_CODE)"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )


def test_the_teams_language_comes_from_the_environment():
    result = django_check(LANGUAGE_CODE="sv")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "sv"


def test_a_language_the_helpdesk_does_not_speak_is_refused_at_start():
    result = django_check(LANGUAGE_CODE="de")

    assert result.returncode != 0
    assert "LANGUAGE_CODE must be one of en, nl, sv, not 'de'" in result.stderr
