"""Readers and writers for hash lists: CSV, Project VIC VICS 2.0 JSON, NCMEC-style lists.

Each reader yields `ListedHash` for every usable entry and `ListProblem` for every entry it
cannot use (with the line or record and why), so one bad line never stops an import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

SIGNAL_TYPES = ("pdq", "md5", "sha1", "sha256")
HEX_LENGTH = {"pdq": 64, "md5": 32, "sha1": 40, "sha256": 64}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


@dataclass(frozen=True, slots=True)
class ListedHash:
    signal_type: str
    hash: str
    listed_at: datetime | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class ListProblem:
    where: str  # "line 12" or "record 3"
    why: str


def normalise(signal_type: str, value: str) -> str:
    """Lowercase hex of the right length for its type, or ValueError saying what is wrong."""
    st = signal_type.strip().lower()
    if st not in HEX_LENGTH:
        raise ValueError(f"unknown signal type {signal_type!r} (use one of {', '.join(SIGNAL_TYPES)})")
    h = value.strip().lower()
    if not _HEX.match(h or "-"):
        raise ValueError(f"{st} hash is not hexadecimal: {value[:80]!r}")
    if len(h) != HEX_LENGTH[st]:
        raise ValueError(f"{st} hash needs {HEX_LENGTH[st]} hex digits, has {len(h)}")
    return h


def parse_date(value) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value).strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        # VICS writes seven fractional digits; Python takes six.
        m = re.match(r"^(.*\.\d{6})\d+(.*)$", text)
        if not m:
            raise ValueError(f"not a date: {value!r}") from None
        dt = datetime.fromisoformat(m.group(1) + m.group(2))
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _entry(st, value, listed=None, category=None) -> ListedHash:
    return ListedHash(st.strip().lower(), normalise(st, value), parse_date(listed),
                      str(category) if category not in (None, "") else None)


def read_csv(text: str) -> Iterator[ListedHash | ListProblem]:
    """Columns `signal_type` and `hash`; optional `listed_at` (or `date`) and `category`."""
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if not {"signal_type", "hash"} <= fields:
        yield ListProblem("line 1", "CSV header needs the columns signal_type and hash")
        return
    for row in reader:
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items()}
        try:
            yield _entry(row["signal_type"], row["hash"], row.get("listed_at") or row.get("date"),
                         row.get("category"))
        except ValueError as exc:
            yield ListProblem(f"line {reader.line_num}", str(exc))


_VICS_KEYS = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "pdq": "pdq"}


def _vics_media(doc) -> Iterator[dict]:
    """Media records of a VICS 2.0 document: a `value` list of Media, or of Cases with Media."""
    items = doc.get("value", []) if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and "Media" in doc:
        items = [doc]
    for item in items or []:
        if isinstance(item, dict) and isinstance(item.get("Media"), list):
            yield from item["Media"]
        else:
            yield item


def read_vics(text: str) -> Iterator[ListedHash | ListProblem]:
    """MD5, SHA1 (and SHA256 or PDQ where given) of each Media record; Category kept."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield ListProblem("document", f"not JSON ({exc})")
        return
    for i, media in enumerate(_vics_media(doc), start=1):
        if not isinstance(media, dict):
            yield ListProblem(f"record {i}", "a Media record must be an object")
            continue
        fields = {k.lower(): v for k, v in media.items()}
        extra = [h for h in media.get("Hashes", []) or [] if isinstance(h, dict)]
        for h in extra:  # some exports list hashes as {"HashName": "PDQ", "HashValue": ...}
            name = str(h.get("HashName", "")).lower()
            if name in _VICS_KEYS and h.get("HashValue"):
                fields.setdefault(name, h["HashValue"])
        found = False
        for key, st in _VICS_KEYS.items():
            value = fields.get(key)
            if not value:
                continue
            found = True
            try:
                yield _entry(st, str(value), fields.get("dateupdated"), fields.get("category"))
            except ValueError as exc:
                yield ListProblem(f"record {i}", str(exc))
        if not found:
            yield ListProblem(f"record {i}", "no MD5, SHA1, SHA256 or PDQ in this Media record")


def read_ncmec(text: str, signal_type: str | None = None) -> Iterator[ListedHash | ListProblem]:
    """One hash a line, bare or as `type,hash` / `type:hash` / `type hash`; `#` comments.

    A bare hash's type comes from its length (32 md5, 40 sha1); 64 digits could be SHA-256
    or PDQ, so bare 64-digit lines need `signal_type`.
    """
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p for p in re.split(r"[,:\s]+", line) if p]
        try:
            if len(parts) >= 2 and parts[0].lower() in HEX_LENGTH:
                yield _entry(parts[0], parts[1])
                continue
            value = parts[0]
            st = signal_type or {32: "md5", 40: "sha1"}.get(len(value))
            if st is None:
                raise ValueError(
                    f"a bare {len(value)}-digit hash is ambiguous; say --signal-type pdq or sha256"
                    if len(value) == 64 else f"cannot tell the type of a {len(value)}-digit hash")
            yield _entry(st, value)
        except ValueError as exc:
            yield ListProblem(f"line {n}", str(exc))


def read_list(path: str | Path, fmt: str, signal_type: str | None = None):
    text = Path(path).read_text(encoding="utf-8-sig", errors="strict")
    if fmt == "csv":
        return read_csv(text)
    if fmt == "vics":
        return read_vics(text)
    if fmt == "ncmec":
        return read_ncmec(text, signal_type)
    raise ValueError(f"unknown list format {fmt!r} (use csv, vics or ncmec)")


EXPORT_FIELDS = ["signal_type", "hash", "source", "listed_at", "category", "disabled_at"]


def write_csv(rows: Iterable[dict], out) -> None:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in EXPORT_FIELDS})
