"""The widget reports the host page its visitor is on (the loader tells the widget's frame, chat.views is
told by the frame): a public write like a message, so named by the chat's token and throttled per address
and chat."""

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from chat import selectors, throttles
from chat.embedding import site_origin
from chat.services import page_views
from chat.views.widget import widget_view
from helpdesk.errors import ServiceError
from helpdesk.http import refused


@widget_view
@require_POST
def visitor_page(request, slug, token):
    session = selectors.visitor_session(token=token, slug=slug)
    try:
        throttles.check(request, throttles.PAGE_VIEWS, session.channel, token)
        page_views.page_view_record(
            session=session, origins=page_views.page_origins(session.channel, site_origin(request)),
            url=request.POST.get("url", ""), title=request.POST.get("title", ""),
        )
    except ServiceError as error:
        return refused(error)
    return HttpResponse(status=204)
