"""Realistic timing: conversations open at night in the buyer's zone, replies come after
human delays, and long conversations resume on later nights (sessions).

Times are whole seconds since the epoch, written as zone-aware UTC (`...Z`), which is what a
platform export holds. Formatting caches the date part, since it changes rarely.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from typing import Callable

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
        self._day = -1
        self._prefix = ""

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
        if day != self._day:
            self._day = day
            self._prefix = datetime.fromtimestamp(day * DAY, tz=timezone.utc).strftime("%Y-%m-%dT")
        h, rem = divmod(s, 3600)
        m, sec = divmod(rem, 60)
        return f"{self._prefix}{h:02d}:{m:02d}:{sec:02d}Z"
