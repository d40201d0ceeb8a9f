"""PAN 2012 Sexual Predator Identification corpus XML.

The corpus gives conversations of messages with an author hash, a time of day ("HH:MM")
and the text, but no date and no zone. Messages get the import's base date in UTC (or the
zone the import names), a day is added whenever the clock runs backwards inside a
conversation, and message ids are `<conversation id>:<line>`. Author ids are kept as given.
Parsed incrementally, so memory stays flat on the full corpus.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from vaktpost.errors import UserError
from vaktpost.ingest.records import Rejected
from vaktpost.ingest.source import InputFile, gzip_errors
from vaktpost.model import Message, Participant

DEFAULT_BASE_DATE = date(2012, 1, 1)


def _clock(value: str | None) -> time | None:
    if not value:
        return None
    try:
        hours, minutes = value.strip().split(":")[:2]
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None


def read_pan12(
    source: InputFile,
    zone: tzinfo | None = None,
    platform: str | None = None,
    base_date: date = DEFAULT_BASE_DATE,
) -> Iterator[Message | Rejected]:
    platform = platform or "pan12"
    zone = zone or UTC
    conv_id: str | None = None
    day = base_date
    last_clock: time | None = None
    seq = 0
    try:
        with gzip_errors(source.path):
            for event, elem in ET.iterparse(source.stream, events=("start", "end")):
                if event == "start" and elem.tag == "conversation":
                    conv_id = elem.get("id")
                    day, last_clock, seq = base_date, None, 0
                    continue
                if event != "end":
                    continue
                if elem.tag == "message":
                    seq += 1
                    clock = _clock(elem.findtext("time"))
                    if clock is not None:
                        if last_clock is not None and clock < last_clock:
                            day += timedelta(days=1)
                        last_clock = clock
                    yield _message(elem, conv_id, seq, platform, zone, day, clock)
                    elem.clear()
                elif elem.tag == "conversation":
                    elem.clear()
    except ET.ParseError as exc:
        line, column = exc.position
        raise UserError(
            f"malformed XML at column {column} ({exc.msg if hasattr(exc, 'msg') else exc})",
            where=f"{source.path}:{line}",
        ) from None


def _message(elem, conv_id, seq, platform, zone, day, clock) -> Message | Rejected:
    line_attr = elem.get("line") or ""
    number = int(line_attr) if line_attr.isdigit() else seq

    def rejected(why: str, key: str) -> Rejected:
        return Rejected(number, ET.tostring(elem), why, key)

    if not conv_id:
        return rejected("message outside a conversation with an id", "conversation_id")
    author = (elem.findtext("author") or "").strip()
    if not author:
        return rejected("required key is missing or empty", "author")
    if clock is None:
        return rejected("time is missing or not HH:MM", "time")
    return Message(
        platform=platform,
        conversation_id=conv_id,
        message_id=f"{conv_id}:{line_attr or seq}",
        sent_at=datetime.combine(day, clock, tzinfo=zone),
        sender=Participant(id=author),
        text=elem.findtext("text") or "",
    )
