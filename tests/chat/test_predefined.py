"""Predefined text: an agent's own quick replies, the team's reply templates and FAQs, per language; the
"Insert text" picker and "/shortcut" over HTTP; the admin where managers keep the team's texts."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from chat import predefined
from chat.models import ChatSession, PredefinedText
from chat.services.predefined import quick_reply_create, quick_reply_delete, quick_reply_update
from helpdesk.errors import Invalid, NotAllowed
from helpdesk.models import AgentProfile
from tests.factories import ChatSessionFactory, UserFactory, logged_in, make_agent

pytestmark = pytest.mark.django_db

Kind = PredefinedText.Kind


def team_text(kind=Kind.REPLY_TEMPLATE, shortcut="welcome", language="en", title=None, text=None):
    return PredefinedText.objects.create(
        kind=kind, shortcut=shortcut, language=language, title=title or shortcut.title(),
        text=text or f"The {shortcut} text in {language}.",
    )


def quick_reply(owner, shortcut="moment", language="en", title="One moment", text="One moment please."):
    return PredefinedText.objects.create(
        kind=Kind.QUICK_REPLY, owner=owner, shortcut=shortcut, language=language, title=title, text=text
    )


def speaks(agent, language):
    AgentProfile.objects.filter(user=agent).update(language=language)
    agent.refresh_from_db()


def shown(groups):
    return {group.kind: [text.title for text in group.texts] for group in groups}


# --- Quick replies: the services -------------------------------------------------------------------------


def test_an_agent_makes_a_quick_reply_typed_with_its_slash(alice):
    made = quick_reply_create(
        owner=alice, title=" Thanks ", shortcut="/Thanks", text=" Thank you for waiting! ", language="en"
    )

    assert (made.kind, made.owner, made.title, made.shortcut, made.text) == (
        Kind.QUICK_REPLY, alice, "Thanks", "thanks", "Thank you for waiting!"
    )


def test_a_shortcut_an_agent_already_uses_in_that_language_is_refused(alice, bob):
    quick_reply(alice, shortcut="thanks", language="en")

    with pytest.raises(Invalid, match=r"already have a quick reply with the shortcut /thanks"):
        quick_reply_create(owner=alice, title="Thanks again", shortcut="thanks", text="Thanks!", language="en")

    # The same shortcut in another language, or a colleague's, is another quick reply.
    quick_reply_create(owner=alice, title="Tack", shortcut="thanks", text="Tack!", language="sv")
    quick_reply_create(owner=bob, title="Thanks", shortcut="thanks", text="Thanks!", language="en")
    assert PredefinedText.objects.filter(shortcut="thanks").count() == 3


@pytest.mark.parametrize(
    "fields, sentence",
    [
        ({"title": " "}, "Give the quick reply a title."),
        ({"shortcut": "/"}, "Give the quick reply a shortcut."),
        ({"shortcut": "good bye"}, "A shortcut can only hold letters, digits, hyphens and underscores."),
        ({"shortcut": "x" * 41}, "A shortcut can be at most 40 characters long."),
        ({"text": ""}, "Type the text of the quick reply."),
        ({"text": "x" * 4001}, "A text can be at most 4000 characters long."),
        ({"language": "de"}, "Choose one of the languages offered."),
    ],
)
def test_an_incomplete_quick_reply_is_refused_with_what_is_missing(alice, fields, sentence):
    values = {"title": "Thanks", "shortcut": "thanks", "text": "Thanks!", "language": "en", **fields}

    with pytest.raises(Invalid) as refusal:
        quick_reply_create(owner=alice, **values)

    assert refusal.value.message == sentence
    assert not PredefinedText.objects.exists()


def test_the_owner_changes_a_quick_reply_and_may_keep_its_shortcut(alice):
    mine = quick_reply(alice, shortcut="moment")

    quick_reply_update(
        quick_reply=mine, by=alice, title="Just a moment", shortcut="moment", text="Just a moment, please.",
        language="en",
    )

    mine.refresh_from_db()
    assert (mine.title, mine.shortcut, mine.text) == ("Just a moment", "moment", "Just a moment, please.")


def test_changing_a_quick_reply_to_a_shortcut_already_taken_is_refused(alice):
    quick_reply(alice, shortcut="thanks", title="Thanks")
    mine = quick_reply(alice, shortcut="moment")

    with pytest.raises(Invalid, match="/thanks"):
        quick_reply_update(quick_reply=mine, by=alice, title="Thanks", shortcut="thanks", text="x", language="en")

    mine.refresh_from_db()
    assert mine.shortcut == "moment"


def test_a_colleague_cannot_change_or_delete_someone_elses_quick_reply(alice, bob):
    alices = quick_reply(alice)

    with pytest.raises(NotAllowed, match="Only the agent who made this quick reply"):
        quick_reply_update(quick_reply=alices, by=bob, title="Mine now", shortcut="mine", text="x", language="en")
    with pytest.raises(NotAllowed):
        quick_reply_delete(quick_reply=alices, by=bob)

    alices.refresh_from_db()
    assert (alices.owner, alices.title) == (alice, "One moment")


def test_reply_templates_and_faqs_are_not_changed_as_quick_replies(alice):
    template = team_text(Kind.REPLY_TEMPLATE)
    faq = team_text(Kind.FAQ, shortcut="hours")

    for text in (template, faq):
        with pytest.raises(NotAllowed, match="kept by managers in the admin"):
            quick_reply_update(quick_reply=text, by=alice, title="x", shortcut="x", text="x", language="en")
        with pytest.raises(NotAllowed):
            quick_reply_delete(quick_reply=text, by=alice)

    assert PredefinedText.objects.count() == 2


def test_the_owner_deletes_a_quick_reply(alice):
    mine = quick_reply(alice)

    quick_reply_delete(quick_reply=mine, by=alice)

    assert not PredefinedText.objects.exists()


# --- What an agent sees: language and search ---------------------------------------------------------------


def test_the_picker_offers_the_agents_own_language_grouped_by_kind(alice, bob):
    quick_reply(alice, shortcut="moment", language="nl", title="Momentje")
    quick_reply(alice, shortcut="moment", language="en", title="One moment")
    for language, title in [("en", "Welcome"), ("nl", "Welkom"), ("sv", "Välkommen")]:
        team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language=language, title=title)
    team_text(Kind.FAQ, shortcut="hours", language="nl", title="Openingstijden")
    speaks(alice, "nl")

    groups = predefined.search(alice, language=predefined.agent_language(alice, "en"))

    assert [group.label for group in groups] == ["Quick replies", "Reply templates", "FAQs"]
    assert shown(groups) == {
        Kind.QUICK_REPLY: ["Momentje"], Kind.REPLY_TEMPLATE: ["Welkom"], Kind.FAQ: ["Openingstijden"],
    }


def test_without_a_profile_language_the_language_of_the_request_decides(alice):
    assert predefined.agent_language(alice, "sv") == "sv"
    speaks(alice, "nl")
    assert predefined.agent_language(alice, "sv") == "nl"


def test_a_search_reaches_every_language_with_the_agents_own_first(alice):
    for language, title in [("sv", "Öppettider"), ("en", "Opening hours"), ("nl", "Openingstijden")]:
        team_text(Kind.FAQ, shortcut="hours", language=language, title=title)
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="en", title="Welcome")

    groups = predefined.search(alice, language="sv", query="hours")

    assert shown(groups) == {
        Kind.QUICK_REPLY: [], Kind.REPLY_TEMPLATE: [], Kind.FAQ: ["Öppettider", "Opening hours", "Openingstijden"],
    }


@pytest.mark.parametrize("query", ["refund", "/money", "14 days"])
def test_a_search_matches_the_title_the_shortcut_or_the_text(alice, query):
    team_text(Kind.FAQ, shortcut="money-back", title="Refunds", text="We refund within 14 days.")
    team_text(Kind.FAQ, shortcut="hours", title="Opening hours", text="Monday to Friday.")

    groups = predefined.search(alice, language="en", query=query)

    assert shown(groups)[Kind.FAQ] == ["Refunds"]


def test_an_agent_never_sees_a_colleagues_quick_replies(alice, bob):
    quick_reply(alice, shortcut="secret", title="Alice's own")
    quick_reply(bob, shortcut="bobs", title="Bob's own")

    assert shown(predefined.search(bob, language="en"))[Kind.QUICK_REPLY] == ["Bob's own"]
    assert shown(predefined.search(bob, language="en", query="own"))[Kind.QUICK_REPLY] == ["Bob's own"]
    assert [text.shortcut for text in predefined.shortcuts(bob, language="en")] == ["bobs"]


# --- Over HTTP -------------------------------------------------------------------------------------------


def test_the_picker_opens_with_a_search_field_and_the_texts_in_groups(alice):
    quick_reply(alice)
    team_text(Kind.REPLY_TEMPLATE, title="Welcome")
    team_text(Kind.FAQ, shortcut="hours", title="Opening hours")

    response = logged_in(alice).get("/predefined/")

    assert response.status_code == 200
    html = response.text
    assert '<label for="predefined-search">Search</label>' in html
    assert "New quick reply" in html
    assert html.index("Quick replies") < html.index("Reply templates") < html.index("FAQs")
    assert 'data-insert-text="The welcome text in en."' in html


def test_the_picker_search_shows_texts_in_other_languages_with_their_language(alice):
    team_text(Kind.FAQ, shortcut="hours", language="nl", title="Openingstijden")

    assert "Openingstijden" not in logged_in(alice).get("/predefined/").text
    response = logged_in(alice).get("/predefined/results/", {"q": "hours"})

    assert "Openingstijden" in response.text
    assert '<span class="tag">Dutch</span>' in response.text


def test_markup_in_a_predefined_text_is_inserted_as_text(alice):
    team_text(Kind.FAQ, title="<b>Bold</b>", text='<script>alert("x")</script>')

    html = logged_in(alice).get("/predefined/").text

    assert "<script>alert" not in html and "<b>Bold</b>" not in html
    assert "&lt;script&gt;" in html


def test_an_agent_saves_a_new_quick_reply_and_the_picker_lists_it(alice):
    response = logged_in(alice).post("/predefined/quick-replies/", {
        "title": "Thanks", "shortcut": "thanks", "text": "Thank you for waiting!", "language": "en", "q": "",
    })

    assert response.status_code == 200
    assert "Thank you for waiting!" in response.text
    assert 'id="quick-reply-editor" hx-swap-oob="true"' in response.text
    assert "predefined-changed" in json.loads(response.headers["HX-Trigger"])
    assert PredefinedText.objects.get(owner=alice).shortcut == "thanks"


def test_a_taken_shortcut_is_refused_over_http_with_the_reason(alice):
    quick_reply(alice, shortcut="thanks")

    response = logged_in(alice).post("/predefined/quick-replies/", {
        "title": "Thanks", "shortcut": "thanks", "text": "Thanks!", "language": "en",
    })

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "already have a quick reply with the shortcut /thanks" in response.text


def test_the_owner_edits_and_deletes_a_quick_reply_over_http(alice):
    mine = quick_reply(alice)
    client = logged_in(alice)

    form = client.get(f"/predefined/quick-replies/{mine.pk}/edit/")
    assert form.status_code == 200
    assert 'value="One moment"' in form.text and "Delete" in form.text

    changed = client.post(f"/predefined/quick-replies/{mine.pk}/", {
        "title": "Hold on", "shortcut": "hold", "text": "Hold on please.", "language": "en",
    })
    assert changed.status_code == 200
    mine.refresh_from_db()
    assert (mine.title, mine.shortcut) == ("Hold on", "hold")

    deleted = client.post(f"/predefined/quick-replies/{mine.pk}/delete/")
    assert deleted.status_code == 200
    assert not PredefinedText.objects.exists()


def test_a_colleagues_quick_reply_is_not_found_over_http(alice, bob):
    alices = quick_reply(alice)
    client = logged_in(bob)

    assert client.get(f"/predefined/quick-replies/{alices.pk}/edit/").status_code == 404
    update = client.post(f"/predefined/quick-replies/{alices.pk}/", {
        "title": "Mine", "shortcut": "mine", "text": "Mine.", "language": "en",
    })
    delete = client.post(f"/predefined/quick-replies/{alices.pk}/delete/")

    assert (update.status_code, delete.status_code) == (404, 404)
    assert update.text == "No such text."
    alices.refresh_from_db()
    assert alices.title == "One moment"


def test_a_reply_template_cannot_be_edited_or_deleted_from_the_workspace(alice):
    template = team_text(Kind.REPLY_TEMPLATE)
    client = logged_in(alice)

    edit = client.get(f"/predefined/quick-replies/{template.pk}/edit/")
    delete = client.post(f"/predefined/quick-replies/{template.pk}/delete/")

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert "kept by managers in the admin" in delete.text
    assert PredefinedText.objects.filter(pk=template.pk).exists()


def test_the_shortcuts_list_holds_the_agents_own_and_the_teams_texts_own_language_first(alice, bob):
    quick_reply(alice, shortcut="moment")
    quick_reply(bob, shortcut="bobs")
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="en")
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="nl", text="Welkom!")
    speaks(alice, "nl")

    data = logged_in(alice).get("/predefined/shortcuts/").json()

    assert [(t["shortcut"], t["language"]) for t in data["texts"]] == [
        ("welcome", "nl"), ("moment", "en"), ("welcome", "en"),
    ]
    assert data["texts"][0]["text"] == "Welkom!"


def test_from_a_chat_the_texts_come_in_the_language_its_visitor_reads(alice, support):
    """Alice works in English; her Dutch visitor reads what she inserts, so the chat's composer offers the
    Dutch texts and "/welcome" becomes the Dutch one."""
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="en", title="Welcome", text="Hello!")
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="nl", title="Welkom", text="Hallo!")
    session = ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_language="nl",
    )
    agent = logged_in(alice)

    panel = agent.get(f"/chats/{session.pk}/").text
    picker = agent.get(f"/predefined/?chat={session.pk}").text
    found = agent.get("/predefined/results/", {"chat": session.pk, "q": "welk"}).text
    texts = agent.get(f"/predefined/shortcuts/?chat={session.pk}").json()["texts"]
    new_quick_reply = agent.get(f"/predefined/quick-replies/new/?chat={session.pk}").text

    assert f'data-predefined-picker="/predefined/?chat={session.pk}"' in panel
    assert f'data-predefined-shortcuts="/predefined/shortcuts/?chat={session.pk}"' in panel
    assert "Welkom" in picker and "Welcome" not in picker
    assert f'name="chat" value="{session.pk}"' in picker  # searches and saves keep to this chat
    assert "Welkom" in found and '<span class="tag">' not in found
    assert [(t["shortcut"], t["language"]) for t in texts] == [("welcome", "nl"), ("welcome", "en")]
    assert '<option value="nl" selected>' in new_quick_reply
    assert "Welcome" in agent.get("/predefined/").text  # away from a chat, her own language


def test_a_chat_the_agent_may_not_open_does_not_choose_the_language(alice, bob, support):
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="en", title="Welcome")
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="nl", title="Welkom")
    bobs_chat = ChatSessionFactory(
        channel=support, owner=bob, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_language="nl",
    )

    picker = logged_in(alice).get("/predefined/", {"chat": bobs_chat.pk}).text

    assert "Welcome" in picker and "Welkom" not in picker


def test_saving_a_quick_reply_from_a_chat_lists_the_chats_language_first(alice, support):
    session = ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_language="sv",
    )

    response = logged_in(alice).post("/predefined/quick-replies/", {
        "chat": session.pk, "q": "", "title": "Tack", "shortcut": "tack", "text": "Tack för väntan!", "language": "sv",
    })

    assert response.status_code == 200
    assert "Tack" in response.text and '<span class="tag">' not in response.text


def test_saving_a_quick_reply_without_the_csrf_token_is_refused(alice):
    response = logged_in(alice, enforce_csrf_checks=True).post("/predefined/quick-replies/", {
        "title": "Thanks", "shortcut": "thanks", "text": "Thanks!", "language": "en",
    })

    assert response.status_code == 403
    assert not PredefinedText.objects.exists()


@pytest.mark.parametrize("path", ["/predefined/", "/predefined/results/?q=x", "/predefined/shortcuts/"])
def test_someone_who_is_not_an_agent_gets_no_predefined_text(path):
    team_text()
    outsider = UserFactory(username="outsider")

    response = logged_in(outsider).get(path)

    assert response.status_code == 403
    assert "welcome text" not in response.text


def test_saving_is_refused_for_a_get_request(alice):
    assert logged_in(alice).get("/predefined/quick-replies/").status_code == 405


# --- The composers ---------------------------------------------------------------------------------------


def test_the_agents_composer_has_insert_text_and_a_local_emoji_picker(support, alice):
    session = ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ACTIVE, answered_at=timezone.now()
    )

    html = logged_in(alice).get(f"/chats/{session.pk}/").text

    assert ">Insert text</button>" in html
    assert "Emoji</button>" in html
    assert 'data-emoji-data="/static/vendor/emoji-picker-element-data-1.8.0/en/emojibase/data.json"' in html
    assert "cdn.jsdelivr" not in html


def test_the_visitors_composer_has_the_emoji_picker_in_the_visitors_language_but_no_predefined_text(support):
    session = ChatSessionFactory(channel=support, visitor_language="nl")

    html = Client().get(f"/widget/support/chat/{session.token}/", HTTP_ACCEPT_LANGUAGE="nl").text

    assert "Emoji</button>" in html
    assert "emoji-picker-element-data-1.8.0/nl/cldr/data.json" in html
    assert "Insert text" not in html


def static_text(url):
    """A static file's text, found the way the static files app serves it."""
    return Path(finders.find(url.removeprefix(settings.STATIC_URL))).read_text(encoding="utf-8")


