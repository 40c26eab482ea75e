"""percentile_cont, on PostgreSQL and on SQLite.

PostgreSQL has it built in (an ordered-set aggregate: `percentile_cont(0.9) WITHIN GROUP (ORDER BY x)`).
SQLite has none, so each new SQLite connection gets one registered (`percentile_cont(x, 0.9)`), the way
Django's own SQLite backend adds STDDEV_POP and friends: the grouping, filtering and joining stay in the
one SQL query, and SQLite hands each group's values to this small aggregate, which keeps them in memory
until the group ends. Both compute the same thing (linear interpolation between the closest ranks), so a
report reads the same on either database.
"""

def percentile_sql(vendor: str, column: str, fraction: float) -> str:
    """The SQL of percentile_cont over `column` (a name the query itself defines, never a person's input)."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must be between 0 and 1")
    if vendor == "sqlite":
        return f"percentile_cont({column}, {float(fraction)!r})"
    return f"percentile_cont({float(fraction)!r}) WITHIN GROUP (ORDER BY {column})"


def collected_percentiles_sql(array: str, names_and_fractions, alias: str) -> str:
    """PostgreSQL: a LATERAL subquery (`alias`) of percentile_cont at each fraction over the values in
    `array`, a float array column of the query, under each name.

    An ordered-set aggregate needs its groups sorted, a sort of every row per breakdown; the values
    collected by array_agg, which a hashed GROUP BY allows, are each sorted alone, a sort of one
    number each (the percentiles over the same values share it)."""
    selected = ", ".join(f"{percentile_sql('postgresql', 'value', fraction)} AS {name}"
                         for name, fraction in names_and_fractions)
    return f"CROSS JOIN LATERAL (SELECT {selected} FROM (SELECT unnest({array}) AS value) AS listed) AS {alias}"


def interpolated_percentile(values, fraction):
    """What PostgreSQL's percentile_cont answers for these values; None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    below = int(position)
    if below + 1 >= len(ordered):
        return float(ordered[below])
    return ordered[below] + (ordered[below + 1] - ordered[below]) * (position - below)


class _SqlitePercentileCont:
    def __init__(self):
        self.values = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self):
        return interpolated_percentile(self.values, self.fraction)


def register_on_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("percentile_cont", 2, _SqlitePercentileCont)
