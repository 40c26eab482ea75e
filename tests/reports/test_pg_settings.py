"""The Reports' chat statement over many chats crosses PostgreSQL's jit_above_cost, and compiling it cost
more than the whole statement (tests/load/bench_reports.py): the connections run without JIT."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def options_for(database_url: str) -> dict:
    """The database OPTIONS the settings give for this DATABASE_URL, read in a fresh process."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "helpdesk.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    assert options_for("postgres://postgres@127.0.0.1:5432/any")["options"] == "-c jit=off"
    if connection.vendor == "postgresql":  # and the server agrees, on the connection the tests use
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
