"""Who may do what on which channel.

SuperOffice grants chat rights per channel (Can respond, Notifications, Can listen in, Manager); the
Django permissions "Can listen in" and "Can take over and transfer any chat" grant the last two on
every channel at once, so a supervisor needs no membership row per channel.
"""

from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class ChannelRights:
    can_respond: bool = False
    notifications: bool = False
    can_listen_in: bool = False
    is_manager: bool = False


NO_RIGHTS = ChannelRights()


def rights_by_channel(user) -> dict[int, ChannelRights]:
    """All of a user's channel rights in one query, remembered on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, "_channel_rights", None)
    if cached is not None:
        return cached
    from chat.models import Channel

    everywhere = _granted_everywhere(user)
    listen_everywhere = "listen_in" in everywhere
    manage_everywhere = "manage_chats" in everywhere
    rights = {}
    for channel_id, can_respond, notifications, can_listen_in, is_manager in Channel.objects.filter(
        members__user=user
    ).values_list(
        "id", "members__can_respond", "members__notifications", "members__can_listen_in", "members__is_manager"
    ):
        rights[channel_id] = ChannelRights(
            can_respond=can_respond,
            notifications=notifications,
            can_listen_in=can_listen_in or listen_everywhere or is_manager or manage_everywhere,
            is_manager=is_manager or manage_everywhere,
        )
    if listen_everywhere or manage_everywhere:
        for channel_id in Channel.objects.exclude(id__in=rights).values_list("id", flat=True):
            rights[channel_id] = ChannelRights(can_listen_in=True, is_manager=manage_everywhere)
    user._channel_rights = rights
    return rights


def _granted_everywhere(user) -> set[str]:
    """Which of the two channel-wide permissions the user holds, directly or through a group, in one
    query: has_perm would read all their permissions in two (their own, then their groups'). A superuser
    holds both, as has_perm says."""
    if user.is_superuser:
        return {"listen_in", "manage_chats"}
    from django.contrib.auth.models import Permission

    return set(Permission.objects.filter(
        Q(user=user) | Q(group__user=user), content_type__app_label="helpdesk",
        codename__in=["listen_in", "manage_chats"],
    ).values_list("codename", flat=True))


def rights_on(user, channel_id: int) -> ChannelRights:
    return rights_by_channel(user).get(channel_id, NO_RIGHTS)


def is_agent(user) -> bool:
    """May use the workspace at all: responds on, supervises or manages some channel. Asked by every agent
    request, most of which need no more: a team membership with a right answers it in one query, and only
    someone without one has their channel-wide permissions read as well."""
    if getattr(user, "_channel_rights", None) is None and user.is_authenticated and user.is_active:
        from chat.models import ChannelMember

        if ChannelMember.objects.filter(user=user).filter(
            Q(can_respond=True) | Q(can_listen_in=True) | Q(is_manager=True)
        ).exists():
            return True
    return any(
        r.can_respond or r.can_listen_in or r.is_manager for r in rights_by_channel(user).values()
    )


def channels_where(user, right: str) -> list[int]:
    return [cid for cid, r in rights_by_channel(user).items() if getattr(r, right)]
