"""Who may use which address: every route of the URLconf and every websocket route, for each kind of person,
against a rule that says what they must get.

The routes are read from the URLconf (django.urls.get_resolver()) and live/routing.py, not listed by hand: a
new route with no rule here fails `test_every_route_has_a_rule`, so nobody adds an address without saying who
may use it. The admin is one rule for all its addresses (the login for everyone but staff) and, model by
model, a check that a manager of one channel reaches only that channel's records.

Outcomes: OK (served, or refused for a reason that is not about the person: a 400, a 409), LOGIN (sent to
log in; a socket closed with 4401), DENIED (403 or 404, the admin's redirect away from a record it does not
show; a socket closed with 4403 or 4404). A 5xx or a 405 fails any rule.
"""

import re
import secrets
from dataclasses import dataclass, field

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from chat.models import Attachment, BlockedAddress, ChatSession, Listener, Message, PredefinedText
from helpdesk.models import Activity, Contact, Request
from live.routing import websocket_urlpatterns
from meetings.invitations import cancel_signature
from meetings.models import CalendarShown, ChannelMeetings, Meeting, WorkingCalendar
from tests.factories import (
    CHANNEL_MANAGER_PERMISSIONS,
    ChannelFactory,
    ChatSessionFactory,
    make_agent,
    make_channel_manager,
)
from transfers.models import Transfer

OK, LOGIN, DENIED = "ok", "login", "denied"

ANONYMOUS, VISITOR, OTHER_VISITOR = "anonymous", "visitor", "other visitor"
AGENT, OTHER_AGENT, LISTENER = "agent", "agent of another channel", "listener"
MANAGER, OTHER_MANAGER = "manager", "manager of another channel"
ROLES = [ANONYMOUS, VISITOR, OTHER_VISITOR, AGENT, OTHER_AGENT, LISTENER, MANAGER, OTHER_MANAGER]
NOT_LOGGED_IN = (ANONYMOUS, VISITOR, OTHER_VISITOR)
LOGGED_IN = tuple(role for role in ROLES if role not in NOT_LOGGED_IN)


@dataclass(frozen=True)
class Rule:
    method: str
    outcomes: dict  # role -> outcome
    chat: str = "chat"  # which of the world's chats a <session_id> names
    data: object = field(default_factory=dict)  # the form, or a function of the world that makes it


def rule(method, default, chat="chat", data=None, **by_role):
    """`default` for every role, changed for some: by_role names roles as keywords (agent=OK, ...)."""
    names = {name.replace(" ", "_"): name for name in ROLES}
    outcomes = {role: default for role in ROLES}
    outcomes.update({names[key]: value for key, value in by_role.items()})
    return Rule(method, outcomes, chat, data or {})


def everyone(method, **kwargs):
    return rule(method, OK, **kwargs)


def agents(method, **kwargs):
    """For every agent (all our logged-in roles are on some team); the others are sent to log in."""
    return rule(method, OK, anonymous=LOGIN, visitor=LOGIN, other_visitor=LOGIN, **kwargs)


def chat_people(method, ok=(AGENT, MANAGER, LISTENER), **kwargs):
    """For those who may act on, or see, the world's chat of channel "support": `ok`; other agents are denied."""
    outcomes = {role: (OK if role in ok else DENIED) for role in LOGGED_IN}
    outcomes.update({role: LOGIN for role in NOT_LOGGED_IN})
    return Rule(method, outcomes, **kwargs)


def chat_holder(method, **kwargs):
    """A widget route named by the visitor's token: their own chat. Without a token (agents, or a guessed one)
    there is nothing to find."""
    return rule(method, DENIED, visitor=OK, other_visitor=OK, **kwargs)


def managers(method, **kwargs):
    """For a manager of some channel (each sees only the channels they manage); other agents are denied."""
    return rule(method, DENIED, anonymous=LOGIN, visitor=LOGIN, other_visitor=LOGIN, manager=OK, manager_of_another_channel=OK,
                **kwargs)


OWNER_ONLY = (AGENT,)
OWNER_OR_MANAGER = (AGENT, MANAGER)
WATCHERS = (AGENT, LISTENER, MANAGER)

