from django import template

register = template.Library()


@register.filter
def person(user):
    """How an agent is named on screen: full name, else username; empty for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def first_name(user):
    """How the visitor sees an agent: first name only."""
    if user is None:
        return ""
    return user.first_name or user.get_username()