def emoji_picker_files(html):
    """The static files the "Emoji" button loads, by attribute."""
    return dict(re.findall(r'data-emoji-(data|i18n|locale)="([^"]+)"', html))


def test_a_swedish_visitor_and_agent_get_the_emoji_picker_in_swedish(support, alice):
    """Its words and emoji names: the picker ships no Swedish words, so ours are loaded, and they name
    every word its own translations do."""
    session = ChatSessionFactory(
        channel=support, owner=alice, status=ChatSession.Status.ACTIVE, answered_at=timezone.now(),
        visitor_language="sv",
    )
    AgentProfile.objects.filter(user=alice).update(language="sv")

    widget = emoji_picker_files(Client().get(f"/widget/support/chat/{session.token}/", HTTP_ACCEPT_LANGUAGE="sv").text)
    panel = emoji_picker_files(logged_in(alice).get(f"/chats/{session.pk}/").text)

    assert widget == panel
    assert widget["locale"] == "sv"
    assert widget["data"].endswith("/emoji-picker-element-data-1.8.0/sv/cldr/data.json")
    swedish = static_text(widget["i18n"])
    dutch = static_text(emoji_picker_files(
        Client().get(f"/widget/support/chat/{session.token}/", HTTP_ACCEPT_LANGUAGE="nl").text
    )["i18n"])
    words = re.compile(r"^\s*'?([\w-]+)'?:", re.MULTILINE)
    assert set(words.findall(swedish)) == set(words.findall(dutch))
    assert "Sök" in swedish and "Search" not in swedish
    assert json.loads(static_text(widget["data"]))  # the Swedish emoji names are there to search


