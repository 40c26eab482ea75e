"""Reports: who may see them, and each figure on a small data set whose numbers are worked out by hand below.

The data set (times in Europe/Amsterdam, UTC+1 in January), channel "support", period 5-6 January 2026:

    chat  start        wait  first reply  handling  owner  end          rating
    c1    5 Jan 10:00   30 s    60 s        630 s   alice  agent        5 "Great"
    c2    5 Jan 10:30   90 s   120 s        300 s   bob    visitor      3 "OK"
    c3    5 Jan 11:00  150 s   300 s       1800 s   alice  inactivity   4
    c4    6 Jan 09:15   -       -            -      -      abandoned
    c5    6 Jan 09:30   10 s    -           60 s    bob    spam
    c6    5 Jan 00:30   -       -            -      -      abandoned    (23:30 UTC the day before: in the period)
    c7    4 Jan 23:30   outside the period (22:30 UTC)
    sales 5 Jan 10:00   a chat of channel "sales", which maria does not manage

    wait [10, 30, 90, 150]: p50 = 30 + 0.5 * 60 = 60, p90 = 90 + 0.7 * 60 = 132, max 150
    first reply [60, 120, 300]: p50 120, p90 = 120 + 0.8 * 180 = 264, max 300
    handling (630 + 300 + 1800 + 60) / 4 = 697.5
    transfers: alice->bob accepted after 20 s (c1), bob->alice rejected (c2), alice->bob accepted after 40 s (c3),
    bob->alice cancelled (c3), bob->alice expired (c2), maria took c2 over: offered 5, accepted 2, rejected 1,
    cancelled 1, expired 1, acceptance rate 2 / (2 + 1 + 1) = 50 %, time to accept 30 s (max 40), 1 take-over.
    missed: 2 offline messages on support (5 Jan 14:00, 6 Jan 08:00), one on sales, and a request made from a
    chat, which is no missed chat.
"""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from chat.models import ChatSession, Listener, Message
from helpdesk.models import AgentProfile, Request
from tests.factories import ChannelFactory, ChatSessionFactory, make_agent
from transfers.models import Transfer

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PERIOD = {"period": "custom", "date_from": "2026-01-05", "date_to": "2026-01-06", "tz": "Europe/Amsterdam"}
ENDED = ChatSession.EndReason


def at(day, hour, minute=0, second=0):
    return datetime(2026, 1, day, hour, minute, second, tzinfo=AMSTERDAM)


def seconds_after(moment, seconds):
    return moment + timedelta(seconds=seconds)


def chat(channel, start, *, wait=None, first_reply=None, handling=None, owner=None, reason="", ended_after=None,
         rating=None, comment=""):
    answered = seconds_after(start, wait) if wait is not None else None
    ended = seconds_after(answered, handling) if handling is not None else (
        seconds_after(start, ended_after) if ended_after is not None else None)
    session = ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ENDED if reason else ChatSession.Status.ACTIVE,
        end_reason=reason, rating=rating, rating_comment=comment,
    )
    first_response = seconds_after(start, first_reply) if first_reply is not None else None
    # The stored first response is the first agent line's time, as message_post_by_agent keeps it
    # (tests/chat/test_first_response.py); set here with the lines' own back-dated times.
    ChatSession.objects.filter(pk=session.pk).update(
        created_at=start, answered_at=answered, ended_at=ended, first_response_at=first_response
    )
    line = Message.objects.create(session=session, kind=Message.Kind.VISITOR, body="Hello")
    Message.objects.filter(pk=line.pk).update(created_at=seconds_after(start, 5))
    if first_reply is not None:
        reply = Message.objects.create(session=session, kind=Message.Kind.AGENT, author=owner, body="Hi")
        Message.objects.filter(pk=reply.pk).update(created_at=first_response)
        later = Message.objects.create(session=session, kind=Message.Kind.AGENT, author=owner, body="More")
        Message.objects.filter(pk=later.pk).update(created_at=seconds_after(start, first_reply + 30))
    return session


def transfer(session, from_agent, to_agent, status, created, decided_after=5, kind=Transfer.Kind.TRANSFER):
    made = Transfer.objects.create(
        session=session, kind=kind, from_agent=from_agent, to_agent=to_agent, requested_by=from_agent,
        status=status, decided_at=seconds_after(created, decided_after),
    )
    Transfer.objects.filter(pk=made.pk).update(created_at=created)
    return made


def offline_message(channel, created, source=Request.Source.OFFLINE_FORM):
    made = Request.objects.create(source=source, channel=channel, title="Help", name="Vera", body="Call me")
    Request.objects.filter(pk=made.pk).update(created_at=created)


