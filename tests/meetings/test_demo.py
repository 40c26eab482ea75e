"""The demo team can be booked at once: every demo agent works Monday to Friday, 09:00-17:00."""

from datetime import time

import pytest

from helpdesk.demo import create_demo_data
from meetings.models import WorkingPeriod

pytestmark = pytest.mark.django_db


def test_demo_agents_work_monday_to_friday_nine_to_five_and_a_second_run_adds_nothing():
    team = create_demo_data()
    create_demo_data()

    for agent in (team.alice, team.bob, team.carol, team.maria):
        periods = WorkingPeriod.objects.filter(calendar__agent=agent)
        assert [(p.weekday, p.starts, p.ends) for p in periods] == [(day, time(9), time(17)) for day in range(5)]
