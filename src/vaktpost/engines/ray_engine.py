"""The batch engine on Ray Data: JSONL or Parquet partitions in, findings in the store out.

Ray parses and validates the partitions in parallel (`map_batches`), shuffles the records so
that every conversation lands whole in one partition (hash of platform + conversation id),
and runs the SAME scan core there on batches of whole conversations (`map_groups`). The driver writes messages through the same idempotent
writer as every other path and stores the findings with the same `replace_text_findings`.

One rule keeps the results identical to the local engine: Ray only sees the files. A
conversation that already had messages in the store before this scan, or that contained a
message id seen before, is analysed again by the local stage from the store (it is the rare
case on a bulk scan of a seizure; it is what makes an incremental scan correct).
"""

from __future__ import annotations

import glob
import logging
import os
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
from sqlalchemy import Engine, func, select

from vaktpost.engines.stage import (
    PoisonRecord,
    ScanCore,
    analyse_in,
    decode_record,
    default_scan,
    import_messages,
)
from vaktpost.errors import UserError
from vaktpost.model import Finding, Label, Signal
from vaktpost.store.conversations import iter_conversations, replace_text_findings
from vaktpost.store.tables import conversations, messages, platforms
from vaktpost.text.known_sender import reporting_borderline

IMPORT_BATCH = 10_000
WRITE_CONVERSATIONS = 500
SCAN_BATCH = 500  # conversations per call of the core
SEP = "\x1f"
RANGE_BYTES = 32 << 20  # bytes of a JSONL file per read task


@dataclass
class RayOptions:
    address: str | None = None  # None: a local Ray; "auto" or ray://HOST:10001: a cluster
    workers: int | None = None  # CPUs for a local Ray (ignored against a cluster)
    scan: ScanCore | None = None
    runtime_env: dict | None = None


