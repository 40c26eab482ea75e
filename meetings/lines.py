"""What a meeting line of a chat's transcript holds: the event lines keep their facts in the body, as JSON,
so the transcript reads the same later whatever happens to the meeting (a cancelled one stays booked in the
line that said so) and the line travels in its live event like any other (live/lines.py)."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from helpdesk.templatetags.people import person

MEETING_EVENTS = ("calendar_shown", "meeting_booked", "meeting_cancelled")


def calendar_shown_body(shown) -> str:
    return json.dumps({"calendar": shown.pk, "agent": person(shown.agent)})


def meeting_body(meeting) -> str:
    return json.dumps({
        "meeting": meeting.pk, "agent": person(meeting.agent), "starts_at": meeting.starts_at.isoformat(),
        "time_zone": meeting.visitor_time_zone,
    })


def read_body(body: str) -> dict:
    """The line's facts, with `starts` as a datetime in the visitor's time zone; {} for a body that is not
    one of ours (a line written by hand in the admin)."""
    try:
        facts = json.loads(body)
    except (TypeError, ValueError):
        return {}
    if not isinstance(facts, dict):
        return {}
    if "starts_at" in facts:
        try:
            facts["starts"] = datetime.fromisoformat(facts["starts_at"]).astimezone(ZoneInfo(facts["time_zone"]))
        except (KeyError, ValueError):
            return {}
    return facts
