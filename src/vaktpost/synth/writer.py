"""Streaming output: chats (JSONL, gzip JSONL or Parquet) and truth (JSONL), written in
batches so memory stays flat whatever the number of messages."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson

from vaktpost.errors import UserError

CHAT_FILES = {"jsonl": "chats.jsonl", "gzip": "chats.jsonl.gz", "parquet": "chats.parquet"}


class ChatSink:
    def __init__(self, out: Path, fmt: str):
        if fmt not in CHAT_FILES:
            raise UserError(f"unknown output format {fmt!r}", "--format")
        self.path = out / CHAT_FILES[fmt]
        self.fmt = fmt
        if fmt == "jsonl":
            self._fh = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by close()
        elif fmt == "gzip":
            # mtime=0 and no name in the header: the same seed gives the same bytes.
            self._raw = open(self.path, "wb")  # noqa: SIM115 - closed by close()
            self._fh = gzip.GzipFile(filename="", mode="wb", compresslevel=5, fileobj=self._raw,
                                     mtime=0)
        else:
            self._parquet = _ParquetChats(self.path)

    def write(self, rows: list) -> None:
        """JSON lines already serialised (str), or row dicts when writing Parquet."""
        if not rows:
            return
        if self.fmt == "parquet":
            self._parquet.write(rows)
            return
        self._fh.write(("\n".join(rows) + "\n").encode())

    def close(self) -> None:
        if self.fmt == "parquet":
            self._parquet.close()
            return
        self._fh.close()
        if self.fmt == "gzip":
            self._raw.close()


class JsonlSink:
    def __init__(self, path: Path):
        self.path = path
        self._fh = open(path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed by close()

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            dumps = orjson.dumps
            self._fh.write(b"\n".join([dumps(r) for r in rows]) + b"\n")

    def write_lines(self, lines: list[str]) -> None:
        if lines:
            self._fh.write(("\n".join(lines) + "\n").encode())

    def close(self) -> None:
        self._fh.close()


class _ParquetChats:
    """Parquet with the chat-export columns; `sent_at` as a UTC timestamp, sender and
    recipients as structs. pyarrow is imported only when Parquet is asked for."""

    def __init__(self, path: Path):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
            raise UserError("Parquet output needs pyarrow installed", "--parquet") from exc
        self.pa = pa
        person = pa.struct([("id", pa.string()), ("name", pa.string()), ("role", pa.string())])
        recipient = pa.struct([("id", pa.string()), ("role", pa.string())])
        self.schema = pa.schema([
            ("platform", pa.string()), ("conversation_id", pa.string()),
            ("message_id", pa.string()), ("sent_at", pa.timestamp("s", tz="UTC")),
            ("sender", person), ("recipients", pa.list_(recipient)), ("text", pa.string()),
            ("country", pa.string()),
        ])
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        from datetime import datetime

        cols: dict[str, list] = {name: [] for name in self.schema.names}
        for r in rows:
            for name in self.schema.names:
                v = r.get(name)
                if name == "sent_at":
                    v = datetime.fromisoformat(v)
                cols[name].append(v)
        self.writer.write_table(self.pa.table(cols, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
