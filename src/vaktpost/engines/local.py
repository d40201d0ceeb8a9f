"""The default engine: analyse conversations in this process, a chunk at a time.

Each chunk of conversations is one transaction, so an interrupted analysis leaves every
conversation either analysed or as it was, and running it again finishes the job.

Conversations a scan created itself need no reload: `HeldMessages` keeps their rows as the
importer wrote them, and the analysis builds the same Messages from those (with the senders
as stored) and writes their findings without looking for old ones. Every other conversation
touched — one with messages from before this import — is reloaded whole from the store.

Those held conversations are even analysed *during* the import (`vaktpost scan`): once a
batch is written, the conversations the batch before it touched and this one did not are
worked out (pure: no write) while the reader process parses on; their findings wait in
memory and are stored after the import has committed, as before. A conversation that gets a
message after it was worked out is worked out again at the end, from all its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Engine

from vaktpost.bulkwork import collector_paused
from vaktpost.engines.in_reader import findings_of_plain
from vaktpost.ingest.wire import analysed_in_reader, text_and_role
from vaktpost.model import Finding
from vaktpost.scan import scan_conversations
from vaktpost.store.conversations import (
    MessageBuilder,
    actor_details,
    insert_new_text_findings,
    iter_conversations,
    replace_text_findings,
)
from vaktpost.text import memo
from vaktpost.text.known_sender import is_borderline, reporting_borderline

CHUNK = 500
HELD_CHUNK = 5_000  # conversations whose findings are mostly worked out already: fewer, larger transactions
MAX_HELD = 200_000  # messages kept for the analysis (~520 bytes each: ~100 MB); beyond: reload


class HeldMessages:
    """An importer hook (`import_file(..., on_written=held.on_written)`) that prepares the
    analysis while the reader process parses the next batch: it keeps the rows of
    conversations created by the import, in the order written, so that the analysis after it
    need not read them back. A conversation is held only while every row of it was
    inserted by an import that created it: one seen in another import, or in a batch where
    some row was a duplicate (not inserted) or that found `limit` messages held, is reloaded.
    Given the import's connection (`MessageWriter` passes it), it also works out the findings
    of held conversations a batch after their last message (`worked_out`) — only its share
    while the import's reader process works out the others (`from_reader`, taken where they
    hold: `_take_from_reader`) — so the analysis after the commit mostly writes.
    Use one per scan, and only after the imports it saw have committed."""

    def __init__(self, limit: int = MAX_HELD) -> None:
        self.limit = limit
        self.count = 0
        self.rows: dict[int, list[tuple]] = {}  # conversation key → rows
        self.dirty: set[int] = set()
        self.reader_share = 0  # of 256: the conversations an import's reader process works out (it says so)
        self._fingerprint: str | None = None
        # Worked out during the import: conversation key → its findings; the senders of
        # their messages, (platform, message id) → (platforms.id, actors.id).
        self.worked_out: dict[int, list[Finding]] = {}
        self.written: dict[int, int] = {}  # worked out and stored during the import: key → findings
        self.senders: dict[tuple[str, str], tuple[int, int]] = {}
        self.reopened: set[int] = set()  # got rows after being worked out: done at the end only
        self._waiting: set[int] = set()  # held, touched by the last batch, not yet worked out
        self._theirs: list[int] = []  # the reader process's, ready a batch ago: their findings are due
        # What the reader process worked out: (platform, conversation id) → engines/in_reader.Result
        self.from_reader: dict[tuple[str, str], tuple] = {}
        self._build = MessageBuilder()

    # The import's reader process may work out a share of the findings (engines/in_reader.py,
    # ingest/parallel.py): `import_file(..., facts=held)` uses these five.
    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = memo.fingerprint()
        return self._fingerprint

    def in_reader(self, yes: bool) -> None:
        self.reader_share = 0  # until the reader process says its share

    def sharing(self, share: int) -> None:
        self.reader_share = share

    def take_findings(self, results) -> None:
        for r in results:  # a later result of a conversation replaces an earlier one
            self.from_reader[(r[0], r[1])] = r

    def off(self) -> None:
        self.reader_share = 0

    def _drop(self, conv: int) -> None:
        self.dirty.add(conv)
        self.rows.pop(conv, None)
        self.worked_out.pop(conv, None)
        self.written.pop(conv, None)
        self._waiting.discard(conv)

    def on_written(self, batch: Sequence, rows: Sequence[tuple], new: int, created: set[int], conn=None) -> None:
        held, dirty = self.rows, self.dirty
        if new < len(rows) or self.count + len(rows) > self.limit:
            for r in rows:  # a row not inserted, or no room: these conversations are reloaded
                self._drop(r[2])
            return
        touched = set()
        for w, r in zip(batch, rows):
            conv = r[2]
            if conv in created and conv not in dirty:
                if conv in self.written:  # more of a conversation already worked out (its rows let go): reloaded
                    self.reopened.add(conv)
                    self._drop(conv)
                    continue
                held.setdefault(conv, []).append((r, w))  # the row as written (bulk.COLUMNS), its wire row
                touched.add(conv)
            else:
                self._drop(conv)
        self.count += len(rows)
        if conn is not None:
            self._settle(conn, touched)

    def _settle(self, conn, touched: set[int]) -> None:
        """Work out the conversations the last batch touched and this one did not — this
        process's share now; the reader process's a batch later, when its findings for them
        have come (queued after this batch), taking those that hold — and let their rows go."""
        held, share = self.rows, self.reader_share
        mine, later = [], []
        for c in self._waiting:
            if c not in touched and c in held:
                if share and analysed_in_reader(held[c][0][1].conversation_id, share):
                    later.append(c)
                else:
                    mine.append(c)
        due = sorted(c for c in self._theirs if c not in touched and c in held)
        for i in range(0, len(due), HELD_CHUNK):
            chunk = due[i : i + HELD_CHUNK]
            mine += _take_from_reader(conn, chunk, held, self.from_reader, self.senders, self.worked_out)
            self._let_go([c for c in chunk if c in self.worked_out])
        mine.sort()
        for i in range(0, len(mine), CHUNK):
            self._work_out(conn, mine[i : i + CHUNK])
            self._let_go(mine[i : i + CHUNK])
        self._theirs = later
        self._waiting = touched
        # Stored now, in the import's transaction (so with it or not at all): a conversation
        # continued later, or touched by a later file, is reloaded, and the reload's
        # replace_text_findings brings these rows in line.
        done, written = self.worked_out, self.written
        settled = sorted(done)
        if settled:
            found = []
            for c in settled:
                got = done.pop(c)
                written[c] = sum(1 for f in got if not is_borderline(f))  # findings, not markers
                found += got
            insert_new_text_findings(conn, self.senders, found)
            self.senders.clear()

    def _let_go(self, keys) -> None:
        for k in keys:
            self.count -= len(self.rows.pop(k))

    def _work_out(self, conn, keys: list[int]) -> None:
        _work_out(conn, keys, self.rows, self._build, self.senders, self.worked_out)

    def take(self, conversation_keys: Iterable[int]) -> dict[int, list[tuple]]:
        """The held rows of these conversations (those not to be reloaded), handed over; a
        conversation already worked out (its rows let go) comes with none."""
        rows, done, written = self.rows, self.worked_out, self.written
        return {k: rows.pop(k, None) for k in conversation_keys if k in rows or k in done or k in written}  # dirty ones were dropped


def analyse_conversations(
    engine: Engine,
    conversation_keys: Iterable[int],
    on_progress: Callable[[int], None] | None = None,
    held: HeldMessages | None = None,
) -> int:
    """Run the scan core over these conversations and store the findings; returns their count."""
    keys = sorted(set(conversation_keys))
    fresh = held.take(keys) if held is not None else {}
    reload = [k for k in keys if k not in fresh]
    total = 0
    for i in range(0, len(reload), CHUNK):
        chunk = reload[i : i + CHUNK]
        with engine.begin() as conn, collector_paused():
            conversations = list(iter_conversations(conn, chunk))
            with reporting_borderline():
                found = scan_conversations([[s.message for s in c] for c in conversations])
            total += replace_text_findings(conn, [s for c in conversations for s in c], found)
        if on_progress:
            on_progress(len(chunk))
    written = held.written if held is not None else {}
    stored = {k for k in fresh if k in written}  # findings stored during the import
    total += sum(written.pop(k) for k in stored)
    if on_progress and stored:
        on_progress(len(stored))
    fresh_keys = sorted(k for k in fresh if k not in stored)
    build = MessageBuilder()
    chunk_size = HELD_CHUNK if held is not None and (held.worked_out or held.from_reader) else CHUNK
    done = held.worked_out if held is not None else {}
    senders = held.senders if held is not None else {}
    for i in range(0, len(fresh_keys), chunk_size):
        chunk = fresh_keys[i : i + chunk_size]
        with engine.begin() as conn, collector_paused():
            rest = [k for k in chunk if k not in done]
            if rest and held is not None and held.from_reader:
                rest = _take_from_reader(conn, rest, fresh, held.from_reader, senders, done)
            if rest:
                _work_out(conn, rest, fresh, build, senders, done)
            total += insert_new_text_findings(conn, senders, [f for k in chunk for f in done.pop(k)])
        if on_progress:
            on_progress(len(chunk))
    return total


def _work_out(conn, keys: list[int], rows: dict[int, list[tuple]], build: MessageBuilder,
              senders: dict[tuple[str, str], tuple[int, int]], into: dict[int, list[Finding]]) -> None:
    """The findings of these held conversations, per conversation key, into `into`."""
    found = _findings_of_held(conn, [rows[k] for k in keys], build, senders)
    build.clear()
    by_name = {}
    for k in keys:
        w = rows[k][0][1]
        by_name[(w.platform, w.conversation_id)] = k
        into[k] = []
    for f in found:
        into[by_name[(f.platform, f.conversation_id)]].append(f)


def _take_from_reader(conn, keys: list[int], rows: dict[int, list[tuple]], results: dict,
                      senders: dict[tuple[str, str], tuple[int, int]], into: dict[int, list[Finding]]) -> list[int]:
    """Takes the reader process's findings of these conversations where they hold: it saw
    the rows stored (as many) and assumed each sender as stored. Returns the rest."""
    sender_keys = {k: {r[3] for r, _ in rows[k]} for k in keys}
    actors = actor_details(conn, set().union(*sender_keys.values()))
    rest = []
    for k in keys:
        conv = rows[k]
        r0, w0 = conv[0]
        got = results.pop((w0.platform, w0.conversation_id), None)
        if got is None or got[2] != len(conv):
            rest.append(k)
            continue
        assumed, key_of = got[3], {}
        for sender_key in sender_keys[k]:
            stored = actors[sender_key]
            if assumed.get(stored[0]) != stored:
                break
            key_of[stored[0]] = sender_key
        else:
            found = findings_of_plain(w0.platform, w0.conversation_id, got[4])
            for f in found:
                senders[(f.platform, f.message_id)] = (r0[0], key_of[f.actor_id])
            into[k] = found
            continue
        rest.append(k)
    return rest


def _findings_of_held(conn, conversations: list[list[tuple]], build: MessageBuilder,
                      senders: dict[tuple[str, str], tuple[int, int]]) -> list[Finding]:
    """The findings of held conversations (pure but for reading the senders as stored);
    records each message's (platform key, sender key) in `senders` for the write."""
    actors = actor_details(conn, {r[3] for rows in conversations for r, _ in rows})
    message = build.message
    messages = []
    for rows in conversations:
        conv = []
        # stable: sent_at, then the order written (= the reload's ORDER BY sent_at, id)
        for (pid, message_id, _, sender_key, sent_at, text, recipients, attachments, ip, country, meta, _), w in sorted(rows, key=_sent_at):
            account_id, name, role = actors[sender_key]
            conv.append(message(w.platform, w.conversation_id, message_id, sent_at, text, recipients, attachments, ip,
                                country, meta, account_id, name, role))
            senders[(w.platform, message_id)] = (pid, sender_key)
        messages.append(conv)
    with reporting_borderline():  # the reply model's borderline turns ride along (text/known_sender.py)
        return scan_conversations(messages)


def _sent_at(held_row: tuple):
    return held_row[0][4]


def prepare_texts(rows) -> None:
    """Works out the text stage's facts of each (text, sender role) of these wire rows ahead
    of time; an analysis then finds them remembered (text/memo.py). Findings are the same
    with or without it."""
    memo.prepare(text_and_role(rows))
