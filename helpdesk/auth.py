"""Who is logged in, read once per request with what every agent page needs of them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q

# The two permissions that grant a right on every channel at once (helpdesk/roles.py): every agent request
# asks for both, which through has_perm is two queries (the user's permissions, then their groups').
EVERYWHERE = {"listens_everywhere": "listen_in", "manages_everywhere": "manage_chats"}


def _granted(codename):
    """The user holds the permission, directly or through a group (what ModelBackend checks)."""
    return Exists(Permission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        content_type__app_label="helpdesk", codename=codename,
    ))


class AgentBackend(ModelBackend):
    """Django's own backend, but a request's user comes in one query with their agent profile (the language
    middleware and nearly every agent view read it) and with the two channel-wide permissions."""

    def get_user(self, user_id):
        user = (
            get_user_model()._default_manager.select_related("agent_profile")
            .annotate(**{flag: _granted(codename) for flag, codename in EVERYWHERE.items()})
            .filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
