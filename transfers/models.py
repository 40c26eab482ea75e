"""Every hand-over of a chat: transfers offered to a colleague, take-overs and reassigns by a manager.

The rows are the chat's hand-over history; a pending row is an open offer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from helpdesk.templatetags.people import person


class Transfer(models.Model):
    class Kind(models.TextChoices):
        # Nouns for the history's "What" column; the buttons' verbs read wrong there in Swedish ("Överför").
        TRANSFER = "transfer", pgettext_lazy("kind of hand-over", "Transfer")
        TAKE_OVER = "take_over", pgettext_lazy("kind of hand-over", "Take over")
        REASSIGN = "reassign", pgettext_lazy("kind of hand-over", "Reassign")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class CancelReason(models.TextChoices):
        """What closed an offer that nobody chose Cancel transfer for: its receiver is told that, not
        that someone cancelled it."""

        CHAT_ENDED = "chat_ended", _("Chat ended")
        TAKEN_OVER = "taken_over", _("Taken over")
        RECEIVER_AWAY = "receiver_away", _("Receiver went Away")
        RECEIVER_OFFLINE = "receiver_offline", _("Receiver went offline")

    session = models.ForeignKey(
        "chat.ChatSession", on_delete=models.CASCADE, related_name="transfers", verbose_name=_("chat session")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRANSFER)
    status = models.CharField(_("outcome"), max_length=20, choices=Status.choices, default=Status.PENDING)
    cancel_reason = models.CharField(
        _("cancelled because"), max_length=20, choices=CancelReason.choices, blank=True,
        help_text=_("Empty when someone chose Cancel transfer."),
    )
    from_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers_offered",
        verbose_name=_("to"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note for the colleague"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(status="pending"), name="one_pending_transfer_per_chat"
            ),
            models.CheckConstraint(condition=~Q(from_agent=models.F("to_agent")), name="transfer_to_someone_else"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="decided_exactly_when_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(cancel_reason="") | Q(status="cancelled"), name="cancel_reason_only_when_cancelled"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.session_id}: {person(self.from_agent)} -> {person(self.to_agent)}"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING
