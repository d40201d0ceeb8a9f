"""The findings of new conversations, worked out in an import's reader process.

`vaktpost scan` is an import (a reader process parsing, this one writing) followed by the
analysis. The reader process holds every wire row it sends, so it can run the scan core on
the conversations it read, as soon as they look complete (a batch after their last
message), while the importing process writes — the two processes share the work instead of
the analysis running alone after the import.

What it cannot see is the store: the senders' account details as *stored*. It assumes what
the importer stores for an account it inserts (per batch: a sender line's name and role,
unless a line with a name came first; a recipient's only if the account is not yet named in
the batch; the first batch that names it decides) and sends those assumptions with each
conversation's findings and row count. The importing process uses the findings only where
the conversation is one it created and holds whole (the same rows) and every sender is stored
as assumed; else it works them out itself. So the findings are those of the plain reload.
"""

from __future__ import annotations

from collections.abc import Sequence

from vaktpost.ingest.wire import analysed_in_reader
from vaktpost.model import Finding, Label, Signal
from vaktpost.store.message_rows import MessageBuilder
from vaktpost.text.known_sender import reporting_borderline

# A conversation's result: (platform, conversation id, rows seen, {account id: (account id,
# name, role) assumed}, findings as plain tuples: `plain_findings`).
Result = tuple[str, str, int, dict, list]
_LABELS = {label.value: label for label in Label}


def plain_findings(found) -> list[tuple]:
    """Findings as (message id, actor id, score, ((label, start, end, rule, score), ...)) —
    what crosses to the importing process (`findings_of_plain` there): pickling frozen
    dataclasses and enum members runs Python code per object on both sides."""
    return [(f.message_id, f.actor_id, f.score, tuple([(g.label._value_, g.start, g.end, g.rule, g.score) for g in f.signals]))
            for f in found]


def findings_of_plain(platform: str, conversation_id: str, plain: list[tuple]) -> list:
    """The Findings of one conversation back from `plain_findings`."""
    label = _LABELS
    return [Finding(platform, message_id, conversation_id, actor_id,
                    tuple([Signal(label[v], start, end, rule, sc) for v, start, end, rule, sc in signals]), score)
            for message_id, actor_id, score, signals in plain]

MAX_ROWS = 200_000  # rows held for the analysis (as engines/local.MAX_HELD); beyond: left to the importer


class ReaderAnalysis:
    def __init__(self, share: int, limit: int = MAX_ROWS) -> None:
        self.share = share  # of 256 (ingest/wire.analysed_in_reader)
        self.limit = limit
        self.count = 0
        self.rows: dict[tuple[str, str], list] = {}
        self.accounts: dict[tuple[str, str], tuple[str | None, str]] = {}  # (platform, account) → (name, role) assumed stored
        self.full = False
        self._waiting: set[tuple[str, str]] = set()
        self._build = MessageBuilder()

    def batch(self, rows: Sequence) -> list[Result]:
        """Take one batch as the importer writes it; returns the results of the conversations
        the batch before touched and this one did not."""
        self._assume_accounts(rows)
        touched = set()
        if not self.full and self.count + len(rows) > self.limit:
            self.full = True  # from here on the importer works everything new out itself
        if not self.full:
            held, share = self.rows, self.share
            for w in rows:
                if analysed_in_reader(w.conversation_id, share):
                    key = (w.platform, w.conversation_id)
                    held.setdefault(key, []).append(w)
                    touched.add(key)
                    self.count += 1
        ready = sorted(k for k in self._waiting if k not in touched)
        self._waiting = touched
        return self._analyse(ready)

    def finish(self) -> list[Result]:
        ready, self._waiting = sorted(self._waiting), set()
        return self._analyse(ready)

    def _assume_accounts(self, rows: Sequence) -> None:
        """What `MessageWriter.write` stores for accounts new in this batch (ingest/importer.py)."""
        wanted: dict[tuple[str, str], tuple[str | None, str]] = {}
        for w in rows:
            k = (w.platform, w.sender_id)
            known = wanted.get(k)
            if known is None or known[0] is None:
                wanted[k] = (w.sender_name, w.sender_role)
            for rid, rname, rrole in w.recipients:
                if (w.platform, rid) not in wanted:
                    wanted[(w.platform, rid)] = (rname, rrole)
        accounts = self.accounts
        for k, v in wanted.items():
            if k not in accounts:
                accounts[k] = v

    def _analyse(self, keys: list[tuple[str, str]]) -> list[Result]:
        if not keys:
            return []
        from vaktpost.scan import scan_conversations

        accounts, build = self.accounts, self._build
        conversations, assumed = [], []
        for key in keys:
            conv, senders = [], {}
            for w in sorted(self.rows[key], key=_sent_at):  # stable: as the importer's held rows
                name, role = accounts[(w.platform, w.sender_id)]
                senders[w.sender_id] = (w.sender_id, name, role)
                conv.append(build.message(w.platform, w.conversation_id, w.message_id, w.sent_at, w.text, w.recipients_json,
                                          w.attachments_json, w.ip, w.country, w.meta_json, w.sender_id, name, role))
            conversations.append(conv)
            assumed.append(senders)
        with reporting_borderline():  # borderline markers travel as findings (text/known_sender.py)
            found = scan_conversations(conversations)
        build.clear()
        by_key: dict[tuple[str, str], list] = {k: [] for k in keys}
        for f in found:
            by_key[(f.platform, f.conversation_id)].append(f)
        out = []
        for k, senders in zip(keys, assumed):  # the rows are let go: more of a conversation later is the importer's
            rows = self.rows.pop(k)
            self.count -= len(rows)
            out.append((k[0], k[1], len(rows), senders, plain_findings(by_key[k])))
        return out


def _sent_at(w) -> str:
    return w.sent_at
