"""The Reports' figures: SQL aggregation, a fixed number of queries whatever the number of chats.

Every figure is counted over what started in the period (chats, offline messages, transfers and listen-ins
by their own start), on the channels in `scope.channel_ids` (the viewer's managed channels, narrowed by the
filters) and, with an agent filter, on that agent's chats (as owner), the transfers offered to them and their
listen-ins. Durations are in seconds:

- wait in queue: from the chat's start to its answer;
- first response: from the chat's start to the first line an agent wrote;
- handling: from the answer to the end;
- time to accept: from the offer to its acceptance.

Each source (chats, transfers, offline messages) is one statement: the ORM's query of one row per item (its
keys and what its figures read, the first response from the time stored on the chat) becomes a WITH clause
that one GROUPING SETS aggregates per channel, agent, day, hour of day and over the whole period
(`_grouped`). Three statements, then, for every breakdown and the total, plus the ratings' distribution
and the channels, people, latest comments and listen-ins shown by name: at most eight queries (seven with
an agent filter) for any number of chats. The rows are filled out with zeros for the channels, days and
hours that had nothing, which loops over the period's shape, never over chats.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.functions import ExtractHour, TruncDate

from chat.models import Channel, ChatSession, Listener
from helpdesk.models import Request
from meetings.models import Meeting
from reports.percentiles import collected_percentiles_sql, percentile_sql
from transfers.models import Transfer

BREAKDOWNS = ("channel", "agent", "day", "hour")
LATEST_COMMENTS = 10
LATEST_LISTEN_INS = 50
RATINGS = (1, 2, 3, 4, 5)
PERCENTILES = (0.5, 0.9)


class Seconds(Func):
    """`end - start` in seconds (a float), NULL when either is."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        # date_part gives a double precision itself; EXTRACT gives a numeric, slower to make and to cast
        return super().as_sql(
            compiler, connection, template="date_part('epoch', %(expressions)s)", arg_joiner=" - ", **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)", arg_joiner=") - julianday(",
            **extra_context,
        )


class HourOfDay(ExtractHour):
    """The hour of the day in `tzinfo`, an integer. On PostgreSQL through date_part, a double precision:
    ExtractHour's EXTRACT gives a numeric, slow to make and to cast, once per row of a report."""

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(date_part('hour', {sql} AT TIME ZONE %s) AS integer)", (*params, self.get_tzname())


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


def _meetings_booked(scope):
    """Meetings booked from the channels' chats in the period (by when they were booked) and not cancelled
    since; with an agent filter, the meetings with that agent."""
    meetings = Meeting.objects.booked().filter(
        channel_id__in=scope.channel_ids, created_at__gte=scope.start, created_at__lt=scope.end
    )
    if scope.agent_id:
        meetings = meetings.filter(agent_id=scope.agent_id)
    return meetings.order_by()


# --- One statement per source: every breakdown and the total at once ---------------------------------


def _grouped(rows, keys, figures, percentiles=()):
    """{breakdown: {key: {figure: value}}} of `rows`, grouped by each of `keys` and by nothing ("total",
    key None): one statement, whatever the number of rows.

    `rows` is (column names, a .values() queryset of one row per chat, transfer or offline message, from
    `_rows`); it becomes a WITH clause that PostgreSQL reads once for GROUPING SETS, SQLite once per GROUP
    BY (it has no GROUPING SETS: a GROUP BY per key, joined by UNION ALL, the same rows in one statement).
    `percentiles` names the columns whose p50 and p90 are figures too (`{column}_p50`, `{column}_p90`).
    """
    columns, rows = rows
    inner, params = rows.query.sql_with_params()
    named = _names(figures, percentiles)
    if connection.vendor == "postgresql":
        sql = _postgresql_sql(f"WITH report_rows ({', '.join(columns)}) AS ({inner} OFFSET 0)", keys, figures,
                              percentiles)
    else:
        sql = _sqlite_sql(f"WITH report_rows ({', '.join(columns)}) AS ({inner})", keys, figures, percentiles)
    result = {breakdown: {} for breakdown in (*keys, "total")}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for breakdown, key, *values in cursor.fetchall():
            result[breakdown][_key_of(breakdown, key)] = dict(zip(named, values))
    return result


def _fractions(column):
    return [(f"{column}_p{round(fraction * 100)}", fraction) for fraction in PERCENTILES]