@pytest.fixture
def data(support, alice, bob, carol, maria):
    sales = ChannelFactory(slug="sales", name="Sales")
    sven = make_agent("sven", channel=sales)
    chats = {
        "c1": chat(support, at(5, 10), wait=30, first_reply=60, handling=630, owner=alice, reason=ENDED.AGENT,
                   rating=5, comment="Great"),
        "c2": chat(support, at(5, 10, 30), wait=90, first_reply=120, handling=300, owner=bob, reason=ENDED.VISITOR,
                   rating=3, comment="OK"),
        "c3": chat(support, at(5, 11), wait=150, first_reply=300, handling=1800, owner=alice,
                   reason=ENDED.INACTIVITY, rating=4),
        "c4": chat(support, at(6, 9, 15), reason=ENDED.ABANDONED, ended_after=60),
        "c5": chat(support, at(6, 9, 30), wait=10, handling=60, owner=bob, reason=ENDED.SPAM),
        "c6": chat(support, at(5, 0, 30), reason=ENDED.ABANDONED, ended_after=30),
        "c7": chat(support, at(4, 23, 30), wait=1000, first_reply=1000, handling=1000, owner=alice,
                   reason=ENDED.AGENT, rating=1, comment="Outside"),
        "sales": chat(sales, at(5, 10), wait=999, first_reply=999, handling=999, owner=sven, reason=ENDED.AGENT,
                      rating=1, comment="Sales comment"),
    }
    status = Transfer.Status
    transfer(chats["c1"], alice, bob, status.ACCEPTED, at(5, 10, 2), decided_after=20)
    transfer(chats["c2"], bob, alice, status.REJECTED, at(5, 10, 35))
    transfer(chats["c3"], alice, bob, status.ACCEPTED, at(5, 11, 5), decided_after=40)
    transfer(chats["c3"], bob, alice, status.CANCELLED, at(5, 11, 10))
    transfer(chats["c2"], bob, alice, status.EXPIRED, at(5, 10, 40))
    transfer(chats["c2"], bob, maria, status.ACCEPTED, at(5, 10, 45), kind=Transfer.Kind.TAKE_OVER)
    transfer(chats["sales"], sven, make_agent("sara", channel=sales), status.ACCEPTED, at(5, 10, 5))
    offline_message(support, at(5, 14))
    offline_message(support, at(6, 8))
    offline_message(sales, at(5, 14))
    offline_message(support, at(5, 15), source=Request.Source.CHAT)
    listen_in = Listener.objects.create(session=chats["c1"], agent=carol, reason=Listener.Reason.SUPERVISOR)
    Listener.objects.filter(pk=listen_in.pk).update(started_at=at(5, 10, 5))
    Listener.objects.create(session=chats["c1"], agent=alice, reason=Listener.Reason.HANDED_OVER)
    Listener.objects.create(session=chats["sales"], agent=sven, reason=Listener.Reason.SUPERVISOR)
    return chats


def report_of(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("reports"), {**PERIOD, **params})
    assert response.status_code == 200
    return response.context["report"]


# --- Who sees the reports ---------------------------------------------------------------------------------


def test_an_agent_without_manager_rights_gets_no_reports_link_and_a_403(client, alice):
    client.force_login(alice)
    assert "Reports" not in client.get(reverse("workspace")).content.decode()
    assert client.get(reverse("reports")).status_code == 403
    assert client.get(reverse("reports_csv")).status_code == 403


def test_a_listener_without_manager_rights_gets_a_403(client, carol):
    client.force_login(carol)
    assert client.get(reverse("reports")).status_code == 403


def test_a_manager_gets_the_link_and_the_page(client, maria):
    client.force_login(maria)
    workspace = client.get(reverse("workspace")).content.decode()
    assert f'href="{reverse("reports")}"' in workspace
    page = client.get(reverse("reports"))
    assert page.status_code == 200
    assert 'id="chart-chats"' in page.content.decode() and 'id="report-chart-data"' in page.content.decode()


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(reverse("reports")).url.startswith(reverse("login"))


def test_a_manager_of_one_channel_sees_only_that_channel(client, data, maria):
    report = report_of(client, maria)
    assert [channel.slug for channel, _row in report.by_channel] == ["support"]
    assert report.totals["started"] == 6
    assert "Sales comment" not in [c.rating_comment for c in report.latest_comments]
    assert [listen_in.session.channel.slug for listen_in in report.listen_ins] == ["support"]
    assert "sven" not in {agent.username for agent, _row in report.by_agent if agent}


