"""The Reports' figures: SQL aggregation, a fixed number of queries whatever the number of chats.

Every figure is counted over what started in the period (chats, offline messages, transfers and listen-ins
by their own start), on the channels in `scope.channel_ids` (the viewer's managed channels, narrowed by the
filters) and, with an agent filter, on that agent's chats (as owner), the transfers offered to them and their
listen-ins. Durations are in seconds:

- wait in queue: from the chat's start to its answer;
- first response: from the chat's start to the first line an agent wrote;
- handling: from the answer to the end;
- time to accept: from the offer to its acceptance.

The chats' figures, the costly ones, are one statement: the ORM's query of one row per chat (its keys and
durations, the first agent line's subquery included) becomes a WITH clause, read once, that five GROUP BYs
(channel, agent, day, hour of day, the whole period) aggregate, joined by UNION ALL; so each chat's
subquery runs once, not once per figure and breakdown. The transfers and offline messages, ten times fewer,
are a plain GROUP BY query per breakdown. The rows are filled out with zeros for the channels, days and
hours that had nothing, which loops over the period's shape, never over chats.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Case, Count, F, FloatField, Func, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import ExtractHour, TruncDate

from chat.models import Channel, ChatSession, Listener, Message
from helpdesk.models import Request
from reports.percentiles import percentile_sql
from transfers.models import Transfer

BREAKDOWNS = ("channel", "agent", "day", "hour")
LATEST_COMMENTS = 10
LATEST_LISTEN_INS = 50
RATINGS = (1, 2, 3, 4, 5)


class Seconds(Func):
    """`end - start` in seconds (a float), NULL when either is."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)",
            arg_joiner=" - ", **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)", arg_joiner=") - julianday(",
            **extra_context,
        )


@dataclass(frozen=True)
class Scope:
    channel_ids: tuple[int, ...]
    first_day: date
    last_day: date
    tz: tzinfo
    agent_id: int | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


# --- The querysets a report counts over ---------------------------------------------------------------


def _chats(scope):
    chats = ChatSession.objects.filter(
        channel_id__in=scope.channel_ids, created_at__gte=scope.start, created_at__lt=scope.end
    )
    if scope.agent_id:
        chats = chats.filter(owner_id=scope.agent_id)
    return chats.order_by()


def _transfers(scope):
    transfers = Transfer.objects.filter(
        session__channel_id__in=scope.channel_ids, created_at__gte=scope.start, created_at__lt=scope.end
    )
    if scope.agent_id:
        transfers = transfers.filter(to_agent_id=scope.agent_id)
    return transfers.order_by()


def _offline_messages(scope):
    """Missed chats: what visitors left in the offline form. Nobody owns them, so an agent filter leaves none."""
    missed = Request.objects.filter(
        source=Request.Source.OFFLINE_FORM, channel_id__in=scope.channel_ids,
        created_at__gte=scope.start, created_at__lt=scope.end,
    )
    if scope.agent_id:
        missed = missed.none()
    return missed.order_by()


# --- The figures, as aggregates ----------------------------------------------------------------------


def _first_agent_line():
    """When an agent first wrote in the chat (the partial index first_agent_line answers it)."""
    return Subquery(
        Message.objects.filter(session=OuterRef("pk"), kind=Message.Kind.AGENT)
        .order_by("created_at").values("created_at")[:1]
    )


def _flag(condition):
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _chat_rows(scope):
    """One row per chat: the keys it is counted under and what the figures read from it."""
    ended = ChatSession.EndReason
    columns = {
        "channel": F("channel_id"),
        "agent": F("owner_id"),
        "day": TruncDate("created_at", tzinfo=scope.tz),
        "hour": ExtractHour("created_at", tzinfo=scope.tz),
        "wait": Seconds("answered_at", "created_at"),
        "first_response": Seconds(_first_agent_line(), "created_at"),
        "handling": Seconds("ended_at", "answered_at"),
        "is_answered": _flag(Q(answered_at__isnull=False)),
        "is_abandoned": _flag(Q(end_reason=ended.ABANDONED)),
        "is_inactive": _flag(Q(end_reason=ended.INACTIVITY)),
        "is_spam": _flag(Q(end_reason=ended.SPAM)),
        "stars": F("rating"),
    }
    names = {f"report_{name}": expression for name, expression in columns.items()}
    return list(columns), _chats(scope).annotate(**names).values(*names)


