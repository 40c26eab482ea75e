from django import template

from chat.services.spam import BLOCK_CHOICES

register = template.Library()


@register.simple_tag
def block_choices():
    """The options of "Block address for", as the service reads them back, so a form cannot offer another."""
    return [(value, label) for value, (label, _duration) in BLOCK_CHOICES.items()]
