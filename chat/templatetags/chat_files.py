from django import template

from chat.services.files import allowed_extensions

register = template.Library()


@register.filter
def file_accept(channel):
    """The file picker's `accept` list (".pdf,.png"), so it offers only what the channel takes. A hint for
    the person; the server checks again."""
    return ",".join(f".{extension}" for extension in allowed_extensions(channel))