RULES = {
    # Django's own account pages.
    "login": everyone("get"),
    "logout": rule("post", LOGIN),
    "password_change": agents("get"),
    "password_change_done": agents("get"),
    "password_reset": everyone("get"),
    "password_reset_done": everyone("get"),
    "password_reset_confirm": everyone("get"),
    "password_reset_complete": everyone("get"),
    "set_language": everyone("post", data={"language": "nl"}),
    # The agent's own settings.
    "set_presence": agents("post", data={"status": "away"}),
    "set_sounds": agents("post", data={"sounds": "off"}),
    "switch_language": everyone("post", data={"language": "nl"}),  # the login page has the switch too
    # The workspace.
    "workspace": agents("get"),
    "take_next": agents("post"),  # nobody a listener answers waits: 409, not a refusal of the person
    "chat_panel": chat_people("get", ok=WATCHERS),
    "answer": chat_people("post", ok=(AGENT, MANAGER), chat="queued"),
    "send_message": chat_people("post", ok=OWNER_ONLY, data={"body": "Hello"}),
    "end_chat": chat_people("post", ok=OWNER_OR_MANAGER),
    "mark_spam": chat_people("post", ok=OWNER_OR_MANAGER),
    "end_queued": chat_people("post", ok=(MANAGER,), data=lambda world: {"session": world.chats["queued"].pk}),
    "close_window": chat_people("post", ok=(LISTENER, MANAGER)),  # the owner has no window to close
    "recent_transcript": chat_people("get", ok=WATCHERS, chat="ended"),
    "search_chats": agents("get", data={"q": "Vera"}),
    "search_transcript": chat_people("get", ok=WATCHERS, chat="ended"),  # its owner, the channel's supervisors
    "typing": chat_people("post", ok=OWNER_ONLY),
    "send_file": chat_people("post", ok=OWNER_ONLY),
    "chat_file": chat_people("get", ok=WATCHERS),
    "contact_panel": chat_people("get", ok=WATCHERS),
    "contact_search": chat_people("get", ok=WATCHERS, data={"q": "Vera"}),
    "contact_link": chat_people("post", ok=OWNER_OR_MANAGER, data=lambda world: {"contact": world.contact.pk}),
    "contact_create": chat_people("post", ok=OWNER_OR_MANAGER),
    "request_form": chat_people("get", ok=OWNER_OR_MANAGER),  # for those who can respond on the channel
    "request_create": chat_people("post", ok=OWNER_OR_MANAGER),
    # Working requests: for those who respond on, or manage, the request's channel ("support"); a listener
    # without Can respond, like an agent of another channel, is told it does not exist.
    "requests": agents("get"),
    "request_detail": chat_people("get", ok=(AGENT, MANAGER)),
    "request_assign": chat_people("post", ok=(AGENT, MANAGER), data=lambda world: {"assigned_to": world.people[AGENT].pk}),
    "request_take": chat_people("post", ok=(AGENT, MANAGER)),
    "request_status": chat_people("post", ok=(AGENT, MANAGER), data={"status": "pending"}),
    "request_reply": chat_people("post", ok=(AGENT, MANAGER), data={"body": "Hello", "submission": "matrix"}),
    "transfer_start": chat_people("post", ok=OWNER_OR_MANAGER),
    "take_over": chat_people("post", ok=(MANAGER,)),
    # The transfer waiting for bob: only bob answers it; its starter (the agent) or a manager cancels it.
    "transfer_accept": chat_people("post", ok=()),
    "transfer_reject": chat_people("post", ok=()),
    "transfer_cancel": chat_people("post", ok=OWNER_OR_MANAGER),
    # Predefined text: every agent's picker; a quick reply is its owner's alone, managers included.
    "predefined_picker": agents("get"),
    "predefined_results": agents("get", data={"q": "refund"}),
    "predefined_shortcuts": agents("get"),
    "quick_reply_new": agents("get"),
    "quick_reply_create": agents("post"),
    "quick_reply_edit": chat_people("get", ok=OWNER_ONLY),
    "quick_reply_update": chat_people("post", ok=OWNER_ONLY),
    "quick_reply_delete": chat_people("post", ok=OWNER_ONLY),
    # Reports: for managers, each limited to their own channels (tests/reports/).
    "reports": managers("get"),
    "reports_csv": managers("get"),
    # The widget: public where it starts a chat, named by the visitor's token after that.
    "widget": everyone("get"),
    "widget_start": everyone("post", data={"name": "Vera"}),
    "widget_offline": everyone("post", data={"name": "Vera", "email": "vera@example.org", "message": "Hi"}),
    "demo_host": everyone("get"),
    "widget_embedding": everyone("get"),  # where the loader may show the chat: public, as the page's own header
    "widget_chat": chat_holder("get"),
    "widget_message": chat_holder("post", data={"body": "Hello"}),
    "widget_end": chat_holder("post"),
    "widget_send_file": chat_holder("post"),
    "widget_file": rule("get", DENIED, visitor=OK),  # the other visitor's token does not open this chat's file
    "widget_feedback": chat_holder("post", data={"rating": "5"}),
    "widget_reactivate": chat_holder("post"),
    "widget_typing": chat_holder("post"),
    # The meeting booker: the chat's owner or a manager shows calendars; each agent reads their own meetings,
    # and a meeting's chat opens for its agent and the channel's watchers; the calendar card is its chat's
    # visitor's alone (another visitor's token does not open it); the signed cancel link is its own key.
    "meeting_book_form": chat_people("get", ok=OWNER_OR_MANAGER),
    "meeting_show_calendar": chat_people("post", ok=OWNER_OR_MANAGER,
                                         data=lambda world: {"agent": world.people[AGENT].pk}),
    "meeting_away_colleagues": chat_people("get", ok=OWNER_OR_MANAGER),
    "meetings_upcoming": agents("get"),
    "meeting_hours": agents("get"),
    "meeting_transcript": chat_people("get", ok=WATCHERS),
    "meeting_cancel": everyone("get"),
    "widget_meeting_slots": rule("get", DENIED, visitor=OK),
    "widget_meeting_confirm": rule("get", DENIED, visitor=OK),
    "widget_meeting_book": rule("post", DENIED, visitor=OK),
    "widget_page_view": chat_holder("post", data={"url": "http://testserver/pricing/", "title": "Pricing"}),
}

