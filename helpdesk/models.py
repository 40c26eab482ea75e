"""The people side: an agent's presence and language, and the team-wide chat permissions."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def available_q(prefix: str = "", now=None) -> Q:
    """Present is a choice and a fact: the agent chose Present and one of their workspaces was alive
    within the grace period. Every question of who can take a chat (routing, "Transfer to", alerts,
    "Present agents", the widget's online or offline form) asks this, so a closed browser counts as
    gone once the grace period has passed, whether or not its disconnect ever ran. `prefix` reaches the
    profile from another model, e.g. "agent_profile__"."""
    seen_since = (now or timezone.now()) - timedelta(seconds=settings.PRESENCE_GRACE_SECONDS)
    return Q(**{f"{prefix}status": AgentProfile.Status.PRESENT, f"{prefix}workspace_seen_at__gte": seen_since})


class AgentProfile(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        AWAY = "away", _("Away")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile", verbose_name=_("user")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAY)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    # The heartbeat of the agent's open workspaces (live/consumers/workspace.py).
    workspace_seen_at = models.DateTimeField(_("workspace last seen"), null=True, blank=True)
    # Whether colleagues were last told that this agent is there: lets exactly one process announce a
    # lapse or a return (helpdesk/services/presence.py).
    shown_online = models.BooleanField(_("shown online"), default=False, editable=False)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Leave empty to follow the browser."),
    )
    sounds = models.BooleanField(
        _("sounds"), default=True,
        help_text=_("A sound for a new incoming chat, a transfer offer and a new message in a chat not on screen."),
    )

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        # Team-wide rights; ChannelMember grants the same per channel.
        permissions = [
            ("listen_in", _("Can listen in")),
            ("manage_chats", _("Can take over and transfer any chat")),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    @property
    def is_present(self) -> bool:
        """What the agent chose; see `is_available` for whether they are there."""
        return self.status == self.Status.PRESENT

    @property
    def is_available(self) -> bool:
        seen_since = timezone.now() - timedelta(seconds=settings.PRESENCE_GRACE_SECONDS)
        return self.is_present and self.workspace_seen_at is not None and self.workspace_seen_at >= seen_since


class Request(models.Model):
    """A ticket: what a visitor left in the offline form, or what an agent made of a chat."""

    class Source(models.TextChoices):
        OFFLINE_FORM = "offline_form", _("Offline form")
        CHAT = "chat", _("Chat")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        CLOSED = "closed", _("Closed")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    channel = models.ForeignKey(
        "chat.Channel", on_delete=models.PROTECT, related_name="requests", verbose_name=_("channel")
    )
    session = models.ForeignKey(
        "chat.ChatSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests",
        verbose_name=_("chat session"),
    )
    title = models.CharField(_("title"), max_length=200)
    contact = models.ForeignKey(
        "helpdesk.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests",
        verbose_name=_("contact"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    body = models.TextField(_("message"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["assigned_to", "status"], name="request_assignee_status")]

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def __str__(self):
        return f"#{self.pk} {self.title}"


class RequestReply(models.Model):
    """An answer to the visitor, sent by e-mail from the request and kept on it."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="replies", verbose_name=_("request"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("message"))
    sent_to = models.EmailField(_("sent to"))
    # Names one submission of the reply form: a second click or a resent POST finds the first reply
    # instead of e-mailing the visitor twice.
    submission = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "submission"], name="request_reply_once_per_submission")
        ]

    def __str__(self):
        return f"#{self.request_id} {self.created_at:%Y-%m-%d %H:%M}"


class Contact(models.Model):
    """A person the company knows: the chat suggests one by email and name, the agent links it."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} ({self.company})" if self.company else name


class Activity(models.Model):
    """Something that happened with a contact; an ended chat leaves its transcript here."""

    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="activities", verbose_name=_("contact")
    )
    session = models.ForeignKey(
        "chat.ChatSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("chat session"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CHAT)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
