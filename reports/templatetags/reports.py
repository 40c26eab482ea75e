from django import template

from django.utils.translation import gettext as _

from helpdesk import roles

register = template.Library()


@register.filter
def sees_reports(user) -> bool:
    """Whether the workspace offers the Reports link: a manager of some channel (the rights the request has
    already read, so no query)."""
    return bool(roles.channels_where(user, "is_manager"))


@register.filter
def duration(seconds):
    """Seconds as the tables show them: 42 s, 3 min 5 s, 1 h 2 min; a dash for nothing."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


@register.filter
def percent(fraction):
    return "–" if fraction is None else f"{round(fraction * 100)} %"


@register.filter
def one_decimal(value):
    return "–" if value is None else f"{value:.1f}"