def _names(figures, percentiles):
    """The figures' names, in the order the statements select them."""
    return [*(name for name, _sql in figures), *(name for column in percentiles for name, _f in _fractions(column))]


def _postgresql_sql(with_clause, keys, figures, percentiles):
    """GROUPING SETS, hashed: one pass over the rows, no sort of them. Percentiles would need each
    breakdown's rows sorted (an ordered-set aggregate is never hashed), so each group collects its values
    instead and the percentiles are taken from those (`collected_percentiles_sql`). The collected values
    stay in memory while the statement runs, past work_mem: about 9 MB for 100,000 chats.

    OFFSET 0 keeps the rows a subquery of their own, whose day and hour PostgreSQL then estimates at a few
    hundred groups rather than one per row (it knows nothing of their expressions): with that estimate
    it hashes every breakdown in memory instead of sorting the rows for some of them."""
    breakdown = " ".join(f"WHEN GROUPING({key}) = 0 THEN '{key}'" for key in keys)
    key_text = " ".join(f"WHEN GROUPING({key}) = 0 THEN CAST({key} AS text)" for key in keys)
    collected = [(f"{column}_values", f"array_agg({column}) FILTER (WHERE {column} IS NOT NULL)")
                 for column in percentiles]
    selected = ", ".join(f"{sql} AS {name}" for name, sql in [*figures, *collected])
    grouped = (f"SELECT CASE {breakdown} ELSE 'total' END AS breakdown, CASE {key_text} END AS key, {selected} "
               f"FROM report_rows GROUP BY GROUPING SETS ({', '.join(f'({key})' for key in keys)}, ())")
    laterals = " ".join(
        collected_percentiles_sql(f"grouped.{column}_values", _fractions(column), f"{column}_percentiles")
        for column in percentiles
    )
    names = ", ".join(_names(figures, percentiles))
    return f"{with_clause}, grouped AS ({grouped}) SELECT breakdown, key, {names} FROM grouped {laterals}"


def _sqlite_sql(with_clause, keys, figures, percentiles):
    figures = [*figures, *((name, percentile_sql("sqlite", column, fraction))
                           for column in percentiles for name, fraction in _fractions(column))]
    selected = ", ".join(f"{sql} AS {name}" for name, sql in figures)
    branches = [f"SELECT '{key}', CAST({key} AS text), {selected} FROM report_rows GROUP BY {key}" for key in keys]
    branches.append(f"SELECT 'total', NULL, {selected} FROM report_rows")
    return f"{with_clause} " + " UNION ALL ".join(branches)


def _key_of(breakdown, text):
    if text is None or breakdown == "total":
        return None
    if breakdown == "day":
        return date.fromisoformat(str(text)[:10])
    return int(float(text))


def _flag(condition):
    """1 where the condition holds, else NULL: COUNT of it is the cheapest aggregate there is."""
    return Case(When(condition, then=Value(1)), default=None, output_field=IntegerField())


def _keys(scope, *, channel, agent, moment):
    """The columns a row is counted under, given the queryset's own field names (no agent: not per agent)."""
    keys = {"channel": F(channel)}
    if agent:
        keys["agent"] = F(agent)
    keys["day"] = TruncDate(moment, tzinfo=scope.tz)
    keys["hour"] = HourOfDay(moment, tzinfo=scope.tz)
    return keys


def _rows(queryset, columns):
    """(names, a .values() queryset of those columns): annotated under a prefix of their own, so that no
    name clashes with a model field's."""
    names = {f"report_{name}": expression for name, expression in columns.items()}
    return list(columns), queryset.annotate(**names).values(*names)


def _counted(flag):
    return f"COUNT({flag})"


CHAT_FIGURES = [
    ("started", "COUNT(*)"),
    ("answered", _counted("is_answered")),
    ("abandoned", _counted("is_abandoned")),
    ("inactivity", _counted("is_inactive")),
    ("spam", _counted("is_spam")),
    ("wait_max", "MAX(wait)"),
    ("first_response_max", "MAX(first_response)"),
    ("handling_avg", "AVG(handling)"),
    ("rating_avg", "AVG(CAST(stars AS double precision))"),
    ("ratings", "COUNT(stars)"),
]
CHAT_PERCENTILES = ("wait", "first_response")


