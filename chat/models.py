"""Channels, their teams, chat sessions and their messages.

Invariants live here as database constraints, so no code path (admin, shell, a race) can break them.
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.origins import origin_list, validate_origin_list
from helpdesk.templatetags.people import person

# What secrets.token_urlsafe makes. Checked before a token from outside reaches a query: PostgreSQL answers
# a NUL byte in a parameter with an error, not with "no such chat".
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_visitor_token() -> str:
    return secrets.token_urlsafe(32)


def looks_like_token(value) -> bool:
    return isinstance(value, str) and TOKEN_SHAPE.fullmatch(value) is not None


class Channel(models.Model):
    """One chat widget configuration, e.g. "support" on a company's website."""

    slug = models.SlugField(_("name in the widget's address"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    transfers_need_acceptance = models.BooleanField(
        _("transfers need acceptance"), default=True,
        help_text=_("When off, choosing a colleague as owner hands the chat over at once."),
    )
    transfer_timeout_seconds = models.PositiveIntegerField(
        _("transfer times out after (seconds)"), default=0, help_text=_("0 means never."),
    )
    unanswered_alert_seconds = models.PositiveIntegerField(
        _("warn when a chat waits unanswered for (seconds)"), default=60, help_text=_("0 means never."),
    )
    # SuperOffice's "Manager warning on new chat": its own time, usually longer, for when the agents who are
    # Present let a chat wait.
    manager_alert_seconds = models.PositiveIntegerField(
        _("warn managers when a chat waits unanswered for (seconds)"), default=120,
        help_text=_("0 means never. Managers are warned only while an agent of the channel is Present."),
    )
    max_file_size_bytes = models.PositiveIntegerField(_("largest file (bytes)"), default=5 * 1024 * 1024)
    allowed_file_types = models.CharField(
        _("allowed file types"), max_length=300, default="jpg,jpeg,png,gif,webp,pdf,txt,csv,docx,xlsx",
        help_text=_("File name endings, separated by commas."),
    )
    post_chat_form = models.BooleanField(
        _("post-chat form"), default=True,
        help_text=_("After the chat the visitor can rate it, and return to it to reactivate it."),
    )
    transcript_by_email = models.BooleanField(
        _("transcript by email"), default=False, help_text=_("The post-chat form offers the transcript by email."),
    )
    inactivity_timeout_minutes = models.PositiveIntegerField(
        _("end a chat nobody writes in after (minutes)"), default=30,
        help_text=_("0 means never. The chat ends as ended by inactivity and both sides are told."),
    )
    # Rocket.Chat's "forward on agent offline": SuperOffice keeps the chat with its agent, which stays the default.
    away_owner_requeue_minutes = models.PositiveIntegerField(
        _("return the chats of an agent who is Away or offline to the queue after (minutes)"), default=0,
        help_text=_("0 keeps them with the agent. The visitor is told and goes first in the queue."),
    )
    # Throttles (chat/throttles.py), counted per visitor address on this channel, and per chat where the
    # request names one. 0 means no limit.
    chats_per_minute = models.PositiveIntegerField(
        _("chats one address may start per minute"), default=10,
        help_text=_("Returning to an ended chat counts as starting one. 0 means no limit."),
    )
    messages_per_minute = models.PositiveIntegerField(
        _("messages a visitor may send per minute"), default=60, help_text=_("Per chat. 0 means no limit."),
    )
    files_per_ten_minutes = models.PositiveIntegerField(
        _("files a visitor may send per 10 minutes"), default=10, help_text=_("Per chat. 0 means no limit."),
    )
    typing_reports_per_minute = models.PositiveIntegerField(
        _("typing reports a visitor's widget may send per minute"), default=120,
        help_text=_("Per chat; the widget sends at most 30 while the visitor types. 0 means no limit."),
    )
    offline_messages_per_hour = models.PositiveIntegerField(
        _("offline messages one address may leave per hour"), default=10, help_text=_("0 means no limit."),
    )
    feedback_per_hour = models.PositiveIntegerField(
        _("post-chat forms a visitor may send per hour"), default=10,
        help_text=_("Per chat, counting refused ones. 0 means no limit."),
    )
    transcripts_per_hour = models.PositiveIntegerField(
        _("transcripts one address may have emailed per hour"), default=5, help_text=_("0 means no limit."),
    )
    # Caps, whoever asks: they bound what a flood from many addresses can do.
    max_queued_chats = models.PositiveIntegerField(
        _("most chats waiting in the queue"), default=50,
        help_text=_("Beyond it, new visitors get the offline form, as when nobody is Present. 0 means no cap."),
    )
    max_files_per_chat = models.PositiveIntegerField(
        _("most files a visitor may send in one chat"), default=20, help_text=_("0 means no cap."),
    )
    max_file_bytes_per_chat = models.PositiveBigIntegerField(
        _("most bytes of files a visitor may send in one chat"), default=50 * 1024 * 1024,
        help_text=_("0 means no cap."),
    )
    max_file_bytes_per_day = models.PositiveBigIntegerField(
        _("most bytes of files all visitors may send in one day"), default=1024 * 1024 * 1024,
        help_text=_("On this channel, since midnight. 0 means no cap."),
    )
    allowed_websites = models.TextField(
        _("websites that may show the chat"), blank=True, validators=[validate_origin_list],
        help_text=_(
            "One per line, as https://www.example.com (with the port if it is not the usual one). Only pages on "
            "these websites may show the chat button and chat window. Empty: only pages of this helpdesk's own "
            "website, such as the demo page."
        ),
    )
    page_views_per_minute = models.PositiveIntegerField(
        _("page views a visitor may report per minute"), default=30,
        help_text=_("Counted per address and chat: the widget reports each page the visitor opens. 0 means no limit."),
    )
    visitor_link_days = models.PositiveIntegerField(
        _("a visitor's chat stays open to them for (days after it ends)"), default=7,
        help_text=_("After this the widget starts a new chat, and the ended chat can no longer be read or returned to."),
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return self.name

    @property
    def embedding_origins(self) -> list[str]:
        """The origins of the websites listed in `allowed_websites`, as browsers send them."""
        return origin_list(self.allowed_websites)


class ChannelMember(models.Model):
    """An agent's rights on one channel, so each channel can have its own team (SuperOffice's chat rights)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="members", verbose_name=_("channel"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships", verbose_name=_("agent"),
    )
    can_respond = models.BooleanField(_("can respond"), default=True)
    notifications = models.BooleanField(_("notifications"), default=True)
    can_listen_in = models.BooleanField(_("can listen in"), default=False)
    is_manager = models.BooleanField(_("manager"), default=False)

    class Meta:
        verbose_name = _("channel member")
        verbose_name_plural = _("channel members")
        constraints = [models.UniqueConstraint(fields=["channel", "user"], name="one_membership_per_channel")]

    def __str__(self):
        return f"{person(self.user)} @ {self.channel}"


class ChatSessionQuerySet(models.QuerySet):
    def waiting(self):
        """Chats in the queue, first to be answered first, each with `queued_since`: when it (re)entered
        the queue. A chat reactivated from the post-chat form queues from that moment, behind everyone
        already waiting, not from when it first started. A chat taken back from an agent who went Away
        (`requeued_at`, later than its start or reactivation) comes before everyone: its visitor had an
        agent already. The incoming list, "Get next in queue", the visitor's place in the queue and the
        unanswered-chat alerts all read it from here."""
        entered = Coalesce("reactivated_at", "created_at")
        taken_back = Q(requeued_at__gte=entered)
        return (
            self.filter(status=ChatSession.Status.QUEUED)
            .annotate(
                first_in_queue=Case(When(taken_back, then=Value(True)), default=Value(False)),
                queued_since=Case(When(taken_back, then=F("requeued_at")), default=entered),
            )
            .order_by("-first_in_queue", "queued_since", "id")
        )


class ChatSession(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("In queue")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        """Why a chat ended: an abandoned chat was never answered, which the people and the time-outs that
        end chats must not blur."""

        VISITOR = "visitor", _("Ended by the visitor")
        AGENT = "agent", _("Ended by an agent")
        ABANDONED = "abandoned", _("Abandoned")  # the visitor left before anyone answered
        INACTIVITY = "inactivity", _("Ended by inactivity")
        SPAM = "spam", _("Spam")  # marked by an agent: hidden from the workspace's lists and counts

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("channel"))
    token = models.CharField(max_length=64, unique=True, default=new_visitor_token, editable=False)
    visitor_name = models.CharField(_("name"), max_length=100)
    visitor_email = models.EmailField(_("email"), blank=True)
    question = models.TextField(_("question"), blank=True)
    visitor_language = models.CharField(_("visitor's language"), max_length=10, default="en")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_sessions", verbose_name=_("owner"),
    )
    contact = models.ForeignKey(
        "helpdesk.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="chat_sessions",
        verbose_name=_("contact"),
    )
    # The owner this chat was handed to without being asked (a channel whose transfers need no acceptance),
    # until they first write in it: their sessions list highlights it meanwhile, as it does an offer. Set
    # (or cleared) by every hand-over (transfers/services._hand_over), cleared by their line
    # (chat/services/messages.lock_for_agent_line).
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("handed over to"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # When an agent first wrote in the chat (chat/services/messages.py sets it with that line): the Reports'
    # first response time reads it here instead of searching every chat's messages.
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    reactivated_at = models.DateTimeField(_("reactivated"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    requeued_at = models.DateTimeField(
        _("returned to the queue"), null=True, blank=True,
        help_text=_("When the chat went back to the queue because its agent was Away or offline."),
    )
    # The widget's heartbeat: renewed while a socket of the visitor's chat is open (live/sweeper.py), never
    # decremented by a disconnect that a dying server may skip. Starting a chat counts as being seen.
    visitor_seen_at = models.DateTimeField(_("visitor last seen"), default=timezone.now)
    visitor_left_at = models.DateTimeField(
        _("visitor left"), null=True, blank=True,
        help_text=_("Set when the visitor's widget was gone for the grace period; cleared when it comes back."),
    )
    # Where the chat was started from, so that marking it as spam can block that address.
    visitor_address = models.GenericIPAddressField(_("visitor's address"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True, max_length=2000)
    transcript_sent_at = models.DateTimeField(_("transcript emailed"), null=True, blank=True)
    # The pre-chat form's own random key: a second submit of the same form finds this chat instead of
    # starting another (chat/services/sessions.py).
    start_key = models.CharField(_("pre-chat form key"), max_length=64, blank=True, editable=False)
    # What the visitor's browser said of itself when the chat started, for the agent's Details
    # (chat/visitor_context.py cleans it): the host page's referrer, the browser's own language and time zone.
    visitor_user_agent = models.CharField(_("browser (user agent)"), max_length=512, blank=True)
    visitor_referrer = models.CharField(_("referrer"), max_length=2000, blank=True)
    visitor_locale = models.CharField(_("browser language"), max_length=35, blank=True)
    visitor_time_zone = models.CharField(_("visitor's time zone"), max_length=64, blank=True)

    objects = ChatSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("chat session")
        verbose_name_plural = _("chat sessions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["channel", "status", "created_at"]),
            models.Index(fields=["status", "visitor_seen_at"]),  # the sweep for visitors who left
            # The Reports: a period's chats on the viewer's channels (with the id, so that the transfers'
            # join to their chat's channel reads the index alone), and its latest comments (few chats have
            # one), newest first without sorting the period.
            models.Index(fields=["channel", "created_at"], include=["id"], name="chats_by_channel_and_start"),
            models.Index(fields=["-ended_at", "-id"], condition=~Q(rating_comment=""), name="chats_with_a_comment"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status="ended") | Q(end_reason=""), name="end_reason_only_when_ended"),
            models.UniqueConstraint(
                fields=["channel", "start_key"], condition=~Q(start_key=""), name="one_chat_per_start_form",
            ),
            # A queued chat has no owner; an active one has exactly one (the owner column).
            models.CheckConstraint(
                condition=Q(status="queued", owner__isnull=True)
                | Q(status="active", owner__isnull=False)
                | Q(status="ended"),
                name="owner_matches_status",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.visitor_name}"

    @property
    def is_queued(self):
        return self.status == self.Status.QUEUED

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_ended(self):
        return self.status == self.Status.ENDED

    @property
    def is_spam(self):
        return self.end_reason == self.EndReason.SPAM

    def visitor_link_has_expired(self, now=None) -> bool:
        """Whether the visitor's token no longer opens this chat: it ended longer ago than its channel keeps
        the link, so a token found later (a shared computer, a leaked log) reads no transcript."""
        if not self.is_ended or self.ended_at is None:
            return False
        kept_for = timedelta(days=self.channel.visitor_link_days)
        return self.ended_at + kept_for <= (now or timezone.now())


class PageView(models.Model):
    """A page of the host website the visitor had open during a chat, as the widget's loader reported it.
    Only the newest PAGE_VIEWS_KEPT of a chat are kept (chat/services/page_views.py)."""

    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="page_views", verbose_name=_("chat session")
    )
    url = models.CharField(_("address"), max_length=2000)
    title = models.CharField(_("title"), max_length=300, blank=True)
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)

    class Meta:
        verbose_name = _("page view")
        verbose_name_plural = _("page views")
        ordering = ["-seen_at", "-id"]
        indexes = [models.Index(fields=["session", "-seen_at", "-id"])]

    def __str__(self):
        return self.title or self.url


class BlockedAddressQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(until__gt=timezone.now())

    def blocking(self, *, channel, address):
        """The blocks in force that keep this address from starting chats on this channel."""
        return self.in_force().filter(channel=channel, address=address)


class BlockedAddress(models.Model):
    """A visitor's address that may not start chats on a channel until a given time: set when an agent marks
    a chat as spam, or by a manager in the admin. It expires by itself, since addresses change hands."""

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="blocked_addresses", verbose_name=_("channel")
    )
    address = models.GenericIPAddressField(_("address"))
    until = models.DateTimeField(_("blocked until"))
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("blocked by"),
    )
    session = models.ForeignKey(
        ChatSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("chat session"), help_text=_("The chat that was marked as spam."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BlockedAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked address")
        verbose_name_plural = _("blocked addresses")
        ordering = ["-until"]
        indexes = [models.Index(fields=["channel", "address", "until"])]

    def __str__(self):
        return f"{self.address} @ {self.channel}"


class Message(models.Model):
    """A line of the transcript. Ids only grow, so "everything after id N" is a resync."""

    class Kind(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        AGENT = "agent", _("Agent")
        EVENT = "event", _("Event")

    class Event(models.TextChoices):
        AGENT_JOINED = "agent_joined", _("Agent joined")
        CHAT_ENDED = "chat_ended", _("Chat ended")
        CHAT_REACTIVATED = "chat_reactivated", _("Chat reactivated")
        CHAT_ABANDONED = "chat_abandoned", _("Visitor left before anyone answered")
        CHAT_INACTIVE = "chat_inactive", _("Ended by inactivity")
        BACK_IN_QUEUE = "back_in_queue", _("Returned to the queue")
        # The meeting booker's lines (meetings/): their body holds what the line shows, as JSON.
        CALENDAR_SHOWN = "calendar_shown", _("Calendar shown")
        MEETING_BOOKED = "meeting_booked", _("Meeting booked")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")

    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="messages", verbose_name=_("chat session")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["session", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="event") ^ Q(event=""), name="event_only_on_event_messages"
            ),
        ]

    def __str__(self):
        return self.body[:60] or self.get_event_display()


class ReadMark(models.Model):
    """How far an agent has read a chat; the sessions list's unread count is what came after."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="read_marks")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "agent"], name="one_read_mark_per_agent")]


class Listener(models.Model):
    """An agent watching a chat read-only.

    HANDED_OVER is the listening mode of an agent whose chat went to someone else: it stays in their
    sessions list until they "Close window". SUPERVISOR is a "Can listen in" visit, invisible to the
    owner and the visitor; the rows are the record of who listened to which chat.
    """

    class Reason(models.TextChoices):
        HANDED_OVER = "handed_over", _("Handed over")
        SUPERVISOR = "supervisor", _("Listened in")

    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="listeners", verbose_name=_("chat session")
    )
    # PROTECT, like a transfer's agents: deleting a user must not erase the record of what they watched.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listening", verbose_name=_("agent")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("listener")
        verbose_name_plural = _("listeners")
        ordering = ["-started_at"]
        indexes = [  # the Reports' latest listen-ins, newest first
            models.Index(fields=["-started_at", "-id"], condition=Q(reason="supervisor"), name="supervisor_listen_ins"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "agent"], condition=Q(closed_at__isnull=True, reason="handed_over"),
                name="one_open_handed_over_listener",
            ),
        ]

    def __str__(self):
        return f"{person(self.agent)} · {self.session}"


def attachment_path(instance, filename):
    # A random folder per file: the stored name never collides and never reveals another chat's files.
    return f"chat-files/{instance.message.session_id}/{secrets.token_urlsafe(12)}/{filename}"


class Attachment(models.Model):
    """A file sent in a chat. Stored outside the static files; only the chat's people can download it."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="attachment")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    @property
    def is_image(self):
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}


class PredefinedText(models.Model):
    """Text an agent inserts instead of typing it: their own quick replies, and the team's reply
    templates and FAQs (kept by managers in the admin)."""

    class Kind(models.TextChoices):
        QUICK_REPLY = "quick_reply", _("Quick reply")
        REPLY_TEMPLATE = "reply_template", _("Reply template")
        FAQ = "faq", _("FAQ")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="quick_replies",
        verbose_name=_("owner"), help_text=_("The agent a quick reply belongs to."),
    )
    title = models.CharField(_("title"), max_length=200)
    shortcut = models.SlugField(_("shortcut"), max_length=40, help_text=_('Typed after "/" in the text box.'))
    text = models.TextField(_("text"), max_length=4000)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")

    class Meta:
        verbose_name = _("predefined text")
        verbose_name_plural = _("predefined texts")
        ordering = ["kind", "shortcut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="quick_reply", owner__isnull=False) | (~Q(kind="quick_reply") & Q(owner__isnull=True)),
                name="quick_replies_have_an_owner",
            ),
        ]

    def __str__(self):
        return f"/{self.shortcut} {self.title}"
