"""Realistic timing: conversations open at night in the buyer's zone, replies come after
human delays, and long conversations resume on later nights (sessions).

Times are whole seconds since the epoch, written as zone-aware UTC (`...Z`), which is what a
platform export holds. Formatting caches the date of each day and
all 86,400 times of day (a few MB, fixed).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime

Rnd = Callable[[], float]
DAY = 86_400


class Clock:
    def __init__(self, window: tuple[str, str]):
        first = date.fromisoformat(window[0])
        last = date.fromisoformat(window[1])
        if last < first:
            raise ValueError("window ends before it starts")
        self.first_day = (first - date(1970, 1, 1)).days
        self.days = (last - first).days + 1
        self._prefix: dict[int, str] = {}
        self.tod = tuple(f"{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60)
                          for s in range(60))

    def open(self, rnd: Rnd, utc_offset_h: int) -> int:
        """First message: a random day, mostly 19:00-03:00 local time of the opener."""
        day = self.first_day + int(rnd() * self.days)
        if rnd() < 0.85:
            local = 19 * 3600 + int(rnd() * 8 * 3600)
        else:
            local = 9 * 3600 + int(rnd() * 10 * 3600)
        return day * DAY + local - utc_offset_h * 3600

    @staticmethod
    def next(t: int, rnd: Rnd, same_speaker: bool) -> int:
        """Reply delay: seconds for a follow-up, about a minute for an answer, sometimes a
        new session a day or more later."""
        if same_speaker:
            return t + 2 + int(rnd() * 25)
        u = rnd()
        if u < 0.04:
            return t + DAY * (1 + int(rnd() * 3)) + int((rnd() - 0.5) * 7200)
        return t + 5 + int(-math.log(1.0 - u) * 55)

    def iso(self, t: int) -> str:
        day, s = divmod(t, DAY)
        prefix = self._prefix.get(day)
        if prefix is None:
            prefix = datetime.fromtimestamp(day * DAY, tz=UTC).strftime("%Y-%m-%dT")
            self._prefix[day] = prefix
        return prefix + self.tod[s]