@dataclass
class RayScanResult:
    messages_read: int = 0
    messages_new: int = 0
    rejected: int = 0
    first_errors: list[str] = field(default_factory=list)
    conversations: int = 0
    rescanned_locally: int = 0
    findings: int = 0

    def summary(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def partition_files(inputs: list[Path]) -> tuple[list[str], list[str]]:
    """JSONL and Parquet files named or found (recursively) in the folders named."""
    jsonl, parquet = [], []
    for path in inputs:
        found = sorted(glob.glob(str(path / "**" / "*"), recursive=True)) if path.is_dir() else [str(path)]
        for name in found:
            lower = name.lower()
            if lower.endswith((".jsonl", ".ndjson")):
                jsonl.append(name)
            elif lower.endswith(".parquet"):
                parquet.append(name)
            elif not path.is_dir():
                raise UserError("the Ray engine reads .jsonl/.ndjson and .parquet partitions", where=name)
    if not jsonl and not parquet:
        raise UserError("no .jsonl or .parquet partitions found", where=", ".join(map(str, inputs)))
    return jsonl, parquet


PARSED_SCHEMA = pa.schema([("ok", pa.bool_()), ("key", pa.string()), ("line", pa.string()), ("error", pa.string())])


def _parse_lines(batch: dict):
    """map_batches: raw lines to (ok, key, line, error); bad lines are kept to be counted."""
    return _parsed(batch["text"])


def _parsed(raw_lines, where: str = ""):
    """(ok, key, line, error) per non-blank line; `where` prefixes the reasons."""
    rows = []
    for raw in raw_lines:
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                rows.append((False, "", "", f"{where}not UTF-8 ({exc.reason})"))
                continue
        raw = raw if isinstance(raw, str) else str(raw)
        if not raw.strip():
            continue
        try:
            m = decode_record(raw)
            rows.append((True, f"{m.platform}{SEP}{m.conversation_id}", raw, ""))
        except PoisonRecord as exc:
            rows.append((False, "", raw, f"{where}{exc}"))
    columns = list(zip(*rows)) or [(), (), (), ()]
    return pa.Table.from_pydict(dict(zip(PARSED_SCHEMA.names, map(list, columns))), schema=PARSED_SCHEMA)


def jsonl_ranges(path: str, size: int | None = None) -> list[dict]:
    """Byte ranges of one JSONL file, each ending at a line break, so that one large file is
    read and parsed by many tasks at once with bounded memory (a seizure export is often one
    multi-gigabyte file; read whole by one task it held 13 GiB at 10M messages)."""
    size = size or RANGE_BYTES
    total = os.path.getsize(path)
    ranges, start = [], 0
    with open(path, "rb") as f:
        while start < total:
            end = min(start + size, total)
            if end < total:
                f.seek(end - 1)
                f.readline()  # to the end of the line the cut falls in
                end = f.tell()
            ranges.append({"path": path, "start": start, "end": end})
            start = end
    return ranges


def _read_ranges(batch: dict):
    """map_batches over byte ranges: the lines of each range, parsed."""
    tables = []
    for path, start, end in zip(batch["path"], batch["start"], batch["end"]):
        with open(str(path), "rb") as f:
            f.seek(int(start))
            data = f.read(int(end) - int(start))
        tables.append(_parsed(data.split(b"\n"), where=f"{path} bytes {int(start)}-{int(end)}: "))
    return pa.concat_tables(tables)


def _parquet_to_lines(batch) -> dict:
    """Parquet rows to canonical JSON lines, so every input takes the same parse."""
    rows = batch.to_pylist()
    return {"text": [orjson.dumps(r, default=_plain, option=orjson.OPT_NAIVE_UTC).decode() for r in rows]}


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(type(value).__name__)


FINDING_SCHEMA = pa.schema([
    ("platform", pa.string()), ("message_id", pa.string()), ("conversation_id", pa.string()),
    ("actor_id", pa.string()), ("score", pa.float64()), ("signals", pa.string()),
])


def _scan_group(table, scan: ScanCore | None):
    """map_groups over a shuffle partition: every conversation in it is whole (all its records
    hash to this partition); each is put in order and the core runs on batches of them (the
    matcher's speed comes from batches). One row per finding."""
    scan = scan or default_scan()
    by_conv: dict[str, dict[str, object]] = {}
    for key, line in zip(table.column("key").to_pylist(), table.column("line").to_pylist()):
        m = decode_record(line)
        conv = by_conv.setdefault(key, {})
        conv.setdefault(m.message_id, m)  # a repeated id is rescanned from the store (see module doc)
    conversations = [sorted(c.values(), key=lambda m: (m.sent_at, m.message_id)) for c in by_conv.values()]
    found: list[Finding] = []
    with reporting_borderline():  # the reply model's borderline turns ride along (text/known_sender.py)
        for i in range(0, len(conversations), SCAN_BATCH):
            found.extend(scan(conversations[i : i + SCAN_BATCH]))
    out: dict[str, list] = {"platform": [], "message_id": [], "conversation_id": [], "actor_id": [], "score": [], "signals": []}
    for f in found:
        out["platform"].append(f.platform)
        out["message_id"].append(f.message_id)
        out["conversation_id"].append(f.conversation_id)
        out["actor_id"].append(f.actor_id)
        out["score"].append(float(f.score))
        out["signals"].append(orjson.dumps([[s.label.value, s.start, s.end, s.rule, s.score] for s in f.signals]).decode())
    return pa.Table.from_pydict(out, schema=FINDING_SCHEMA)  # typed, so empty groups agree


def _only_good(table, parts: int):
    """Good records, each tagged with the shuffle partition of its conversation (stable hash)."""
    good = table.filter(table.column("ok"))
    part = [zlib.crc32(k.encode()) % parts for k in good.column("key").to_pylist()]
    return good.append_column("part", pa.array(part, pa.int64()))


def _finding(row: dict) -> Finding:
    sigs = tuple(Signal(Label(lab), start, end, rule, score) for lab, start, end, rule, score in orjson.loads(row["signals"]))
    return Finding(row["platform"], row["message_id"], row["conversation_id"], row["actor_id"], sigs, row["score"])


def _init_ray(opts: RayOptions):
    try:
        import ray
        import ray.data
    except ImportError:
        raise UserError("Ray is not installed (pip install 'vaktpost[ray]')", where="--engine ray") from None

    if not ray.is_initialized():
        kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if opts.address:
            kw["address"] = opts.address
        elif opts.workers:
            kw["num_cpus"] = opts.workers
        env = dict(opts.runtime_env or {})
        if "PYTHONPATH" in os.environ:
            env.setdefault("env_vars", {}).setdefault("PYTHONPATH", os.environ["PYTHONPATH"])
        if env:
            kw["runtime_env"] = env
        ray.init(**kw)
    return ray


def read_partitions(inputs: list[Path], opts: RayOptions):
    jsonl, parquet = partition_files(inputs)  # a wrong input is an error before Ray starts
    ray = _init_ray(opts)
    parts = []
    if jsonl:
        ranges = [r for name in jsonl for r in jsonl_ranges(name)]
        parts.append(
            ray.data.from_items(ranges, override_num_blocks=max(1, len(ranges)))
            .map_batches(_read_ranges, batch_size=1, batch_format="numpy")
        )
    if parquet:
        parts.append(
            ray.data.read_parquet(parquet)
            .map_batches(_parquet_to_lines, batch_format="pyarrow")
            .repartition(_cpus(ray) * 4)  # a file of one row group is one task: spread the parse
            .map_batches(_parse_lines, batch_format="numpy")
        )
    return parts[0] if len(parts) == 1 else parts[0].union(*parts[1:])


def _cpus(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def scan_files(engine: Engine, inputs: list[Path], opts: RayOptions | None = None) -> RayScanResult:
    opts = opts or RayOptions()
    partition_files(inputs)
    ray = _init_ray(opts)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # first occurrence of an id wins, as in a local import
    ctx.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    parsed = read_partitions(inputs, opts).materialize()
    result = RayScanResult()
    with engine.connect() as conn:
        before = conn.execute(select(func.max(messages.c.id))).scalar() or 0
    recheck: set[int] = set()
    touched: set[int] = set()
    for batch in parsed.iter_batches(batch_size=IMPORT_BATCH, batch_format="numpy"):
        good = []
        for ok, line, error in zip(batch["ok"], batch["line"], batch["error"]):
            if ok:
                good.append(decode_record(line))
            else:
                result.rejected += 1
                if len(result.first_errors) < 5:
                    result.first_errors.append(str(error))
        with engine.begin() as conn:
            imported = import_messages(conn, good, "ray:" + ",".join(map(str, inputs))[:500], "ray")
        result.messages_read += len(good)
        result.messages_new += imported.messages_new
        touched |= imported.conversation_keys
        if imported.messages_seen_before:
            recheck |= imported.conversation_keys
    recheck |= _had_messages_before(engine, touched, before)

    found = (
        parsed.map_batches(_only_good, batch_format="pyarrow", fn_kwargs={"parts": _cpus(ray) * 4})
        .groupby("part", num_partitions=_cpus(ray) * 2)
        .map_groups(_scan_group, batch_format="pyarrow", fn_kwargs={"scan": opts.scan})
    )
    by_conv: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for row in found.iter_rows():
        f = _finding(row)
        by_conv[(f.platform, f.conversation_id)].append(f)
    key_of = _conversation_keys(engine, touched)
    ray_keys = sorted(k for k in touched if k not in recheck)
    for i in range(0, len(ray_keys), WRITE_CONVERSATIONS):
        chunk = ray_keys[i : i + WRITE_CONVERSATIONS]
        with engine.begin() as conn:
            stored = [s for conv in iter_conversations(conn, chunk) for s in conv]
            result.findings += replace_text_findings(conn, stored, [f for k in chunk for f in by_conv.get(key_of[k], ())])
    for i in range(0, len(recheck), WRITE_CONVERSATIONS):
        with engine.begin() as conn:
            result.findings += analyse_in(conn, sorted(recheck)[i : i + WRITE_CONVERSATIONS], opts.scan)
    result.conversations, result.rescanned_locally = len(touched), len(recheck)
    return result


def _had_messages_before(engine: Engine, keys: set[int], before: int) -> set[int]:
    if not before or not keys:
        return set()
    out: set[int] = set()
    ordered = sorted(keys)
    with engine.connect() as conn:
        for i in range(0, len(ordered), 900):
            chunk = ordered[i : i + 900]
            out |= set(conn.execute(
                select(messages.c.conversation_id).where(messages.c.id <= before, messages.c.conversation_id.in_(chunk)).distinct()
            ).scalars())
    return out


def _conversation_keys(engine: Engine, keys: set[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    ordered = sorted(keys)
    with engine.connect() as conn:
        for i in range(0, len(ordered), 900):
            rows = conn.execute(
                select(conversations.c.id, platforms.c.name, conversations.c.conversation_id)
                .join(platforms, platforms.c.id == conversations.c.platform_id)
                .where(conversations.c.id.in_(ordered[i : i + 900]))
            )
            out.update({k: (p, c) for k, p, c in rows})
    return out
