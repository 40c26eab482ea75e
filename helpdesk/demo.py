"""Demo data for local trials: the channel "support", four people who can log in with password "demo",
and predefined texts for "Insert text".

Idempotent: running it again updates the same rows instead of adding new ones. `python manage.py demo`
calls it (only with DEBUG on); tests call `create_demo_data()` directly.
"""

from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from chat.models import Channel, ChannelMember, PredefinedText
from helpdesk.models import AgentProfile
from meetings.demo import create_demo_hours

DEMO_PASSWORD = "demo"

# username -> (first name, last name)
DEMO_PEOPLE = {
    "alice": ("Alice", "Andersson"),
    "bob": ("Bob", "de Boer"),
    "carol": ("Carol", "Chen"),
    "maria": ("Maria", "Manager"),
}

MANAGERS_GROUP = "Managers"
MANAGER_PERMISSIONS = [
    "helpdesk.manage_chats",
    "helpdesk.listen_in",
    *(
        f"{app_label}.{action}_{model}"
        for app_label, model in [
            ("chat", "chatsession"),
            ("transfers", "transfer"),
            ("chat", "channel"),
            ("chat", "channelmember"),
            ("helpdesk", "agentprofile"),
            ("helpdesk", "request"),
        ]
        for action in ("view", "change")
    ),
    # Working hours, meeting lengths and booked meetings (cancelling them).
    *(f"meetings.{action}_{model}" for model in ("workingcalendar", "channelmeetings", "meeting")
      for action in ("view", "change")),
    "meetings.add_workingcalendar", "meetings.add_channelmeetings",
    # Unlocking a login that django-axes locked: deleting its access attempt in the admin.
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    # Reply templates and FAQs are the team's texts, kept by managers in the admin.
    *(f"chat.{action}_predefinedtext" for action in ("view", "add", "change", "delete")),
    # The record of who listened in on which chat (read-only), and the addresses blocked after spam.
    "chat.view_listener",
    # A chat's transcript on its admin page (read-only lines, with their files).
    "chat.view_message",
    *(f"chat.{action}_blockedaddress" for action in ("view", "add", "change", "delete")),
    *(f"helpdesk.{action}_{model}" for model in ("contact", "activity") for action in ("view", "change")),
]


def permission(name: str) -> Permission:
    """"app_label.codename" -> Permission, creating the app's permissions first if a flush removed them."""
    app_label, codename = name.split(".", 1)
    lookup = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    if not lookup.exists():
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    return lookup.get()


@transaction.atomic
def create_demo_data() -> SimpleNamespace:
    User = get_user_model()
    # No allowed websites: the widget shows on this helpdesk's own pages only, such as /demo/.
    channel, _ = Channel.objects.update_or_create(slug="support", defaults={"name": "Support"})

    managers, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    managers.permissions.add(*[permission(name) for name in MANAGER_PERMISSIONS])

    users = {}
    for username, (first_name, last_name) in DEMO_PEOPLE.items():
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.com",
                "is_active": True,
                "is_staff": username == "maria",
            },
        )
        # Only on creation: re-hashing on every run would log the person out of their open sessions.
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # Present, so a first trial's widget is online rather than showing the offline form.
        AgentProfile.objects.update_or_create(user=user, defaults={"status": AgentProfile.Status.PRESENT})
        ChannelMember.objects.update_or_create(
            channel=channel, user=user, defaults={"can_respond": True, "is_manager": username == "maria"}
        )
        users[username] = user

    users["carol"].user_permissions.add(permission("helpdesk.listen_in"))
    users["maria"].groups.add(managers)

    create_demo_texts(quick_reply_owner=users["alice"])
    create_demo_hours(users.values())

    return SimpleNamespace(channel=channel, managers=managers, users=users, **users)


# kind -> shortcut -> language -> (title, text)
DEMO_TEAM_TEXTS = {
    PredefinedText.Kind.REPLY_TEMPLATE: {
        "welcome": {
            "en": ("Welcome", "Hello, and thank you for contacting us! How can I help you today?"),
            "nl": ("Welkom", "Hallo, en bedankt voor uw bericht! Waarmee kan ik u vandaag helpen?"),
            "sv": ("Välkommen", "Hej och tack för att du kontaktar oss! Hur kan jag hjälpa dig i dag?"),
        },
        "goodbye": {
            "en": ("Goodbye", "Thank you for chatting with us. Is there anything else I can help you with?"),
            "nl": ("Afsluiting", "Bedankt voor het chatten. Kan ik u nog ergens anders mee helpen?"),
            "sv": ("Avslutning", "Tack för att du chattade med oss. Finns det något mer jag kan hjälpa dig med?"),
        },
    },
    PredefinedText.Kind.FAQ: {
        "hours": {
            "en": ("Opening hours", "Our support team is available Monday to Friday, 8:00 to 17:00."),
            "nl": ("Openingstijden", "Ons supportteam is bereikbaar van maandag tot en met vrijdag, van 8.00 tot 17.00 uur."),
            "sv": ("Öppettider", "Vårt supportteam finns tillgängligt måndag till fredag kl. 8.00–17.00."),
        },
    },
}


def create_demo_texts(*, quick_reply_owner) -> None:
    """Two reply templates and an FAQ in each language, and one quick reply of the owner's."""
    for kind, by_shortcut in DEMO_TEAM_TEXTS.items():
        for shortcut, by_language in by_shortcut.items():
            for language, (title, text) in by_language.items():
                PredefinedText.objects.update_or_create(
                    kind=kind, owner=None, shortcut=shortcut, language=language,
                    defaults={"title": title, "text": text},
                )
    PredefinedText.objects.update_or_create(
        kind=PredefinedText.Kind.QUICK_REPLY, owner=quick_reply_owner, shortcut="moment", language="en",
        defaults={"title": "One moment", "text": "One moment please, I am looking into it for you."},
    )
