from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.admin import ChannelScoped, person_column
from meetings.models import ChannelMeetings, Meeting, WorkingCalendar, WorkingPeriod
from meetings.services import booking


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 1


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(ChannelScoped, admin.ModelAdmin):
    """Managers keep the working hours of their channels' agents; the agents keep their own in the workspace."""

    list_display = ["agent_name", "time_zone"]
    search_fields = ["agent__username", "agent__first_name", "agent__last_name"]
    list_select_related = ["agent"]
    inlines = [WorkingPeriodInline]
    agent_name = person_column(WorkingCalendar, "agent")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(agent__channel_memberships__channel_id__in=channel_ids).distinct()


@admin.register(ChannelMeetings)
class ChannelMeetingsAdmin(ChannelScoped, admin.ModelAdmin):
    list_display = ["channel", "meeting_minutes"]

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(channel_id__in=channel_ids)


@admin.register(Meeting)
class MeetingAdmin(ChannelScoped, admin.ModelAdmin):
    """The booked meetings: read-only, since booking and cancelling go through meetings.services.booking
    (which e-mails both sides); "Cancel selected meetings" does so too."""

    list_display = ["starts_at", "ends_at", "agent_name", "visitor_name", "visitor_email", "channel", "status", "session"]
    list_filter = ["status", "channel"]
    search_fields = ["visitor_name", "visitor_email", "agent__username", "agent__first_name", "agent__last_name"]
    list_select_related = ["agent", "channel", "session"]
    date_hierarchy = "starts_at"
    actions = ["cancel_meetings"]
    agent_name = person_column(Meeting, "agent")

    def in_channels(self, queryset, channel_ids):
        return queryset.filter(channel_id__in=channel_ids)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel selected meetings"), permissions=["change"])
    def cancel_meetings(self, request, queryset):
        cancelled = 0
        for meeting in queryset.filter(status=Meeting.Status.BOOKED):
            booking.meeting_cancel(meeting=meeting, by=request.user)
            cancelled += 1
        self.message_user(request, ngettext(
            "%(count)d meeting cancelled.", "%(count)d meetings cancelled.", cancelled) % {"count": cancelled},
            messages.SUCCESS)
