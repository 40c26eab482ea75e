"""Transfers in the Django admin: the hand-over history, and what transfers add to the chat session page of
chat/admin.py (its transfer history, the waiting offer in the list, and the manager's two actions, Take over
and Transfer), so that chat's admin does not import transfers."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from chat.admin import ChatSessionAdmin, ReadOnlyInline
from chat.models import ChatSession
from helpdesk.admin import ChannelScoped, PersonChoiceField, person_column
from helpdesk.errors import ServiceError
from helpdesk.templatetags.people import person
from transfers import selectors, services
from transfers.models import Transfer

# A user's own str() is their login: these show the person by name instead.
NAMED_PEOPLE = {
    "from_agent": "from_name", "to_agent": "to_name", "requested_by": "requested_by_name",
    "decided_by": "decided_by_name",
}


@admin.register(Transfer)
class TransferAdmin(ChannelScoped, admin.ModelAdmin):
    """The hand-over history: read-only, since every change goes through transfers.services."""

    list_display = [
        "session", "kind", "from_name", "to_name", "requested_by_name", "status", "created_at", "decided_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["session", "from_agent", "to_agent", "requested_by"]

    from_name = person_column(Transfer, "from_agent")
    to_name = person_column(Transfer, "to_agent")
    requested_by_name = person_column(Transfer, "requested_by")
    decided_by_name = person_column(Transfer, "decided_by")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(session__channel_id__in=channel_ids)

    def get_fields(self, request, obj=None):
        return [NAMED_PEOPLE.get(field.name, field.name) for field in self.model._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransferInline(ReadOnlyInline):
    model = Transfer
    fk_name = "session"
    fields = [
        "created_at", "kind", "from_name", "to_name", "requested_by_name", "note", "status", "decided_at",
        "decided_by_name",
    ]
    readonly_fields = fields
    verbose_name_plural = _("Transfer history")

    from_name = person_column(Transfer, "from_agent")
    to_name = person_column(Transfer, "to_agent")
    requested_by_name = person_column(Transfer, "requested_by")
    decided_by_name = person_column(Transfer, "decided_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_agent", "to_agent", "requested_by", "decided_by")


class TransferToForm(forms.Form):
    to_agent = PersonChoiceField(queryset=None, label=_("Transfer to"))
    note = forms.CharField(label=_("Note for your colleague"), required=False, widget=forms.Textarea, max_length=1000)

    def __init__(self, *args, session=None, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agent"].queryset = selectors.transfer_targets(session, viewer.pk)


class ChatSessionWithTransfersAdmin(ChatSessionAdmin):
    list_display = [*ChatSessionAdmin.list_display[:-1], "pending_transfer", ChatSessionAdmin.list_display[-1]]
    inlines = [TransferInline, *ChatSessionAdmin.inlines]
    actions = ["take_over", "transfer_to", *ChatSessionAdmin.actions]

    def get_queryset(self, request):
        pending = Transfer.objects.filter(status=Transfer.Status.PENDING).select_related("to_agent")
        return super().get_queryset(request).prefetch_related(
            Prefetch("transfers", queryset=pending, to_attr="pending_transfers")
        )

    @admin.display(description=_("pending transfer"))
    def pending_transfer(self, obj):
        return person(obj.pending_transfers[0].to_agent) if obj.pending_transfers else "—"

    @admin.action(description=_("Take over"))
    def take_over(self, request, queryset):
        for session in queryset:
            try:
                services.session_take_over(session=session, by=request.user)
            except ServiceError as error:
                self.message_user(request, f"#{session.pk}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("You now own chat #%(id)s.") % {"id": session.pk}, messages.SUCCESS)

    @staticmethod
    def _transfer_outcome(transfer):
        """Where a channel's transfers need no acceptance the chat has changed hands already."""
        if transfer.is_pending:
            return _("The transfer is waiting for an answer.")
        return _("%(name)s now owns chat #%(id)s.") % {"name": person(transfer.to_agent), "id": transfer.session_id}

    @admin.action(description=_("Transfer to another agent"))
    def transfer_to(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one chat to transfer."), messages.WARNING)
            return None
        session = queryset.get()
        if "apply" in request.POST:
            form = TransferToForm(request.POST, session=session, viewer=request.user)
            if form.is_valid():
                try:
                    transfer = services.transfer_start(
                        session=session, by=request.user, to_agent_id=form.cleaned_data["to_agent"].pk,
                        note=form.cleaned_data["note"],
                    )
                except ServiceError as error:
                    self.message_user(request, error.message, messages.ERROR)
                else:
                    self.message_user(request, self._transfer_outcome(transfer), messages.SUCCESS)
                return None
        else:
            form = TransferToForm(session=session, viewer=request.user)
        return render(request, "admin/transfers/transfer_to.html", {
            **self.admin_site.each_context(request), "form": form, "session": session,
            "queryset": queryset, "title": _("Transfer to"), "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


admin.site.unregister(ChatSession)
admin.site.register(ChatSession, ChatSessionWithTransfersAdmin)