def _chat_breakdowns(scope):
    ended = ChatSession.EndReason
    rows = _rows(_chats(scope), {
        **_keys(scope, channel="channel_id", agent="owner_id", moment="created_at"),
        "wait": Seconds("answered_at", "created_at"),
        "first_response": Seconds("first_response_at", "created_at"),
        "handling": Seconds("ended_at", "answered_at"),
        "is_answered": _flag(Q(answered_at__isnull=False)),
        "is_abandoned": _flag(Q(end_reason=ended.ABANDONED)),
        "is_inactive": _flag(Q(end_reason=ended.INACTIVITY)),
        "is_spam": _flag(Q(end_reason=ended.SPAM)),
        "stars": F("rating"),
    })
    return _grouped(rows, BREAKDOWNS, CHAT_FIGURES, CHAT_PERCENTILES)


TRANSFER_FIGURES = [
    ("offered", _counted("is_offer")),
    ("accepted", _counted("is_accepted")),
    ("rejected", _counted("is_rejected")),
    ("cancelled", _counted("is_cancelled")),
    ("expired", _counted("is_expired")),
    ("accept_avg", "AVG(accept_time)"),
    ("accept_max", "MAX(accept_time)"),
    ("take_overs", _counted("is_take_over")),
]


def _transfer_breakdowns(scope):
    status = Transfer.Status
    offer = Q(kind=Transfer.Kind.TRANSFER)
    accepted = offer & Q(status=status.ACCEPTED)
    rows = _rows(_transfers(scope), {
        **_keys(scope, channel="session__channel_id", agent="to_agent_id", moment="created_at"),
        "is_offer": _flag(offer),
        "is_accepted": _flag(accepted),
        "is_rejected": _flag(offer & Q(status=status.REJECTED)),
        "is_cancelled": _flag(offer & Q(status=status.CANCELLED)),
        "is_expired": _flag(offer & Q(status=status.EXPIRED)),
        "accept_time": Case(When(accepted, then=Seconds("decided_at", "created_at")), default=None),
        "is_take_over": _flag(Q(kind=Transfer.Kind.TAKE_OVER)),
    })
    return _grouped(rows, BREAKDOWNS, TRANSFER_FIGURES)


def _missed_breakdowns(scope):
    """Offline messages per channel, day and hour: nobody owns them, so an agent filter leaves none (and
    no query)."""
    keys = ("channel", "day", "hour")
    if scope.agent_id:
        return {breakdown: {} for breakdown in (*keys, "total")}
    rows = _rows(_offline_messages(scope), _keys(scope, channel="channel_id", agent=None, moment="created_at"))
    return _grouped(rows, keys, [("missed", "COUNT(*)")])


ZERO_CHATS = {"started": 0, "answered": 0, "abandoned": 0, "inactivity": 0, "spam": 0, "ratings": 0}
ZERO_TRANSFERS = {"offered": 0, "accepted": 0, "rejected": 0, "cancelled": 0, "expired": 0, "take_overs": 0}
CHAT_FIELDS = tuple(_names(CHAT_FIGURES, CHAT_PERCENTILES))
TRANSFER_FIELDS = tuple(name for name, _sql in TRANSFER_FIGURES)
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


def _merged(*sources):
    """{breakdown: {key: row}}: each source's figures, one row per key, zeros for what a source lacks."""
    merged = {breakdown: {} for breakdown in (*BREAKDOWNS, "total")}
    for source in sources:
        for breakdown, rows in source.items():
            for key, figures in rows.items():
                merged[breakdown].setdefault(key, _empty_row()).update(figures)
    merged["total"].setdefault(None, _empty_row())
    return merged


def _distribution(scope):
    """[(stars, chats)] over the whole period: a query of its own, which is cheaper than counting each
    number of stars in every breakdown of the chats' statement only to keep the total's."""
    counts = dict(_chats(scope).filter(rating__in=RATINGS).values_list("rating").annotate(chats=Count("id")))
    return [(stars, counts.get(stars, 0)) for stars in RATINGS]


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
    per = _merged(_chat_breakdowns(scope), _transfer_breakdowns(scope), _missed_breakdowns(scope))

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

    totals = per["total"][None]
    totals["distribution"] = _distribution(scope)
    totals["meetings_booked"] = _meetings_booked(scope).count()
    return Report(
        scope=scope,
        totals=_with_rate(totals),
        by_channel=[(channels[key], row) for key, row in filled(list(channels), per["channel"])],
        by_agent=by_agent,
        by_day=filled(scope.days, per["day"]),
        by_hour=filled(range(24), per["hour"]),
        latest_comments=list(comments),
        listen_ins=list(listen_ins),
    )