ADMIN_PREFIX = "admin/"

WS_RULES = {
    "ws/workspace/": rule("ws", OK, anonymous=LOGIN, visitor=LOGIN, other_visitor=LOGIN),
    "ws/chats/<int:session_id>/": chat_people("ws", ok=WATCHERS),
    "ws/widget/<str:token>/": chat_holder("ws"),
    "ws/admin/chat-sessions/": chat_people("ws", ok=(MANAGER, OTHER_MANAGER)),  # the list shows their own
}


def http_routes():
    """(route, name) of every address outside the admin, the admin's as one ADMIN_PREFIX entry."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route == ADMIN_PREFIX:
                    yield route, ADMIN_PREFIX
                else:
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, pattern.name

    return list(walk(get_resolver().url_patterns))


def websocket_routes():
    return [str(pattern.pattern) for pattern in websocket_urlpatterns]


def test_every_route_has_a_rule_and_every_rule_a_route():
    routes = http_routes()
    names = [name for _route, name in routes]
    assert None not in names, f"a route without a name cannot have a rule: {routes}"
    assert ADMIN_PREFIX in names
    assert set(names) - {ADMIN_PREFIX} - set(RULES) == set(), "new routes need a rule in RULES"
    assert set(RULES) - set(names) == set(), "rules for routes that are gone"
    assert set(websocket_routes()) == set(WS_RULES), "each websocket route needs a rule in WS_RULES"


# --- The world every case runs in -----------------------------------------------------------------------


@dataclass
class World:
    people: dict
    chats: dict
    transfer: Transfer
    attachment: Attachment
    quick_reply: PredefinedText
    contact: Contact
    tokens: dict
    work_request: Request
    calendar: CalendarShown
    meeting: Meeting


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    support, sales = ChannelFactory(slug="support", name="Support"), ChannelFactory(slug="sales", name="Sales")
    people = {
        AGENT: make_agent("alice", channel=support),
        OTHER_AGENT: make_agent("sven", channel=sales),
        LISTENER: make_agent("carol", channel=support, can_respond=False, can_listen_in=True),
        MANAGER: make_channel_manager("max", support),
        OTHER_MANAGER: make_channel_manager("otto", sales),
    }
    bob = make_agent("bob", channel=support)
    alice = people[AGENT]
    active = {"status": ChatSession.Status.ACTIVE, "owner": alice, "answered_at": timezone.now()}
    chats = {
        "chat": ChatSessionFactory(channel=support, visitor_name="Vera", **active),
        "queued": ChatSessionFactory(channel=support),
        "ended": ChatSessionFactory(
            channel=support, status=ChatSession.Status.ENDED, owner=alice, ended_at=timezone.now(),
            end_reason=ChatSession.EndReason.AGENT,
        ),
        "handed": ChatSessionFactory(channel=support, **active),
        "other visitor's": ChatSessionFactory(channel=support),
    }
    transfer = Transfer.objects.create(session=chats["handed"], from_agent=alice, to_agent=bob, requested_by=alice)
    line = Message.objects.create(session=chats["chat"], kind=Message.Kind.VISITOR, body="")
    attachment = Attachment(message=line, original_name="a.txt", size=5, content_type="text/plain")
    attachment.file.save("a.txt", ContentFile(b"hello"), save=True)
    quick_reply = PredefinedText.objects.create(
        kind=PredefinedText.Kind.QUICK_REPLY, owner=alice, title="Hi", shortcut="hi", text="Hello!",
    )
    contact = Contact.objects.create(first_name="Vera", last_name="Visitor", email="vera@example.org")
    tokens = {VISITOR: chats["chat"].token, OTHER_VISITOR: chats["other visitor's"].token}
    work_request = Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=support, title="Refund", name="Vera", email="vera@example.org",
        body="Refund",
    )
    calendar = CalendarShown.objects.create(session=chats["chat"], agent=alice, shown_by=alice)
    meeting = Meeting.objects.create(
        channel=support, session=chats["chat"], agent=alice, visitor_name="Vera", visitor_email="vera@example.org",
        starts_at=timezone.now() + timezone.timedelta(days=1), ends_at=timezone.now() + timezone.timedelta(days=1, hours=1),
    )
    return World(people, chats, transfer, attachment, quick_reply, contact, tokens, work_request, calendar, meeting)


def url_kwargs(world, role, route_rule):
    return {
        "session_id": world.chats[route_rule.chat].pk,
        "transfer_id": world.transfer.pk,
        "attachment_id": world.attachment.pk,
        "pk": world.quick_reply.pk,
        "request_id": world.work_request.pk,
        "calendar_id": world.calendar.pk,
        "meeting_id": world.meeting.pk,
        "signature": cancel_signature(world.meeting),
        "slug": "support",
        "token": world.tokens.get(role) or secrets.token_urlsafe(32),  # anyone else can only guess one
        "uidb64": "MQ",
        "token_reset": "set-password",
    }


def address(name, pattern_route, kwargs):
    wanted = re.findall(r"<(?:\w+:)?(\w+)>", pattern_route)
    if name == "password_reset_confirm":
        return reverse(name, kwargs={"uidb64": kwargs["uidb64"], "token": kwargs["token_reset"]})
    return reverse(name, kwargs={key: kwargs[key] for key in wanted})


def client_for(world, role) -> Client:
    client = Client()
    if role in world.people:
        client.force_login(world.people[role])
    return client


def outcome_of(response, login_url=None) -> str:
    login_url = login_url or reverse(settings.LOGIN_URL)
    assert response.status_code < 500 and response.status_code != 405, response.status_code
    if response.status_code == 302 and response["Location"].startswith(login_url):
        return LOGIN
    if response.status_code in (403, 404):
        return DENIED
    return OK


HTTP_CASES = [
    pytest.param(name, route, role, id=f"{name}-{role}")
    for route, name in http_routes() if name in RULES
    for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, route, role", HTTP_CASES)
def test_http_route(world, name, route, role):
    route_rule = RULES[name]
    url = address(name, route, url_kwargs(world, role, route_rule))
    send = getattr(client_for(world, role), route_rule.method)

    data = route_rule.data(world) if callable(route_rule.data) else route_rule.data
    got = outcome_of(send(url, data))

    assert got == route_rule.outcomes[role], f"{route_rule.method.upper()} {url} as {role}"


# --- The admin ------------------------------------------------------------------------------------------

# Each registered model: the world's record of channel "support" that a manager of "sales" must not reach, or
# None for the team-wide ones (every manager's, or the superuser's only: their model permissions decide).
ADMIN_RECORDS = {
    "auth.user": None,
    "auth.group": None,
    "axes.accessattempt": None,
    "axes.accessfailurelog": None,
    "axes.accesslog": None,
    "chat.channel": lambda world: world.chats["chat"].channel,
    "chat.chatsession": lambda world: world.chats["chat"],
    "chat.listener": lambda world: Listener.objects.create(
        session=world.chats["chat"], agent=world.people[LISTENER], reason=Listener.Reason.SUPERVISOR
    ),
    "chat.blockedaddress": lambda world: BlockedAddress.objects.create(
        channel=world.chats["chat"].channel, address="203.0.113.7", until=timezone.now() + timezone.timedelta(hours=1)
    ),
    "chat.predefinedtext": None,
    "transfers.transfer": lambda world: world.transfer,
    "helpdesk.agentprofile": None,
    "helpdesk.request": lambda world: Request.objects.create(
        channel=world.chats["chat"].channel, session=world.chats["chat"], title="Refund", name="Vera",
        email="vera@example.org",
    ),
    "helpdesk.contact": lambda world: _contact_of_the_chat(world),
    "meetings.meeting": lambda world: world.meeting,
    "meetings.workingcalendar": lambda world: WorkingCalendar.objects.create(agent=world.people[AGENT]),
    "meetings.channelmeetings": lambda world: ChannelMeetings.objects.create(channel=world.chats["chat"].channel),
    "helpdesk.activity": lambda world: Activity.objects.create(
        contact=_contact_of_the_chat(world), session=world.chats["chat"], kind=Activity.Kind.CHAT, title="Chat",
    ),
}


def _contact_of_the_chat(world):
    chat = world.chats["chat"]
    if chat.contact is None:
        chat.contact = world.contact
        chat.save(update_fields=["contact"])
    return chat.contact


def registered_models():
    return {model._meta.label_lower: model for model in admin.site._registry}


def test_every_admin_model_has_a_rule():
    assert set(registered_models()) == set(ADMIN_RECORDS), "say in ADMIN_RECORDS whose records a new admin shows"


def admin_pages(label):
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


ADMIN_CASES = [
    pytest.param(label, role, id=f"{label}-{role}") for label in sorted(ADMIN_RECORDS) for role in ROLES
]


@pytest.mark.django_db
@pytest.mark.parametrize("label, role", ADMIN_CASES)
def test_admin(world, label, role):
    """Only staff get in (everyone else is sent to the admin's login); a manager sees the list of a model
    their permissions name, and a record of channel "support" opens for its manager and not for the manager
    of "sales"."""
    app_label, model_name = label.split(".")
    client = client_for(world, role)
    may_view = f"{app_label}.view_{model_name}" in CHANNEL_MANAGER_PERMISSIONS
    admin_login = reverse("admin:login")

    listing = outcome_of(client.get(admin_pages(label)), login_url=admin_login)

    if role not in (MANAGER, OTHER_MANAGER):
        assert listing == LOGIN
        assert outcome_of(client.get(reverse("admin:index")), login_url=admin_login) == LOGIN
        return
    assert listing == (OK if may_view else DENIED)
    make_record = ADMIN_RECORDS[label]
    if make_record is None or not may_view:
        return
    record = make_record(world)
    page = client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[record.pk]))
    if role == MANAGER:
        assert page.status_code == 200
    else:
        assert page.status_code in (302, 403, 404) and not page.get("Location", "").startswith(admin_login)
        assert str(record.pk) not in _result_ids(client.get(admin_pages(label)).text)


def _result_ids(changelist_html):
    """The record ids the change list shows, by their action checkboxes."""
    return re.findall(r'name="_selected_action" value="(\d+)"', changelist_html)


# --- The websockets -------------------------------------------------------------------------------------


def socket_path(world, role, route):
    if "<int:session_id>" in route:
        return route.replace("<int:session_id>", str(world.chats["chat"].pk))
    if "<str:token>" in route:
        return route.replace("<str:token>", world.tokens.get(role) or secrets.token_urlsafe(32))
    return route


def cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


WS_CASES = [pytest.param(route, role, id=f"{route}-{role}") for route in websocket_routes() for role in ROLES]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route, role", WS_CASES)
async def test_websocket_route(world, route, role):
    from helpdesk.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if role in world.people:
        headers.append((b"cookie", await database_sync_to_async(cookie_for)(world.people[role])))
    communicator = WebsocketCommunicator(application, "/" + socket_path(world, role, route), headers=headers)

    connected, _ = await communicator.connect(timeout=10)
    assert connected, "a refused socket is accepted first, then closed"
    # A refusal closes at once; an open socket pushes its state, or (the admin list's) waits for a change.
    silent = await communicator.receive_nothing(timeout=1)
    first = {"type": "websocket.send"} if silent else await communicator.receive_output(timeout=10)
    await communicator.disconnect(timeout=10)

    code = first.get("code") if first["type"] == "websocket.close" else None
    got = {None: OK, 4401: LOGIN, 4403: DENIED, 4404: DENIED}[code]
    assert got == WS_RULES[route].outcomes[role]
