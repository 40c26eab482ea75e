"""What the charts draw, as JSON for the page's <script type="application/json"> (the page runs no inline code)."""

from django.utils.translation import gettext as _

from helpdesk.templatetags.people import person


def chart_data(report) -> dict:
    return {
        "days": [day.isoformat() for day, _row in report.by_day],
        "started": [row["started"] for _day, row in report.by_day],
        "answered": [row["answered"] for _day, row in report.by_day],
        "wait_p50": [row["wait_p50"] for _day, row in report.by_day],
        "wait_p90": [row["wait_p90"] for _day, row in report.by_day],
        "agents": [person(agent) if agent else _("Not answered") for agent, _row in report.by_agent],
        "agent_answered": [row["answered"] for _agent, row in report.by_agent],
        "agent_first_response_p50": [row["first_response_p50"] for _agent, row in report.by_agent],
        "labels": {
            "started": _("Chats started"),
            "answered": _("Answered"),
            "wait_p50": _("Wait in queue p50 (s)"),
            "wait_p90": _("Wait in queue p90 (s)"),
            "first_response_p50": _("First response p50 (s)"),
        },
    }
