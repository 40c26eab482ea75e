"""Working requests: the Requests list and its filters, a request's page, assigning, replying by e-mail,
pending / close / reopen, the Dashboard's Offline messages, and who may do any of it."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat.models import ChatSession
from helpdesk.errors import Invalid, NotFound
from helpdesk.models import Request, RequestReply
from helpdesk.services.requests import request_assign, request_reply, request_set_status
from live import events, fragments
from tests.factories import ChannelFactory, ChatSessionFactory, logged_in, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed_events(monkeypatch):
    """Every live event handed to the channel layer, as (group, event) pairs."""
    pushed = []
    monkeypatch.setattr(events, "send_now", lambda messages: pushed.extend(messages))
    return pushed


@pytest.fixture
def offline_request(support):
    return Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=support, name="Vera", email="vera@example.org",
        title="Where is my parcel?", body="Where is my parcel?\nOrder 1234",
    )


@pytest.fixture
def sven():
    """An agent of another channel."""
    return make_agent("sven", channel=ChannelFactory(slug="sales", name="Sales"))


def page(request_):
    return reverse("request_detail", args=[request_.pk])


def submission_of(html):
    return re.search(r'name="submission" value="(\w+)"', html).group(1)


# --- Who may --------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(offline_request):
    for url in (reverse("requests"), page(offline_request)):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = Client().post(reverse("request_take", args=[offline_request.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_agent_of_another_channel_neither_sees_nor_changes_the_request(offline_request, sven):
    client = logged_in(sven)

    assert client.get(page(offline_request)).status_code == 404
    for name, data in [("request_take", {}), ("request_assign", {"assigned_to": sven.pk}),
                       ("request_status", {"status": "closed"}), ("request_reply", {"body": "Hi", "submission": "x"})]:
        assert client.post(reverse(name, args=[offline_request.pk]), data).status_code == 404, name
    assert str(offline_request.pk) not in client.get(reverse("requests") + "?show=all").text.split("<tbody>")[1]
    offline_request.refresh_from_db()
    assert (offline_request.assigned_to, offline_request.status) == (None, Request.Status.OPEN)
    assert not RequestReply.objects.exists()


def test_a_listener_without_can_respond_cannot_work_a_request(support, offline_request):
    listener = make_agent("lena", channel=support, can_respond=False, can_listen_in=True)

    assert logged_in(listener).get(page(offline_request)).status_code == 404
    with pytest.raises(NotFound):
        request_set_status(request=offline_request, by=listener, status="closed")


def test_a_manager_of_the_channel_works_its_requests(maria, offline_request):
    assert logged_in(maria).get(page(offline_request)).status_code == 200
    request_set_status(request=offline_request, by=maria, status="closed")


# --- Assigning ------------------------------------------------------------------------------------------


def test_assign_to_me_tells_the_assignee_live(
    alice, offline_request, pushed_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(alice).post(reverse("request_take", args=[offline_request.pk]))

    assert response.status_code == 302 and response["Location"] == page(offline_request)
    offline_request.refresh_from_db()
    assert offline_request.assigned_to == alice
    assert (events.agent_group(alice.pk), {"type": events.AGENT_CHANGED, "parts": [events.REQUESTS]}) in [
        (group, {k: v for k, v in event.items() if k != "event_id"}) for group, event in pushed_events
    ]
    assert events.TEAM_GROUP in [group for group, _event in pushed_events]  # the Dashboard's Offline messages


def test_assign_to_a_colleague_mails_them_and_tells_both(alice, bob, offline_request, pushed_events,
                                                          django_capture_on_commit_callbacks):
    request_assign(request=offline_request, by=alice, assignee_id=alice.pk)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(alice).post(reverse("request_assign", args=[offline_request.pk]), {"assigned_to": bob.pk})

    offline_request.refresh_from_db()
    assert offline_request.assigned_to == bob
    told = {group for group, event in pushed_events if event.get("parts") == [events.REQUESTS]}
    assert told == {events.agent_group(alice.pk), events.agent_group(bob.pk)}
    assert [m.to for m in mail.outbox] == [[bob.email]]


def test_only_a_colleague_who_can_respond_on_the_channel_can_be_assigned(support, alice, sven, offline_request):
    listener = make_agent("lena", channel=support, can_respond=False, can_listen_in=True)
    for who in (sven.pk, listener.pk, "nobody"):
        with pytest.raises(Invalid):
            request_assign(request=offline_request, by=alice, assignee_id=who)


def test_the_assignee_sees_the_count_and_the_entry_in_their_requests_tab(alice, bob, offline_request):
    request_assign(request=offline_request, by=bob, assignee_id=alice.pk)

    html = "".join(fragments.agent_fragments(alice, "en", [events.REQUESTS]).values())

    assert 'id="requests-badge"' in html and ">1</span>" in html
    assert f"#{offline_request.pk} Where is my parcel?" in html
    workspace = logged_in(alice).get(reverse("workspace")).text
    assert 'id="tab-requests"' in workspace and 'id="requests-badge"' in workspace


# --- Replying -------------------------------------------------------------------------------------------


def test_a_reply_is_kept_and_mailed_once_after_commit(alice, offline_request, django_capture_on_commit_callbacks):
    client = logged_in(alice)
    submission = submission_of(client.get(page(offline_request)).text)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("request_reply", args=[offline_request.pk]),
                    {"body": "It left our warehouse today.", "submission": submission})
        assert mail.outbox == []  # nothing is mailed before the commit
    for callback in callbacks:
        callback()

    reply = RequestReply.objects.get()
    assert (reply.request, reply.author, reply.body, reply.sent_to) == (
        offline_request, alice, "It left our warehouse today.", "vera@example.org")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["vera@example.org"] and mail.outbox[0].body == "It left our warehouse today."
    assert f"#{offline_request.pk}" in mail.outbox[0].subject
    assert "It left our warehouse today." in client.get(page(offline_request)).text


def test_the_same_reply_sent_twice_makes_one_reply_and_one_mail(alice, offline_request,
                                                                 django_capture_on_commit_callbacks):
    client = logged_in(alice)
    form = {"body": "On its way", "submission": submission_of(client.get(page(offline_request)).text)}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("request_reply", args=[offline_request.pk]), form)
        second = client.post(reverse("request_reply", args=[offline_request.pk]), form)

    assert first.status_code == second.status_code == 302
    assert RequestReply.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("body", ["", "   \u200b ", "x" * 10_001])
def test_an_empty_or_too_long_reply_is_refused(alice, offline_request, body):
    response = logged_in(alice).post(reverse("request_reply", args=[offline_request.pk]),
                                     {"body": body, "submission": "abc"})

    assert response.status_code == 400 and 'role="alert"' in response.text
    assert not RequestReply.objects.exists() and mail.outbox == []


def test_a_5_mb_reply_is_refused_before_it_is_read(alice, offline_request):
    response = logged_in(alice).post(reverse("request_reply", args=[offline_request.pk]),
                                     {"body": "x" * 5_000_000, "submission": "abc"})

    assert response.status_code == 400
    assert not RequestReply.objects.exists()


def test_a_script_in_a_reply_or_a_request_is_shown_as_text(alice, support, django_capture_on_commit_callbacks):
    hostile = Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=support, name="<script>alert(1)</script>",
        email="vera@example.org", title="<script>alert(2)</script>", body="<script>alert(3)</script>",
    )
    request_reply(request=hostile, by=alice, body="<script>alert(4)</script>", submission="s1")

    for url in (page(hostile), reverse("requests") + "?show=all", reverse("workspace")):
        html = logged_in(alice).get(url).text
        assert "<script>alert" not in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in logged_in(alice).get(page(hostile)).text


def test_a_closed_request_takes_no_reply_until_reopened(alice, offline_request):
    request_set_status(request=offline_request, by=alice, status="closed")
    response = logged_in(alice).post(reverse("request_reply", args=[offline_request.pk]),
                                     {"body": "Hello", "submission": "abc"})
    assert response.status_code == 409 and not RequestReply.objects.exists()


# --- Status ---------------------------------------------------------------------------------------------


def test_pending_close_and_reopen(alice, offline_request):
    client = logged_in(alice)
    url = reverse("request_status", args=[offline_request.pk])
    for status in ("pending", "closed", "open"):
        assert client.post(url, {"status": status}).status_code == 302
        offline_request.refresh_from_db()
        assert offline_request.status == status
    assert client.post(url, {"status": "deleted"}).status_code == 400


# --- The list -------------------------------------------------------------------------------------------


def test_the_list_filters_by_assignee_and_status(support, alice, bob, offline_request):
    mine = Request.objects.create(source=Request.Source.CHAT, channel=support, name="Ann", title="Mine",
                                  body="b", assigned_to=alice, status=Request.Status.PENDING)
    bobs = Request.objects.create(source=Request.Source.CHAT, channel=support, name="Bo", title="Bobs",
                                  body="b", assigned_to=bob, status=Request.Status.CLOSED)
    client = logged_in(alice)

    def listed(query):
        html = client.get(reverse("requests") + query).text
        return {int(pk) for pk in re.findall(r'<tr data-request-id="(\d+)"', html)}

    assert listed("") == {mine.pk}  # Assigned to me is where one starts
    assert listed("?show=unassigned") == {offline_request.pk}
    assert listed("?show=all") == {mine.pk, bobs.pk, offline_request.pk}
    assert listed("?show=all&status=closed") == {bobs.pk}
    assert listed("?show=all&status=open") == {offline_request.pk}


def test_the_list_reads_in_constant_queries(support, alice, bob):
    def queries_for_the_list():
        client = logged_in(alice)
        client.get(reverse("requests") + "?show=all")  # the session and rights are read once per request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("requests") + "?show=all").status_code == 200
        return len(queries)

    Request.objects.create(source=Request.Source.CHAT, channel=support, name="A", title="A", body="b", assigned_to=bob)
    few = queries_for_the_list()
    for n in range(10):
        Request.objects.create(source=Request.Source.CHAT, channel=support, name=f"N{n}", title=f"T{n}", body="b",
                               assigned_to=bob if n % 2 else alice)
    assert queries_for_the_list() == few


# --- The Dashboard's Offline messages -------------------------------------------------------------------


def test_offline_messages_on_the_dashboard_can_be_assigned_answered_and_closed(
    alice, offline_request, pushed_events, django_capture_on_commit_callbacks
):
    client = logged_in(alice)
    dashboard = client.get(reverse("workspace")).text
    entry = re.search(rf'<li data-request-id="{offline_request.pk}">.*?</li>', dashboard, re.S).group(0)
    assert f'hx-post="{reverse("request_take", args=[offline_request.pk])}"' in entry
    assert f'href="{page(offline_request)}"' in entry
    assert "Close request" in entry

    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("request_take", args=[offline_request.pk]), headers={"HX-Request": "true"})
        closed = client.post(reverse("request_status", args=[offline_request.pk]), {"status": "closed"},
                             headers={"HX-Request": "true"})

    assert taken.status_code == closed.status_code == 204  # the live push redraws the list
    offline_request.refresh_from_db()
    assert (offline_request.assigned_to, offline_request.status) == (alice, Request.Status.CLOSED)
    team = [event for group, event in pushed_events if group == events.TEAM_GROUP]
    assert team and all(events.OFFLINE in event["parts"] for event in team)
    html = "".join(fragments.team_fragments({offline_request.channel_id: _rights(alice)}, "en",
                                            [events.OFFLINE]).values())
    assert "Closed" in html and "Reopen" in html and alice.get_full_name() in html


def _rights(user):
    from helpdesk import roles

    return roles.rights_on(user, roles.channels_where(user, "can_respond")[0])


def test_a_refusal_from_the_dashboard_is_plain_text(alice, offline_request):
    response = logged_in(alice).post(reverse("request_status", args=[offline_request.pk]), {"status": "x"},
                                     headers={"HX-Request": "true"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")


# --- The chat a request came from ------------------------------------------------------------------------


def test_a_request_from_an_ended_chat_links_to_its_transcript_for_who_may_read_it(support, alice, bob):
    chat = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ENDED,
                              end_reason=ChatSession.EndReason.AGENT, ended_at=timezone.now(), visitor_name="Vera")
    from_chat = Request.objects.create(source=Request.Source.CHAT, channel=support, session=chat, name="Vera",
                                       title="Refund", body="Vera: my refund")
    transcript = reverse("search_transcript", args=[chat.pk])

    assert f'href="{transcript}"' in logged_in(alice).get(page(from_chat)).text
    assert logged_in(alice).get(transcript).status_code == 200
    # bob works the channel's requests but may not read alice's chats: the chat is named, not linked
    bobs_page = logged_in(bob).get(page(from_chat)).text
    assert "Chat with Vera" in bobs_page and f'href="{transcript}"' not in bobs_page


def test_a_request_from_a_chat_still_going_names_the_chat_without_a_link(support, alice):
    chat = ChatSessionFactory(channel=support, owner=alice, status=ChatSession.Status.ACTIVE,
                              answered_at=timezone.now(), visitor_name="Vera")
    from_chat = Request.objects.create(source=Request.Source.CHAT, channel=support, session=chat, name="Vera",
                                       title="Refund", body="Vera: my refund")

    html = logged_in(alice).get(page(from_chat)).text
    assert "Chat with Vera" in html and reverse("search_transcript", args=[chat.pk]) not in html


def test_the_list_pages_beyond_a_hundred_requests(support, alice):
    Request.objects.bulk_create([
        Request(source=Request.Source.OFFLINE_FORM, channel=support, name=f"V{n}", title=f"T{n}", body="b")
        for n in range(101)
    ])
    client = logged_in(alice)

    def listed(query):
        html = client.get(reverse("requests") + query).text
        return html, re.findall(r'<tr data-request-id="(\d+)"', html)

    first_html, first = listed("?show=unassigned")
    second_html, second = listed("?show=unassigned&page=2")
    assert (len(first), len(second)) == (100, 1)
    assert not set(first) & set(second)
    assert "Page 1 of 2" in first_html and "show=unassigned&amp;status=&amp;page=2" in first_html
    assert "Page 2 of 2" in second_html
