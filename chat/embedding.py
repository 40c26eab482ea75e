"""Which websites may show a channel's widget. A channel lists them (Channel.allowed_websites); an empty
list means this helpdesk's own website only (the demo page), never "anywhere": a widget framed by a site
nobody chose could be dressed up to collect what visitors type.

The browser enforces it for the chat window (the widget page's frame-ancestors), the loader asks before it
shows the button (chat.views.widget.embedding), and the widget's socket checks its Origin
(live/origins.py)."""

from helpdesk.origins import normalize_origin


def site_origin(request) -> str:
    """This helpdesk's own origin as the browser that sent `request` sees it."""
    return normalize_origin(f"{request.scheme}://{request.get_host()}")


def framable_by(response, channel):
    """Let the channel's allowed websites (and this site) frame `response`, and no one else.

    django-csp's csp_replace decorator sets this same attribute; it cannot be used here because the list
    depends on the channel in the URL."""
    response._csp_replace = {"frame-ancestors": ["'self'", *channel.embedding_origins]}
    return response
