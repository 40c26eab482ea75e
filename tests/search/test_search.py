"""Search chats: who finds which past chats, how hits are shown, and what it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat import search
from chat.models import ChatSession, Listener, Message
from tests.factories import ChannelFactory, ChatSessionFactory, MessageFactory, make_agent, make_channel_manager
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


def ended_chat(channel, owner, name="Vera Visitor", email="vera@example.org", lines=("My parcel never arrived",)):
    chat = ChatSessionFactory(
        channel=channel, owner=owner, status=ChatSession.Status.ENDED, ended_at=timezone.now(),
        end_reason=ChatSession.EndReason.AGENT, visitor_name=name, visitor_email=email,
    )
    for body in lines:
        MessageFactory(session=chat, body=body)
    return chat


@pytest.fixture
def team():
    support, sales = ChannelFactory(slug="support"), ChannelFactory(slug="sales")
    alice, bob = make_agent("alice", channel=support), make_agent("bob", channel=support)
    carol = make_agent("carol", channel=support, can_respond=False, can_listen_in=True)
    maria = make_channel_manager("maria", support)
    otto = make_channel_manager("otto", sales)
    return {"support": support, "sales": sales, "alice": alice, "bob": bob, "carol": carol, "maria": maria,
            "otto": otto}


def found(user, query):
    return set(search.search_past_chats(user, query).values_list("pk", flat=True))


def test_an_agent_finds_her_own_chats_and_not_a_colleagues(team):
    hers = ended_chat(team["support"], team["alice"], lines=["The parcel was late"])
    bobs = ended_chat(team["support"], team["bob"], lines=["A parcel for Bob's visitor"])

    assert found(team["alice"], "parcel") == {hers.pk}
    assert found(team["bob"], "parcel") == {bobs.pk}


def test_an_agent_finds_a_chat_she_handed_over(team):
    handed = ended_chat(team["support"], team["bob"], lines=["parcel"])
    Listener.objects.create(session=handed, agent=team["alice"], reason=Listener.Reason.HANDED_OVER)

    assert found(team["alice"], "parcel") == {handed.pk}


def test_a_manager_and_a_listener_find_the_channels_chats_but_not_another_channels(team):
    alices = ended_chat(team["support"], team["alice"], lines=["parcel"])
    bobs = ended_chat(team["support"], team["bob"], lines=["parcel"])
    sales_chat = ended_chat(team["sales"], make_agent("sven", channel=team["sales"]), lines=["parcel"])

    assert found(team["maria"], "parcel") == {alices.pk, bobs.pk}
    assert found(team["carol"], "parcel") == {alices.pk, bobs.pk}
    assert found(team["otto"], "parcel") == {sales_chat.pk}


def test_ongoing_and_spam_chats_are_not_past_chats(team):
    ChatSessionFactory(channel=team["support"], owner=team["alice"], status=ChatSession.Status.ACTIVE,
                       visitor_name="Vera Visitor")
    spam = ended_chat(team["support"], team["alice"])
    spam.end_reason = ChatSession.EndReason.SPAM
    spam.save()

    assert found(team["maria"], "Vera") == set()


def test_name_email_and_message_words_match(team):
    chat = ended_chat(team["support"], team["alice"], name="Wilma Stone", email="wilma@quarry.example",
                      lines=["Where is my invoice for March?"])

    assert found(team["alice"], "wilma") == {chat.pk}
    assert found(team["alice"], "quarry.example") == {chat.pk}
    assert found(team["alice"], "invoice") == {chat.pk}
    assert found(team["alice"], "dinosaur") == set()


def test_message_text_is_searched_in_the_teams_language(team):
    """On PostgreSQL by full-text search: "invoices" finds "invoice" through the English stemmer, and the
    query uses the GIN index's expression; elsewhere by substring."""
    chat = ended_chat(team["support"], team["alice"], lines=["I got two invoices and one was wrong"])

    assert found(team["alice"], "two invoices") == {chat.pk}
    if connection.vendor == "postgresql":
        assert found(team["alice"], "invoice wrong") == {chat.pk}  # words, not a substring: stemmed, any order
        assert found(team["alice"], "wrongly invoiced") == {chat.pk}
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'chat_message_body_search'")
            (definition,) = cursor.fetchone()
        assert "gin" in definition and "to_tsvector('english'::regconfig" in definition
    else:
        assert found(team["alice"], "invoices and") == {chat.pk}
        assert found(team["alice"], "INVOICE") == {chat.pk}


