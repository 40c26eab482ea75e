"""The Reports' chat statement over many chats crosses PostgreSQL's jit_above_cost, and compiling it cost
more than the whole statement (tests/load/bench_reports.py): the connections run without JIT."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
