"""The visitor's side. It lives in an iframe on another company's site, so it relies on no cookie: the
unguessable token in the URL names the chat (no ambient credential, hence no CSRF token either), and
framing is allowed, by the channel's allowed websites only. No answer is cached anywhere (no-store): each
carries the token or the transcript."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chat import selectors, throttles
from chat.embedding import framable_by, site_origin
from chat.models import Channel, new_visitor_token
from chat.services import feedback, messages, page_views, sessions
from helpdesk.client_address import client_address
from helpdesk.errors import ServiceError
from helpdesk.http import refused, service_errors
from helpdesk.services.requests import request_from_offline_form


def widget_view(view):
    return xframe_options_exempt(csrf_exempt(never_cache(service_errors(view))))


def _channel(slug):
    return get_object_or_404(Channel, slug=slug)


def _session(slug, token):
    return selectors.visitor_session(token=token, slug=slug)


def chat_context(session, after_id=0):
    """What the widget's chat shows; with `after_id`, only the lines after it (a live update)."""
    return {
        "session": session,
        "channel": session.channel,
        "messages": list(selectors.transcript(session, after_id=after_id)),
        "queue_position": selectors.queue_position(session) if session.is_queued else None,
        "transcript_offered": feedback.transcript_offered(session),
    }


def _typed_before_the_chat(post) -> dict:
    """What the visitor typed in the pre-chat form, under the field names of both start forms: when the last
    agent went Away while they typed, the offline form shows it all, their question as the message."""
    question = post.get("question", "")
    return {"name": post.get("name", ""), "email": post.get("email", ""), "question": question, "message": question}


def _form_context(channel, **context):
    """Which form a new visitor gets: the pre-chat form, or the offline form when nobody is Present or
    the queue is full (`busy`, which the form says). The pre-chat form carries a key of its own, so that
    submitting it twice starts one chat."""
    online = sessions.channel_is_online(channel)
    busy = online and sessions.queue_is_full(channel)
    return {
        "channel": channel, "online": online and not busy, "busy": busy, "start_key": new_visitor_token(),
        "values": {}, **context,
    }


def _start_form(request, channel, error=None, status=200, values=None):
    context = _form_context(channel, error=error, values=values or {})
    template = "chat/widget/prechat_form.html" if context["online"] else "chat/widget/offline_form.html"
    return render(request, template, context, status=status)


@widget_view
@require_GET
def widget_page(request, slug):
    channel = _channel(slug)
    context = _form_context(channel, host_origins=page_views.page_origins(channel, site_origin(request)))
    return framable_by(render(request, "chat/widget/page.html", context), channel)


@require_GET
@never_cache
def embedding(request, slug):
    """Where the loader may put this channel's chat: it asks before it shows the button, since a page
    elsewhere would get a chat window the browser refuses to show (frame-ancestors). Anyone may read it
    (the widget page's own header says the same), so any site's script may too."""
    channel = _channel(slug)
    answer = JsonResponse({"origins": [site_origin(request), *channel.embedding_origins]})
    answer["Access-Control-Allow-Origin"] = "*"
    return answer


@widget_view
@require_POST
def start_chat(request, slug):
    channel = _channel(slug)
    try:
        throttles.check(request, throttles.CHATS, channel)
    except ServiceError as error:
        return refused(error)  # not swapped: the form stays with what the visitor typed
    try:
        session = sessions.session_start(
            channel=channel,
            visitor_name=request.POST.get("name", ""),
            visitor_email=request.POST.get("email", ""),
            question=request.POST.get("question", ""),
            language=translation.get_language() or "en",
            visitor_address=client_address(request),
            start_key=request.POST.get("start_key", ""),
        )
        page_views.session_describe_visitor(
            session=session, origins=page_views.page_origins(channel, site_origin(request)),
            user_agent=request.headers.get("User-Agent", ""), referrer=request.POST.get("referrer", ""),
            locale=request.POST.get("locale", ""), time_zone=request.POST.get("time_zone", ""),
            page_url=request.POST.get("page_url", ""), page_title=request.POST.get("page_title", ""),
        )
    except sessions.Offline:
        return _start_form(request, channel, values=_typed_before_the_chat(request.POST))
    except ServiceError as error:
        return _start_form(
            request, channel, error=error.message, status=error.status_code, values=_typed_before_the_chat(request.POST)
        )
    return render(request, "chat/widget/chat.html", chat_context(session))


@widget_view
@require_POST
def leave_message(request, slug):
    channel = _channel(slug)
    try:
        throttles.check(request, throttles.OFFLINE_MESSAGES, channel)
    except ServiceError as error:
        return refused(error)
    try:
        offline_request = request_from_offline_form(
            channel=channel, name=request.POST.get("name", ""), email=request.POST.get("email", ""),
            message=request.POST.get("message", ""),
        )
    except ServiceError as error:
        return render(
            request, "chat/widget/offline_form.html",
            {"channel": channel, "error": error.message, "values": request.POST}, status=error.status_code,
        )
    return render(request, "chat/widget/offline_thanks.html", {"channel": channel, "request": offline_request})


@widget_view
@require_GET
def chat_state(request, slug, token):
    return render(request, "chat/widget/chat.html", chat_context(_session(slug, token)))


@widget_view
@require_POST
def visitor_message(request, slug, token):
    session = _session(slug, token)
    try:
        throttles.check(request, throttles.MESSAGES, session.channel, token)
        messages.message_post_by_visitor(session=session, body=request.POST.get("body", ""))
    except ServiceError as error:
        return refused(error)
    return HttpResponse(status=204)


@widget_view
@require_POST
def visitor_end(request, slug, token):
    session = _session(slug, token)
    try:
        sessions.session_end(session=session, by_visitor=True)
    except ServiceError as error:
        return refused(error)
    return render(request, "chat/widget/chat.html", chat_context(_session(slug, token)))


@require_GET
def demo_host_page(request):
    """A stand-in for a customer's website with the loader script on it."""
    return render(request, "chat/demo_host.html", {"channel": Channel.objects.order_by("id").first()})


@widget_view
@require_POST
def visitor_feedback(request, slug, token):
    """The post-chat form's "Send feedback": rating, comment and, where offered, the transcript by email."""
    session = _session(slug, token)
    send_transcript = request.POST.get("send_transcript") == "1"
    try:
        throttles.check(request, throttles.FEEDBACK, session.channel, token)
        if send_transcript:
            throttles.check(request, throttles.TRANSCRIPTS, session.channel)
        session = feedback.feedback_give(
            session=session, rating=request.POST.get("rating"), comment=request.POST.get("comment", ""),
            send_transcript=send_transcript,
        )
    except ServiceError as error:
        return refused(error)
    transcript_to = session.visitor_email if send_transcript else ""
    return render(request, "chat/widget/postchat.html", {"session": session, "transcript_to": transcript_to})


@widget_view
@require_POST
def visitor_reactivate(request, slug, token):
    """The post-chat form's "Return to chat": the same chat, with its transcript, carries on."""
    session = _session(slug, token)
    try:
        throttles.check(request, throttles.CHATS, session.channel)
        sessions.session_reactivate(session=session)
    except ServiceError as error:
        return refused(error)
    return render(request, "chat/widget/chat.html", chat_context(_session(slug, token)))