# --- The admin: managers keep the team's texts ----------------------------------------------------------------


@pytest.fixture
def manager(support):
    maria = make_agent("maria", channel=support, is_manager=True)
    maria.is_staff = True
    maria.save(update_fields=["is_staff"])
    maria.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="chat", codename__endswith="_predefinedtext"
    ))
    return maria


def test_the_admin_lists_reply_templates_and_faqs_but_no_agents_quick_replies(manager, alice):
    team_text(Kind.REPLY_TEMPLATE, title="Welcome")
    team_text(Kind.FAQ, shortcut="hours", title="Opening hours")
    quick_reply(alice, title="Alice's private reply")

    html = logged_in(manager).get("/admin/chat/predefinedtext/").text

    assert "Welcome" in html and "Opening hours" in html
    assert "Alice&#x27;s private reply" not in html and "Alice's private reply" not in html


def test_a_manager_adds_a_reply_template_in_the_admin_and_agents_see_it(manager, alice):
    form = logged_in(manager).get("/admin/chat/predefinedtext/add/").text
    assert 'value="quick_reply"' not in form

    response = logged_in(manager).post("/admin/chat/predefinedtext/add/", {
        "kind": "reply_template", "title": "Refunds", "shortcut": "/Refund", "text": "We refund within 14 days.",
        "language": "en",
    })

    assert response.status_code == 302
    made = PredefinedText.objects.get()
    assert (made.kind, made.shortcut, made.owner) == (Kind.REPLY_TEMPLATE, "refund", None)
    assert shown(predefined.search(alice, language="en"))[Kind.REPLY_TEMPLATE] == ["Refunds"]


