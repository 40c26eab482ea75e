"""The people side: an agent's presence and language, and the team-wide chat permissions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentProfile(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        AWAY = "away", _("Away")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile", verbose_name=_("user")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AWAY)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Leave empty to follow the browser."),
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
        return self.status == self.Status.PRESENT


class Request(models.Model):
    """A ticket: what a visitor left in the offline form, or what an agent made of a chat."""

    class Source(models.TextChoices):
        OFFLINE_FORM = "offline_form", _("Offline form")
        CHAT = "chat", _("Chat")

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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.title}"


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
