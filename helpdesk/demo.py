"""Demo data for local trials: the channel "support" and four people who can log in with password "demo".

Idempotent: running it again updates the same rows instead of adding new ones. `python manage.py demo`
calls it (only with DEBUG on); tests call `create_demo_data()` directly.
"""

from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from chat.models import Channel, ChannelMember
from helpdesk.models import AgentProfile

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

    return SimpleNamespace(channel=channel, managers=managers, users=users, **users)