def test_a_forged_channel_filter_reaches_no_other_channel(client, data, maria):
    sales = ChatSession.objects.get(pk=data["sales"].pk).channel
    report = report_of(client, maria, channel=sales.pk)
    assert report.scope.channel_ids == (data["c1"].channel_id,)


def test_the_manager_of_the_other_channel_sees_only_theirs(client, data):
    otto = make_agent("otto", channel=data["sales"].channel, is_manager=True)
    report = report_of(client, otto)
    assert [channel.slug for channel, _row in report.by_channel] == ["sales"]
    assert report.totals["started"] == 1 and report.totals["missed"] == 1


# --- The figures --------------------------------------------------------------------------------------------


def test_chat_counts(client, data, maria):
    totals = report_of(client, maria).totals
    assert (totals["started"], totals["answered"], totals["missed"]) == (6, 4, 2)
    assert (totals["abandoned"], totals["inactivity"], totals["spam"]) == (2, 1, 1)


def test_wait_first_response_and_handling_times(client, data, maria):
    totals = report_of(client, maria).totals
    assert (totals["wait_p50"], totals["wait_p90"], totals["wait_max"]) == pytest.approx((60, 132, 150), abs=0.01)
    assert (totals["first_response_p50"], totals["first_response_p90"], totals["first_response_max"]) == (
        pytest.approx((120, 264, 300), abs=0.01))
    assert totals["handling_avg"] == pytest.approx(697.5, abs=0.01)


def test_transfers(client, data, maria):
    totals = report_of(client, maria).totals
    assert [totals[key] for key in ("offered", "accepted", "rejected", "cancelled", "expired", "take_overs")] == [
        5, 2, 1, 1, 1, 1]
    assert totals["acceptance_rate"] == 0.5
    assert totals["accept_avg"] == pytest.approx(30, abs=0.01)
    assert totals["accept_max"] == pytest.approx(40, abs=0.01)


def test_ratings_and_latest_comments(client, data, maria):
    report = report_of(client, maria)
    assert report.totals["rating_avg"] == pytest.approx(4.0)
    assert report.totals["ratings"] == 3
    assert report.totals["distribution"] == [(1, 0), (2, 0), (3, 1), (4, 1), (5, 1)]
    assert [chat.rating_comment for chat in report.latest_comments] == ["OK", "Great"]


def test_listen_ins_say_who_which_chat_and_when(client, data, maria, carol):
    [listen_in] = report_of(client, maria).listen_ins
    assert (listen_in.agent, listen_in.session_id, listen_in.started_at) == (carol, data["c1"].pk, at(5, 10, 5))


def test_per_agent(client, data, maria, alice, bob):
    rows = dict(report_of(client, maria).by_agent)
    assert (rows[alice]["started"], rows[alice]["answered"]) == (2, 2)
    assert (rows[alice]["wait_p50"], rows[alice]["wait_p90"]) == pytest.approx((90, 138), abs=0.01)
    assert (rows[alice]["offered"], rows[alice]["accepted"], rows[alice]["acceptance_rate"]) == (3, 0, 0)
    assert (rows[bob]["started"], rows[bob]["spam"], rows[bob]["offered"], rows[bob]["accepted"]) == (2, 1, 2, 2)
    assert rows[bob]["acceptance_rate"] == 1
    assert rows[bob]["accept_avg"] == pytest.approx(30, abs=0.01)
    assert rows[maria]["take_overs"] == 1 and rows[maria]["started"] == 0
    assert (rows[None]["started"], rows[None]["abandoned"]) == (2, 2)


def test_per_channel_row_matches_the_totals(client, data, maria):
    [(channel, row)] = report_of(client, maria).by_channel
    assert (row["started"], row["missed"], row["offered"], row["ratings"]) == (6, 2, 5, 3)
    assert row["wait_p90"] == pytest.approx(132, abs=0.01)


def test_per_day_in_the_viewers_time_zone(client, data, maria):
    days = {day.isoformat(): row for day, row in report_of(client, maria).by_day}
    assert list(days) == ["2026-01-05", "2026-01-06"]
    assert (days["2026-01-05"]["started"], days["2026-01-05"]["missed"], days["2026-01-05"]["offered"]) == (4, 1, 5)
    assert (days["2026-01-06"]["started"], days["2026-01-06"]["abandoned"], days["2026-01-06"]["spam"]) == (2, 1, 1)


def test_per_hour_of_day_in_the_viewers_time_zone(client, data, maria):
    hours = {hour: row["started"] for hour, row in report_of(client, maria).by_hour}
    assert len(hours) == 24
    assert {hour: count for hour, count in hours.items() if count} == {0: 1, 9: 2, 10: 2, 11: 1}