def test_the_admin_refuses_a_second_team_text_with_the_same_shortcut_and_language(manager):
    team_text(Kind.REPLY_TEMPLATE, shortcut="welcome", language="en")

    response = logged_in(manager).post("/admin/chat/predefinedtext/add/", {
        "kind": "faq", "title": "Welcome", "shortcut": "welcome", "text": "Hi!", "language": "en",
    })

    assert response.status_code == 200
    assert "already uses this shortcut" in response.text
    assert PredefinedText.objects.count() == 1


# --- Demo data -------------------------------------------------------------------------------------------


def test_the_demo_has_reply_templates_and_an_faq_in_three_languages_and_a_quick_reply_for_alice():
    from helpdesk.demo import create_demo_data

    team = create_demo_data()
    create_demo_data()

    texts = PredefinedText.objects.all()
    assert texts.filter(kind=Kind.REPLY_TEMPLATE).count() == 6
    assert texts.filter(kind=Kind.FAQ).count() == 3
    assert set(texts.filter(kind=Kind.FAQ).values_list("language", flat=True)) == {"en", "nl", "sv"}
    assert list(texts.filter(kind=Kind.QUICK_REPLY).values_list("owner", flat=True)) == [team.alice.pk]
    assert team.maria.has_perm("chat.add_predefinedtext") and team.maria.has_perm("chat.change_predefinedtext")