def _chat_figures_sql(vendor):
    """(name, SQL) of each chat figure over the WITH clause's columns."""
    figures = [
        ("started", "COUNT(*)"),
        ("answered", "COALESCE(SUM(is_answered), 0)"),
        ("abandoned", "COALESCE(SUM(is_abandoned), 0)"),
        ("inactivity", "COALESCE(SUM(is_inactive), 0)"),
        ("spam", "COALESCE(SUM(is_spam), 0)"),
    ]
    for measure in ("wait", "first_response"):
        figures += [
            (f"{measure}_p50", percentile_sql(vendor, measure, 0.5)),
            (f"{measure}_p90", percentile_sql(vendor, measure, 0.9)),
            (f"{measure}_max", f"MAX({measure})"),
        ]
    figures += [
        ("handling_avg", "AVG(handling)"),
        ("rating_avg", "AVG(CAST(stars AS double precision))"),
        ("ratings", "COUNT(stars)"),
    ]
    figures += [(f"stars_{stars}", f"COALESCE(SUM(CASE WHEN stars = {int(stars)} THEN 1 ELSE 0 END), 0)")
                for stars in RATINGS]
    return figures


def _key_of(breakdown, text):
    if text is None or breakdown == "total":
        return None
    if breakdown == "day":
        return date.fromisoformat(str(text)[:10])
    return int(float(text))


def _chat_breakdowns(scope):
    """{breakdown: {key: figures}} of the chats, "total" included (key None): one query."""
    columns, rows = _chat_rows(scope)
    inner, params = rows.query.sql_with_params()
    figures = _chat_figures_sql(connection.vendor)
    selected = ", ".join(f"{sql} AS {name}" for name, sql in figures)
    branches = []
    for breakdown in (*BREAKDOWNS, "total"):
        if breakdown == "total":
            branches.append(f"SELECT 'total' AS breakdown, NULL AS report_key, {selected} FROM report_chats")
        else:
            branches.append(f"SELECT '{breakdown}' AS breakdown, CAST({breakdown} AS text) AS report_key, {selected} "
                            f"FROM report_chats GROUP BY {breakdown}")
    sql = f"WITH report_chats ({', '.join(columns)}) AS ({inner}) " + " UNION ALL ".join(branches)
    result = {breakdown: {} for breakdown in (*BREAKDOWNS, "total")}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for breakdown, key, *values in cursor.fetchall():
            result[breakdown][_key_of(breakdown, key)] = dict(zip((name for name, _sql in figures), values))
    return result


def _transfer_figures():
    status = Transfer.Status
    offer = Q(kind=Transfer.Kind.TRANSFER)
    accepted = offer & Q(status=status.ACCEPTED)
    return {
        "offered": Count("id", filter=offer),
        "accepted": Count("id", filter=accepted),
        "rejected": Count("id", filter=offer & Q(status=status.REJECTED)),
        "cancelled": Count("id", filter=offer & Q(status=status.CANCELLED)),
        "expired": Count("id", filter=offer & Q(status=status.EXPIRED)),
        "accept_avg": Avg(Seconds("decided_at", "created_at"), filter=accepted),
        "accept_max": Max(Seconds("decided_at", "created_at"), filter=accepted),
        "take_overs": Count("id", filter=Q(kind=Transfer.Kind.TAKE_OVER)),
    }


ZERO_CHATS = {"started": 0, "answered": 0, "abandoned": 0, "inactivity": 0, "spam": 0, "ratings": 0}
ZERO_TRANSFERS = {"offered": 0, "accepted": 0, "rejected": 0, "cancelled": 0, "expired": 0, "take_overs": 0}
CHAT_FIELDS = tuple(name for name, _sql in _chat_figures_sql("postgresql") if not name.startswith("stars_"))
TRANSFER_FIELDS = tuple(_transfer_figures())
FIELDS = ("missed", *CHAT_FIELDS, *TRANSFER_FIELDS, "acceptance_rate")


def _empty_row():
    row = dict.fromkeys(FIELDS)
    row.update(ZERO_CHATS, **ZERO_TRANSFERS, missed=0)
    return row