def test_the_time_zone_moves_the_period(client, data, maria):
    """In UTC, c6 (00:30 in Amsterdam) started on 4 January, outside the period; c4 and c5 still fall inside."""
    totals = report_of(client, maria, tz="UTC").totals
    assert totals["started"] == 5


def test_agent_filter(client, data, maria, alice):
    totals = report_of(client, maria, agent=alice.pk).totals
    assert (totals["started"], totals["offered"], totals["missed"]) == (2, 3, 0)


def test_a_preset_period_covers_today(client, maria, support, alice):
    ChatSessionFactory(channel=support)
    report = report_of(client, maria, period="today", date_from="", date_to="")
    assert report.totals["started"] == 1 and report.scope.first_day == report.scope.last_day


def test_the_page_shows_the_numbers_in_tables(client, data, maria):
    client.force_login(maria)
    page = client.get(reverse("reports"), PERIOD).content.decode()
    assert 'id="report-channels"' in page and "<td>6</td>" in page
    assert "1 min 0 s" in page  # wait p50 of 60 s


@pytest.fixture
def language_restored():
    """The middleware activates the manager's language in this thread; later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_page_reads_in_the_managers_language(client, data, maria, language_restored):
    AgentProfile.objects.filter(user=maria).update(language="nl")
    client.force_login(maria)
    page = client.get(reverse("reports"), PERIOD).content.decode()
    for heading in ("Rapporten", "Gestarte chats", "Wachttijd in wachtrij p50", "Chats in de tijd", "Per kanaal",
                    "Per uur van de dag", "CSV downloaden"):
        assert heading in page
    assert "Chats started" not in page and "Per hour of day" not in page


def test_the_csv_reads_in_the_managers_language(client, data, maria, language_restored):
    AgentProfile.objects.filter(user=maria).update(language="sv")
    client.force_login(maria)
    rows = list(csv.reader(io.StringIO(client.get(reverse("reports_csv"), PERIOD).content.decode())))
    assert rows[0][:3] == ["Uppdelning", "Namn", "Startade chattar"]
    assert {row[0] for row in rows[1:]} == {"Totalt", "Kanal", "Agent", "Dag", "Timme på dygnet"}


# --- The CSV -------------------------------------------------------------------------------------------------


def test_csv_has_the_same_numbers(client, data, maria, alice):
    client.force_login(maria)
    response = client.get(reverse("reports_csv"), PERIOD)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    by_name = {(row[0], row[1]): dict(zip(header, row)) for row in rows[1:]}
    support = by_name[("Channel", "Support")]
    assert (support["Chats started"], support["Answered"], support["Missed (offline form)"]) == ("6", "4", "2")
    assert (support["Wait in queue p50 (s)"], support["Wait in queue p90 (s)"]) == ("60", "132")
    assert (support["Acceptance rate"], support["Take-overs"], support["Rating average"]) == ("0.50", "1", "4.00")
    assert by_name[("Agent", alice.get_full_name())]["Chats started"] == "2"
    assert by_name[("Day", "2026-01-06")]["Chats started"] == "2"
    assert by_name[("Hour of day", "00:00")]["Chats started"] == "1"
    assert [row[0] for row in rows[1:]].count("Hour of day") == 24
    assert ("Channel", "Sales") not in by_name


# --- Cost ------------------------------------------------------------------------------------------------------


def _queries_for_page(client, maria, support, alice, bob, chats, url="reports"):
    """The page's queries over `chats` chats, each with a transfer, a listen-in and an offline message."""
    for n in range(chats):
        made = chat(support, at(5, 10 + n % 12), wait=30, first_reply=60, handling=60, owner=alice,
                    reason=ENDED.AGENT, rating=1 + n % 5, comment="Fine")
        transfer(made, alice, bob, Transfer.Status.ACCEPTED, at(5, 10 + n % 12, 5))
        Listener.objects.create(session=made, agent=maria, reason=Listener.Reason.SUPERVISOR)
        offline_message(support, at(6, n % 24))
    client.force_login(maria)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(url), PERIOD).status_code == 200
    Transfer.objects.all().delete()
    Listener.objects.all().delete()
    Request.objects.all().delete()
    ChatSession.objects.all().delete()
    return len(queries)


@pytest.mark.parametrize("url", ["reports", "reports_csv"])
def test_query_count_does_not_grow_with_the_data(client, maria, support, alice, bob, url):
    few = _queries_for_page(client, maria, support, alice, bob, 3, url)
    assert _queries_for_page(client, maria, support, alice, bob, 40, url) == few
