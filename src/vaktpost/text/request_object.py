"""What a buyer's request for a child asks for: the child, a show or pictures of her, or both
(session 6).

taxonomy.md: `MINOR_REQUEST` asks whether a child is available, can join or can be shown;
`CONTENT_REQUEST` asks for images, video or a live show involving a minor. The generator's
truth gives a line one of them: its `minor_request` move asks about the child herself ("got a
nephew who can come on cam?", "can ur cousin join the cam show, around 8", "your niece
there? i want her on the show"), its `content_request` move asks for the show or the pictures
of a child already spoken of ("can the kid be on the video call?", "show me the small one on
cam first", "send me one of the niece so I know she's real"). Session 4's word-order rule
(asks.py: `asks_for_media`) read every such line with the child before the show word as a
request for the child; on the generator's train families that was 92 of the 100 false
`MINOR_REQUEST`s, each also a missed `CONTENT_REQUEST`.

So the object decides, not the order alone:
- a question about the child herself — is one there, available, free, can she join, does she
  do shows, how old, or an age under 18 in the line — asks for the child;
- with none of those, a child already spoken of ("the kid", "yung bata", "den lille", not
  the addressee's "your niece", which names her to ask about her) appearing on a show, a
  camera or a call ("be on the show", "on cam first", "på kamera", "sa video call"), or a
  picture asked for by pronoun ("send me one of the niece"), asks for the show or picture;
- both when both are asked: a question about the child and a picture or recording sent
  ("got a niece? send pics first"), not a show she would be on or what she is for ("a kid
  for a video").
The word lists are data (`lexicons/request_object.json`), folded as messages are.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Literal, NamedTuple

from vaktpost.text.ages import AgeMention
from vaktpost.text.asks import CHILD
from vaktpost.text.matcher import Hit
from vaktpost.text.normalise import normalise

Object = Literal["child", "media", "both"]


class _Forms(NamedTuple):
    definite_before: re.Pattern  # "the ", "the cute " right before the term
    definite_term: re.Pattern  # a term that is definite itself ("the kid", "den lille", "jenta")
    indefinite_term: re.Pattern  # "a kid", "any younger", "en yngre"
    not_bare_before: re.Pattern  # a determiner right before the term: "a ", "your ", "two ", "mga "
    bare_languages: frozenset[str]  # en, nb: chat English drops articles; a tl / ceb bare noun is indefinite
    appear: re.Pattern  # from the term's end to a show word: " be on the ", " sa ", " på "
    send_one_of: re.Pattern  # before the term: "send me one of the "
    child_question: re.Pattern
    pictures: frozenset[str]
    not_pictures_after: re.Pattern
    purpose_before: re.Pattern
    seen_before: re.Pattern


def _alt(words) -> str:
    folded = {normalise(w).strip() for w in words}
    return "|".join(re.escape(w) for w in sorted(folded, key=len, reverse=True) if w)


@lru_cache(maxsize=1)
def _forms() -> _Forms:
    d = json.loads((resources.files("vaktpost.text") / "lexicons" / "request_object.json").read_text(encoding="utf-8"))
    return _Forms(
        definite_before=re.compile(rf"(?:^|\W)(?:{_alt(d['definite'])})\s+(?:[\w']+\s+)?$"),
        definite_term=re.compile(rf"(?:{_alt(d['definite'])}|{_alt(d['definite_terms'])})\b"),
        indefinite_term=re.compile(rf"(?:{_alt(d['indefinite'])})\s"),
        bare_languages=frozenset(d["bare_languages"]),
        not_bare_before=re.compile(rf"(?:^|\W)(?:{_alt(d['not_bare_before'])})\s+$"),
        appear=re.compile(
            rf"^\s+(?:(?:{_alt(d['term_nouns'])})\s+)?(?:(?:{_alt(d['appear_verbs'])})\s+)?(?:{_alt(d['appear_on'])})\s+(?:(?:{_alt(d['appear_det'])})\s+)?(?:[\w']+\s+)?$"
        ),
        send_one_of=re.compile(d["send_one_of_regex"].replace(r"\s+$", r"\s+(?:(?:the|ur|your|yung|ang|si)\s+)?$")),
        child_question=re.compile(rf"(?:^|\W)(?:{_alt(d['child_question'])})(?=\W|$)"),
        pictures=frozenset(normalise(w).strip() for w in d["pictures"]),
        not_pictures_after=re.compile(rf"\s*(?:{_alt(d['not_pictures_after'])})\b"),
        purpose_before=re.compile(rf"(?:^|\W)(?:{_alt(d['purpose_before'])})\s+(?:[\w']+\s+)?$"),
        seen_before=re.compile(rf"(?:^|\W)(?:{_alt(d['seen_before'])})\s+(?:[\w']+\s+)?$"),
    )


def _terms(hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if h.pattern.category in CHILD]


def asks_about_child(text: str, minor_ages: list[AgeMention]) -> bool:
    """A question about the child herself: there, available, free, join, how old, an age."""
    return bool(minor_ages) or _forms().child_question.search(text) is not None


def _definite(text: str, h: Hit) -> bool:
    forms = _forms()
    said = text[h.start : h.end]
    if forms.indefinite_term.match(said + " "):
        return False  # "a kid", "any younger"
    return (
        forms.definite_term.match(said) is not None
        or forms.definite_before.search(text, 0, h.start) is not None
        or _bare(text, h, said)
    )


def _bare(text: str, h: Hit, said: str) -> bool:
    """No determiner at all before the term ("can kid be on the show?", "i pay more if kid is
    on the show"): one already spoken of, as chat English drops its articles (session 8)."""
    forms = _forms()
    if h.pattern.language not in forms.bare_languages:
        return False  # tl / ceb "pwede bata sa cam?": a bare noun there is "a child"
    if forms.not_bare_before.match(said.split()[0] + " ") or _own_or_yours(said):
        return False  # the term itself opens with one ("my girl", "ur son")
    return forms.not_bare_before.search(text, max(0, h.start - 24), h.start) is None


def _own_or_yours(said: str) -> bool:
    return said.endswith((" mo", " ko", " nimo", " nako", " min", " din"))


# The child right before the show or picture word, as its modifier ("niece video", "kid cam
# show", "the little one's pics"): the show or picture of her (session 8).
_COMPOUND = re.compile(r"(?:'s|s)?\s+$")


def shown_on_media(text: str, hits: list[Hit]) -> bool:
    """A child already spoken of appearing on a show, a camera or a call ("can the kid be on
    the video call?", "show me the younger boy on cam first", "si bunso sa cam"), or named
    right before it ("niece video tonight", "kid cam show")."""
    forms = _forms()
    media = [m for m in hits if m.pattern.category == "media"]
    for h in _terms(hits):
        if not _definite(text, h):
            continue
        if any(m.start >= h.end and (forms.appear.match(text[h.end : m.start]) or _COMPOUND.match(text, h.end, m.start)) for m in media):
            return True
    return False


def picture_by_pronoun(text: str, hits: list[Hit]) -> bool:
    """"send me one of the niece", "send a couple of the little one": a picture asked for."""
    send = _forms().send_one_of
    return any(send.search(text[max(0, h.start - 40) : h.start]) for h in _terms(hits))


def pictures_after_child(text: str, hits: list[Hit]) -> bool:
    """A picture or recording asked for after the child is named ("got a niece? send pics
    first"), not a show or a call ("video call") and not what she is for ("a kid for a video")."""
    forms = _forms()
    terms = _terms(hits)
    if not terms:
        return False
    first = min(h.start for h in terms)
    for m in hits:
        if m.pattern.category != "media" or m.start < first or text[m.start : m.end] not in forms.pictures:
            continue
        if forms.not_pictures_after.match(text, m.end) or forms.purpose_before.search(text, 0, m.start):
            continue
        if of_a_thing(text, hits, m.end) or forms.seen_before.search(text, max(0, m.start - 40), m.start):
            continue  # "send pic of his new bike": a picture of a thing; "so cute in that pic", "heres a pic": no picture asked
        return True
    return False


# From a picture word to a thing: "pic of his new bike", "bilde av sykkelen", "picture sa bahay".
_OF_THING = re.compile(r"\s+(?:of|av|sa|ng|ni|from)\s+(?:[\w']+\s+){0,2}$")


def of_a_thing(text: str, hits: list[Hit], end: int) -> bool:
    """The picture asked for is of a thing (the lexicon's `thing`: a bike, a house, a phone),
    named right after the picture word, not of the child."""
    return any(
        h.pattern.category == "thing" and end < h.start <= end + 30 and _OF_THING.match(text[end : h.start]) for h in hits
    )


def request_object(text: str, hits: list[Hit], minor_ages: list[AgeMention]) -> Object:
    """What a buyer's ask with a child in it asks for (the module's docstring). Called where
    the word-order rule did not already read a request for the media (media before the child)."""
    about_child = asks_about_child(text, minor_ages)
    by_pronoun = picture_by_pronoun(text, hits)
    if not about_child:
        return "media" if by_pronoun or shown_on_media(text, hits) else "child"
    return "both" if by_pronoun or pictures_after_child(text, hits) else "child"
