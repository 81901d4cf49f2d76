"""Column types shared by the feature models."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.types import DateTime, TypeDecorator

UTC = dt.timezone.utc


class UTCDateTime(TypeDecorator):
    """Stores UTC (naive on SQLite, where there are no zones) and always hands
    back aware UTC datetimes, so local time is a matter for the edges only."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
