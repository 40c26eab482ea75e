"""Open sockets read a person's rights once, when they connect; these receivers tell them when the rights
change (a membership edited in the admin, a group or permission granted), so the lists they show follow
at once instead of at the next reload, and close them when the person's sign-in ends (logout,
deactivation, a new password), in every process."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from chat.models import ChannelMember
from live import events

User = get_user_model()


@receiver([post_save, post_delete], sender=ChannelMember)
def membership_changed(sender, instance, **kwargs):
    events.push_on_commit(rights_of=[instance.user_id])


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def user_grants_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        events.push_on_commit(rights_of=[instance.pk])
    else:  # a group or a permission, with users added or removed (or all of them cleared)
        events.push_on_commit(rights_of=pk_set or _users_of(instance))


@receiver(m2m_changed, sender=Group.permissions.through)
def group_permissions_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Group):
        events.push_on_commit(rights_of=_users_of(instance))


def _users_of(group_or_permission):
    return list(group_or_permission.user_set.values_list("pk", flat=True))


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        events.push_on_commit(signed_out=[user.pk])


@receiver(pre_save, sender=User)
def account_changed(sender, instance, raw=False, **kwargs):
    """A new password (set_password leaves `_password` until the save) or a deactivation ends every sign-in."""
    if raw or instance.pk is None:
        return
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        events.push_on_commit(signed_out=[instance.pk])
