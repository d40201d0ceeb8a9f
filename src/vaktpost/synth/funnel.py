"""Ground-truth funnels (taxonomy.md), summed conversation by conversation.

Every conversation joins a pair of actors who never meet again (see `world.PairPicker`), so
"distinct counterparts" is a count of conversations and the book needs a few integers per
actor, not a set of counterparts: memory stays flat at any scale.
"""

from __future__ import annotations

from array import array

ASK = frozenset({"MINOR_REQUEST", "CONTENT_REQUEST"})
MINOR = frozenset({"MINOR_REQUEST", "MINOR_CONFIRMED", "SELF_DISCLOSED_MINOR", "CONTENT_REQUEST"})
STAGES = ("contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform",
          "travel")


class FunnelBook:
    def __init__(self, actors: int):
        zeros = bytes(4 * actors)
        self.stage = {name: array("I", zeros) for name in STAGES}
        self.offered = array("I", zeros)
        self.sent = bytearray(actors)

    def add_conversation(self, pair: tuple[int, int], spoken: list[tuple[int, tuple[str, ...]]]) -> None:
        """`spoken` is (speaker 0|1, labels) for each message written in the conversation."""
        sent = [False, False]
        asked = [False, False]
        confirmed_by = [False, False]
        price = payment = off = travel = minor = False
        for speaker, labels in spoken:
            sent[speaker] = True
            for lab in labels:
                if lab in ASK:
                    asked[speaker] = True
                if lab == "MINOR_CONFIRMED":
                    confirmed_by[speaker] = True
                if lab in MINOR:
                    minor = True
                elif lab == "PRICE_NEGOTIATION":
                    price = True
                elif lab == "PAYMENT_CHANNEL":
                    payment = True
                elif lab == "OFF_PLATFORM_MOVE":
                    off = True
                elif lab == "TRAVEL_MEETING":
                    travel = True
        if not (sent[0] or sent[1]):
            return
        st = self.stage
        for me in (0, 1):
            actor = pair[me]
            if sent[me]:
                self.sent[actor] = 1
                st["contacted"][actor] += 1
            if confirmed_by[me]:
                self.offered[actor] += 1
            if asked[me]:
                st["asked_minor"][actor] += 1
                if confirmed_by[1 - me]:
                    st["confirmed_minor"][actor] += 1
                    st["price"][actor] += price
                    st["payment"][actor] += payment
            if minor:
                st["off_platform"][actor] += off
                st["travel"][actor] += travel

    def funnel(self, actor: int) -> dict[str, int]:
        return {name: self.stage[name][actor] for name in STAGES}
