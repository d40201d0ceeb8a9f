from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vaktpost.model import Message, Participant, Role

T0 = datetime(2021, 3, 4, 21, 0, tzinfo=UTC)
BUYER = Participant("u-1", Role.CUSTOMER)
PERFORMER = Participant("p-1", Role.PERFORMER)


APP_A = Participant("a-1", Role.UNKNOWN)  # chat-app accounts: the platform knows no roles
APP_B = Participant("a-2", Role.UNKNOWN)


def app_chat(*lines):
    """("a"|"b", text) pairs between two chat-app accounts of unknown role, one minute apart."""
    out = []
    for i, (who, text) in enumerate(lines):
        sender, to = (APP_A, APP_B) if who == "a" else (APP_B, APP_A)
        out.append(Message("chatapp", "c-1", f"c-1-m{i}", T0 + timedelta(minutes=i), sender, text, (to,)))
    return out


def chat(*lines, conversation="c-1", buyer=BUYER, performer=PERFORMER):
    """Messages from ("b"|"p"|"u", text) pairs, one minute apart: b = buyer, p = performer,
    u = the performer's account with its role unknown (as in many exports)."""
    out = []
    for i, (who, text) in enumerate(lines):
        sender, to = (buyer, performer) if who == "b" else (performer, buyer)
        if who == "u":
            sender = Participant(performer.id, Role.UNKNOWN)
        out.append(Message("cam", conversation, f"{conversation}-m{i}", T0 + timedelta(minutes=i), sender, text, (to,)))
    return out


def labels_of(findings, message_id=None):
    if message_id is None:
        return {lab.value for f in findings for lab in f.labels}
    return {lab.value for f in findings if f.message_id == message_id for lab in f.labels}


def say(text, role="b"):
    """Labels of one message sent alone, by the buyer ("b") or the performer ("p")."""
    from vaktpost.text import analyse_conversation

    return labels_of(analyse_conversation(chat((role, text))))