def _with_rate(row):
    """Acceptance rate: accepted out of the offers their receiver answered or let expire (a cancelled or
    pending offer was never theirs to decide)."""
    decided = row["accepted"] + row["rejected"] + row["expired"]
    row["acceptance_rate"] = row["accepted"] / decided if decided else None
    return row


# --- Grouping -----------------------------------------------------------------------------------------


def _group_keys(scope, breakdown, *, channel, agent, moment):
    """The GROUP BY expression of a breakdown, given the queryset's own field names."""
    if breakdown == "channel":
        return F(channel)
    if breakdown == "agent":
        return F(agent) if agent else None
    if breakdown == "day":
        return TruncDate(moment, tzinfo=scope.tz)
    return ExtractHour(moment, tzinfo=scope.tz)


def _grouped(queryset, key, figures):
    if key is None:
        return {}
    return {row.pop("key"): row for row in queryset.values(key=key).annotate(**figures).order_by()}


def _breakdown(scope, breakdown, chats):
    """{key: row} of every figure for one breakdown: the chats' (already counted) and two queries."""
    transfers = _grouped(_transfers(scope), _group_keys(scope, breakdown, channel="session__channel_id",
                                                       agent="to_agent_id", moment="created_at"), _transfer_figures())
    missed = _grouped(_offline_messages(scope), _group_keys(scope, breakdown, channel="channel_id", agent=None,
                                                           moment="created_at"), {"missed": Count("id")})
    rows = {}
    for source in (chats, transfers, missed):
        for key, figures in source.items():
            row = rows.setdefault(key, _empty_row())
            row.update({name: value for name, value in figures.items() if not name.startswith("stars_")})
    return rows


def _totals(scope, chats):
    row = _empty_row()
    row.update(chats, **_transfers(scope).aggregate(**_transfer_figures()))
    row["missed"] = _offline_messages(scope).count()
    row["distribution"] = [(stars, row.pop(f"stars_{stars}")) for stars in RATINGS]
    return _with_rate(row)


# --- The report ----------------------------------------------------------------------------------------


@dataclass
class Report:
    scope: Scope
    totals: dict
    by_channel: list  # (Channel, row)
    by_agent: list  # (User or None, row): None holds the chats nobody answered
    by_day: list  # (date, row)
    by_hour: list  # (hour, row)
    latest_comments: list  # ChatSession with owner and channel
    listen_ins: list  # Listener with agent, session and its channel


def build_report(scope: Scope) -> Report:
    """Every figure of the Reports page and its CSV, in a fixed number of queries."""
    channels = {channel.pk: channel for channel in Channel.objects.filter(pk__in=scope.channel_ids).order_by("name")}
    chats = _chat_breakdowns(scope)
    per = {breakdown: _breakdown(scope, breakdown, chats[breakdown]) for breakdown in BREAKDOWNS}

    agent_ids = [key for key in per["agent"] if key is not None]
    people = {user.pk: user for user in get_user_model().objects.filter(pk__in=agent_ids)} if agent_ids else {}
    by_agent = sorted(
        ((people.get(key), _with_rate(row)) for key, row in per["agent"].items()),
        key=lambda pair: (pair[0] is None, (pair[0].get_full_name() or pair[0].username).lower() if pair[0] else ""),
    )

    def filled(keys, rows):
        return [(key, _with_rate(rows.get(key) or _empty_row())) for key in keys]

    comments = (
        _chats(scope).exclude(rating_comment="").select_related("owner", "channel").order_by("-ended_at", "-id")
    )[:LATEST_COMMENTS]
    listen_ins = Listener.objects.filter(
        reason=Listener.Reason.SUPERVISOR, session__channel_id__in=scope.channel_ids,
        started_at__gte=scope.start, started_at__lt=scope.end,
    )
    if scope.agent_id:
        listen_ins = listen_ins.filter(agent_id=scope.agent_id)
    listen_ins = listen_ins.select_related("agent", "session__channel").order_by("-started_at", "-id")[:LATEST_LISTEN_INS]

    return Report(
        scope=scope,
        totals=_totals(scope, chats["total"][None]),
        by_channel=[(channels[key], row) for key, row in filled(list(channels), per["channel"])],
        by_agent=by_agent,
        by_day=filled(scope.days, per["day"]),
        by_hour=filled(range(24), per["hour"]),
        latest_comments=list(comments),
        listen_ins=list(listen_ins),
    )
