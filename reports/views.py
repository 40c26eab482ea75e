"""The Reports page and its CSV, for managers: every figure limited to the channels the viewer manages."""

import csv
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chat.models import Channel
from helpdesk import roles
from helpdesk.http import refusal
from helpdesk.templatetags.people import person
from reports.charts import chart_data
from reports.forms import ReportFilterForm, agents_of
from reports.queries import build_report


def manager_required(view):
    """Logged in and manager of some channel; the view gets those channels' ids."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        managed = roles.channels_where(request.user, "is_manager")
        if not managed:
            return refusal(_("Reports are for managers."), 403)
        return view(request, *args, managed_channel_ids=managed, **kwargs)

    return wrapper


def _report_for(request, managed_channel_ids):
    channels = list(Channel.objects.filter(pk__in=managed_channel_ids).order_by("name"))
    form = ReportFilterForm(request.GET or None, channels=channels, agents=agents_of(managed_channel_ids))
    return form, build_report(form.scope())


@require_GET
@manager_required
def reports_page(request, managed_channel_ids):
    form, report = _report_for(request, managed_channel_ids)
    with timezone.override(report.scope.tz):  # the listen-ins' times, as the period: the viewer's time zone
        return render(request, "reports/reports.html", {
            "form": form, "report": report, "chart_data": chart_data(report), "query": request.GET.urlencode(),
        })


def _seconds(value):
    return "" if value is None else f"{value:.0f}"


def _number(value, digits=2):
    return "" if value is None else f"{value:.{digits}f}"


@require_GET
@manager_required
def reports_csv(request, managed_channel_ids):
    """The page's numbers, one row per channel, agent, day and hour of day, after a row for the whole period."""
    form, report = _report_for(request, managed_channel_ids)
    scope = report.scope
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="reports-{scope.first_day.isoformat()}-{scope.last_day.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([
        _("Breakdown"), _("Name"), _("Chats started"), _("Answered"), _("Missed (offline form)"), _("Abandoned"),
        _("Ended by inactivity"), _("Spam"), _("Wait in queue p50 (s)"), _("Wait in queue p90 (s)"),
        _("Wait in queue max (s)"), _("First response p50 (s)"), _("First response p90 (s)"),
        _("First response max (s)"), _("Handling time average (s)"), _("Transfers offered"), _("Accepted"),
        _("Rejected"), _("Cancelled"), _("Expired"), _("Acceptance rate"), _("Time to accept average (s)"),
        _("Take-overs"), _("Rating average"), _("Ratings"),
    ])

    def line(breakdown, name, row):
        writer.writerow([
            breakdown, name, row["started"], row["answered"], row["missed"], row["abandoned"], row["inactivity"],
            row["spam"], _seconds(row["wait_p50"]), _seconds(row["wait_p90"]), _seconds(row["wait_max"]),
            _seconds(row["first_response_p50"]), _seconds(row["first_response_p90"]),
            _seconds(row["first_response_max"]), _seconds(row["handling_avg"]), row["offered"], row["accepted"],
            row["rejected"], row["cancelled"], row["expired"], _number(row["acceptance_rate"]),
            _seconds(row["accept_avg"]), row["take_overs"], _number(row["rating_avg"]), row["ratings"],
        ])

    line(_("Total"), f"{scope.first_day.isoformat()} – {scope.last_day.isoformat()}", report.totals)
    for channel, row in report.by_channel:
        line(_("Channel"), channel.name, row)
    for agent, row in report.by_agent:
        line(_("Agent"), person(agent) if agent else _("Not answered"), row)
    for day, row in report.by_day:
        line(_("Day"), day.isoformat(), row)
    for hour, row in report.by_hour:
        line(_("Hour of day"), f"{hour:02d}:00", row)
    return response