def test_text_search_configuration_follows_the_language():
    assert search.search_config("en") == "english"
    assert search.search_config("nl") == "dutch"
    assert search.search_config("sv") == "swedish"
    assert search.search_config("fi") == "simple"


def test_hits_are_highlighted_and_a_script_stays_text(client, team):
    ended_chat(team["support"], team["alice"], name="<script>alert(1)</script> Parcel",
               lines=["<script>alert('parcel')</script> about my parcel"])
    client.force_login(team["alice"])

    page = client.get(reverse("search_chats"), {"q": "parcel"}).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Parcel</mark>" in page
    assert "&lt;script&gt;alert(&#x27;<mark>parcel</mark>&#x27;)&lt;/script&gt; about my <mark>parcel</mark>" in page


def test_a_hit_found_through_the_stemmer_is_highlighted_too(client, team):
    """On PostgreSQL "invoices" finds "invoiced" (one stem), and ts_headline says which word matched, so
    that word is marked though the query never spelled it; elsewhere the substring is marked."""
    ended_chat(team["support"], team["alice"], lines=["I was <b>wrongly</b> invoiced twice"])
    client.force_login(team["alice"])

    def snippet(query):
        return client.get(reverse("search_chats"), {"q": query}).content.decode()

    if connection.vendor == "postgresql":
        assert "&lt;b&gt;wrongly&lt;/b&gt; <mark>invoiced</mark> twice" in snippet("invoices")
        assert "<mark>invoiced</mark> twice" in snippet("invoice")
    else:
        assert "&lt;b&gt;wrongly&lt;/b&gt; <mark>invoice</mark>d twice" in snippet("invoice")


def test_the_search_box_is_labelled_and_offered_in_the_workspace(client, team):
    client.force_login(team["alice"])

    workspace = client.get(reverse("workspace")).content.decode()
    page = client.get(reverse("search_chats")).content.decode()

    assert f'href="{reverse("search_chats")}"' in workspace and "Search chats" in workspace
    assert '<label for="search-chats-q">Search chats</label>' in page


def test_opening_a_hit_shows_the_transcript_and_transfer_history_read_only(client, team):
    chat = ended_chat(team["support"], team["bob"], lines=["My parcel never arrived"])
    Transfer.objects.create(session=chat, from_agent=team["alice"], to_agent=team["bob"], requested_by=team["alice"],
                            status=Transfer.Status.ACCEPTED, decided_at=timezone.now(), decided_by=team["bob"])
    client.force_login(team["maria"])

    page = client.get(reverse("search_transcript", args=[chat.pk]), {"q": "parcel"}).content.decode()

    assert "My parcel never arrived" in page
    assert "Transfer history (1)" in page
    assert "<form" not in page.split("</header>", 1)[1]  # nothing to send, end or transfer


def test_a_colleagues_chat_does_not_open_for_an_agent(client, team):
    bobs = ended_chat(team["support"], team["bob"])
    client.force_login(team["alice"])

    assert client.get(reverse("search_transcript", args=[bobs.pk])).status_code == 404


def test_results_are_paginated(client, team):
    for _ in range(25):
        ended_chat(team["support"], team["alice"], lines=["parcel"])
    client.force_login(team["alice"])

    first = client.get(reverse("search_chats"), {"q": "parcel"})
    second = client.get(reverse("search_chats"), {"q": "parcel", "page": 2})

    assert len(first.context["page"]) == 20 and first.context["page"].paginator.count == 25
    assert len(second.context["page"]) == 5


def _queries_for(client, hits):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search_chats"), {"q": "parcel"})
    assert response.context["page"].paginator.count == hits
    return len(queries)


def test_the_query_count_does_not_grow_with_the_hits(client, team):
    client.force_login(team["maria"])
    for _ in range(5):
        ended_chat(team["support"], team["alice"], lines=["parcel", "another parcel"])
    with_five = _queries_for(client, 5)
    for _ in range(25):
        ended_chat(team["support"], team["bob"], lines=["parcel"])
    client.force_login(team["maria"])

    assert _queries_for(client, 30) == with_five


def test_event_lines_are_not_searched(team):
    chat = ended_chat(team["support"], team["alice"], lines=[])
    Message.objects.create(session=chat, kind=Message.Kind.EVENT, event=Message.Event.CHAT_ENDED, body="parcel")

    assert found(team["alice"], "parcel") == set()
