"""The seller's side of a line: structural forms of an offer that the offer lexicon's single
phrases miss (session 4, performer side).

Every text here is the *normalised* form (lower case, repeated letters folded: "add" is
"ad", "pataas" "patas", "little" "litle"). The forms are the shapes a performer's or a
facilitator's offer takes in chat, in en / tl / ceb / nb / Taglish, not any one author's
sentences:

- a first-person offer to add, bring or include one's own child in the show ("i can add my
  niece", "pwede ko isama pamangkin ko", "isama q anak q", "pwede nako iapil akong ig-agaw");
- the addressee invited to take a child ("u can take my little sister too", "pde mo rin
  kunin", "pwede pud nimo makuha", "imo na akong anak");
- a menu line ("special tonight: young one, 11yo", "special ngayong gabi: ...");
- an existential with an age floor: children said to be here, from an age up ("got little
  ones here, from 11", "naay mga bata diri, 7 pataas", "may kids here, 8 anyos pataas");
- an offer question whose subject is the addressee ("interested ka ba sa 15 for live",
  "hey, interested in a 10 yrs for show", "andito rin pamangkin ko, interested ka?").

A line in which the child is the addressee's ("pwede ba isama mo anak mo") is not one:
`ask_stance.addressees_child` sees those first. A customer's line is always an ask (the role
decides where the platform knows it).
"""

from __future__ import annotations

import re

# I / we can add, bring, include, get: en, tl (ko / q = I), ceb (nako = I), nb.
_INCLUDE_MINE = re.compile(
    r"\b(?:i|we)\s+(?:can|could|wil|'l|l)\s+(?:also\s+)?(?:ad|bring|include|get|put|have)\s+(?:my|our|mine)\b"
    r"|\b(?:i'l|il|we'l)\s+(?:ad|bring|include)\s+(?:my|our)\b"
    r"|\b(?:pwede|puwede|pde|kaya)\s+(?:ko|q|kong)\s+(?:rin\s+|din\s+|ding\s+)?(?:isama|isali|idagdag|dalhin)\b"
    r"|(?:^|[,.!]\s*)(?:isama|isali|idagdag|dadalhin|isasama|isasali)\s+(?:ko|q)\b"
    r"|\b(?:pwede|puwede|pde)\s+(?:nako|ko)\s+(?:pud\s+|sad\s+)?(?:iapil|iuban|dad-on|dalhon)\b"
    r"|(?:^|[,.!]\s*)(?:iapil|iuban)\s+(?:nako|nako\s+pud)\b"
    r"|\bjeg\s+kan\s+(?:også\s+)?(?:ta\s+med|legge\s+til|ha\s+med)\s+(?:min|mi|mit|dater|niesen|lilesøster)\b"
)
# You can take / have her too: the addressee is offered a child ("pde mo rin kunin").
_YOU_CAN_TAKE = re.compile(
    r"\b(?:u|you)\s+(?:can|could)\s+(?:also\s+)?(?:take|have|get|add)\s+(?:my|our|the|her|him|them|both)\b"
    r"|\b(?:pwede|puwede|pde)\s+(?:mo|nyo)\s+(?:rin\s+|din\s+|ring\s+|ding\s+)?(?:kunin|makuha|kuhanin|isama|isali)\b"
    r"|\b(?:pwede|puwede|pde)\s+(?:pud\s+|sad\s+)?(?:nimo|ninyo)\s+(?:pud\s+|sad\s+)?(?:makuha|kuhaon|kuhaa|iapil)\b"
    r"|\bimo\s+na\s+(?:akong|ang|si)\b|\bsayo\s+na\s+(?:si\s+|ang\s+)?(?:[a-z-]+\s+)?(?:ko|q)\b"
    r"|\b(?:u|you)\s+get\s+(?:my|our)\b|\b(?:naa|ania|anaa)\s+(?:pud\s+|sad\s+)?(?:diri|dinhi)\s+(?:ang\s+)?akong\b"
    r"|\bdu\s+kan\s+(?:også\s+)?få\s+(?:min|mi|mit|henne|dater)\b"
)
# A menu: "special tonight:", "tonight's special", "special ngayong gabi", "special karong gabii".
_MENU = re.compile(
    r"\b(?:special|specials)\s+(?:for\s+)?(?:tonight|tonite|2nite|2night|today|now|ngayon|ngayong\s+gabi|karon|karong\s+gabi|ikveld|i\s+kveld)\b"
    r"|\btonight'?s\s+special\b|\bi\s+kveld\s*:\s"
)
# Children said to be here, from an age up: "got little ones here, from 11", "naay mga bata
# diri, 7 pataas", "may kids here, 8 anyos pataas", "har små her, fra 10".
_HERE = r"(?:here|dito|diri|dinhi|her)"
_UNIT = r"(?:\s*(?:yo|y/o|yrs?|years?(?:\s+old)?|anyos|taong\s+gulang|taon|ka\s+tuig|tuig|år))?"
_FLOOR = re.compile(
    r"\b(?:from|fra|mula|gikan)\s+(?:in\s+)?(?:grade\s+)?\d{1,2}(?:st|nd|rd|th|\.)?" + _UNIT + r"(?:\s*(?:grade|klase|trin))?(?:\b|$)"
    r"|\b\d{1,2}" + _UNIT + r"\s*(?:po\s+)?(?:patas|pataas|and\s+up|og\s+opover|og\s+oppover)\b"
)
_HERE_RE = re.compile(r"\b(?:got|have|i\s+have|we\s+have|may|mey|meron|nay|naa|naay|duna|aduna|har)\b[^,.!?]{0,30}\b" + _HERE + r"\b|\b" + _HERE + r"\s*[:,]")
# An offer question with the addressee as the subject: "interested ka ba", "interested in a
# 10 yrs for show" (opening the line, no "i"), "interested?" as the line's tag.
_INTERESTED = re.compile(
    r"\binterested\s+(?:ka|kayo|ba\s+ka|mo)\b|\binteresado\s+(?:ka|mo|kayo)\b"
    r"|^\W*(?:(?:hey|hi|helo|hello|yo|so|ok|oh)\W+(?:(?:sir|boss|kuya|bro|po|mister|ser)\W+)?)?(?:(?:are|r)\s+(?:u|you)\s+)?interested\s+(?:in|sa)\s+(?:a|an|my|the|\d)"
    r"|\binterested\s*(?:po\s*)?\?\s*$"
)


# Speed only: words one of which every alternative of a form needs (each alternative above
# spells at least one of them), so a line with none of them is no match and the regex is not
# run — most lines (tests/text/test_speed_paths.py compares with the forms run on every line).
_NEEDS = (
    (_INCLUDE_MINE, ("my", "our", "mine", "isa", "idagdag", "dalh", "iapil", "iuban", "dad-on", "jeg"), "offer.include"),
    (_YOU_CAN_TAKE, ("can", "could", "pwede", "puwede", "pde", "imo", "sayo", "get", "akong", "kan"), "offer.take"),
    (_MENU, ("special", "kveld"), "offer.menu"),
    (_FLOOR, ("from", "fra", "mula", "gikan", "patas", "pataas", "and", "og"), "offer.floor"),
    (_INTERESTED, ("interes",), "offer.interested"),
)


def seller_line(text: str) -> str | None:
    """The rule name of the seller's offer form this normalised line takes, or None."""
    for form, words, rule in _NEEDS:
        for w in words:
            if w in text:
                break
        else:
            continue
        if form.search(text) and (form is not _FLOOR or _HERE_RE.search(text)):
            return rule
    return None


# "no problem", "no worries": the refusal pattern's leading "no" that says yes.
_NO_PROBLEM = re.compile(r"^\W*(?:no|nah)\s+(?:problem|problemo|prob|probs|worries|worry|biggie|isues?)\b")
# A leading "ok" / "oo" that opens a question is no yes: "ok and does the niece do shows too,
# shes 8 right", "ok so is she there?", "sige, pwede ba siya?".
_OK_THEN_QUESTION = re.compile(
    r"^\W*(?:ok|okay|oki|alright|so|sige|oo|ja|ok\s+da)\W+(?:(?:and|so|but|then|og|men)\s+)?"
    r"(?:does|do|did|is|are|can|could|wil|would|has|have|how|what|which|when|where|who|er|kan|har|vil|pwede\s+ba|puwede\s+ba|may\s+.{0,20}\bba\b|naa\s+ba)\b"
)


# "we can, she's 14yo and home now", "i can." — a leading "can" answering, not asking.
_WE_CAN = re.compile(r"^\W*(?:we|i|she|he|they)\s+(?:can|could|wil)\s*(?:,|\.|!|$)")
# "me" as the object of a request to the reader ("just tell me", "sabihan mo lang me", "pm me"):
# not the writer speaking of herself.
_OBJECT_ME = re.compile(
    r"\b(?:tell|text|msg|mesage|message|pm|dm|cal|ping|ad|inform|let|send|give|sabihan|sabihin|i-message|imessage|"
    r"chat|contact|update|kontakin|itext|i-text)\s+(?:(?:mo|lang|lng|u|you|po|na|just)\s+)*me\s*$"
)


# A question back about the question ("why do u want 2 know", "bakit mo gusto malaman",
# "ngano gusto nimo mahibalo", "hvorfor vil du vite det"): no wish, no offer question in it.
_WHY_ASK = re.compile(
    r"\bwhy\s+(?:do\s+|d\s+|would\s+|wuld\s+)?(?:you|u|ya|yu)\s+(?:want|wana|wanna|wnt|ned|need)\s+(?:to\s+|2\s+|ta\s+)?know\b"
    r"|\bbakit\s+(?:mo\s+)?(?:gusto|kailangan|gust)\s+(?:mo\s+)?(?:malaman|malman|alamin)\b"
    r"|\bngano\s+(?:man\s+)?(?:gusto|ganahan|kinahanglan)\s+(?:ka|nimo|mo)\s+(?:mahibalo|masayod|kahibalo)\b"
    r"|\bhvorfor\s+(?:vil|lurer|trenger)\s+du\s+(?:å\s+)?(?:vite|på)\b"
)
_WHY_ASK_DROPS = ("want", "offer_question", "request")


# A school that says how young a child is ("still in school", "nag-aaral pa"), or a home that
# says where she is ("she's home now", "nasa bahay po sya", "naa siya sa balay").
_AGE_NOT_ACTIVITY = re.compile(
    r"\b(?:stil|only)\s+in\s+(?:s\s*c\s*h\s*o\s*l|school|schol|elementary|grade\s+\d+)\b|\bnag[- ]?a+\s*r\s*a\s*l\s+pa\b|\bnag-?tuon\s+pa\b"
    r"|\b(?:she's|shes|she\s+is|he's|hes|he\s+is)\s+(?:at\s+)?home\b|\b(?:nasa|sa)\s+bahay\s+(?:po\s+)?(?:sya|siya)\b|\b(?:sya|siya|sia)\s+(?:po\s+)?(?:and\s+|at\s+)?(?:nasa|sa)\s+bahay\b"
    r"|\b(?:naa|anaa)\s+(?:siya|sya)\s+sa\s+balay\b|\bhun\s+er\s+hjeme\b"
)


# A school or a class that says WHEN a child is free ("free after school 7 pm", "10 pm, she's back
# from school by then", "bakante pagkatapos ng klase 9pm", "bakante human sa klase alas 8",
# "ledig etter skolen kl 19", "hjem fra skolen kl 16", "galing school 4pm", "gikan sa eskwelahan
# alas 5"): with a clock time in the line it is a schedule, not a busy child
# ("she's at school now", "nasa school pa sya") — session 7. A school fee, a school run or a
# school meeting is no schedule: only the innocent hits inside these phrases are dropped.
_AFTER_SCHOOL = re.compile(
    r"\b(?:after|aftr|from|back\s+from|home\s+from|til|until)\s+(?:the\s+)?(?:schol|scol|skol|clas|klase)\b"
    r"|\b(?:pagkatapos|pagkatapus|human|humana|pag-?uwi|pag-?uli)\s+(?:ng\s+|sa\s+)?(?:klase|clas|eskwela|eskwelahan|iskwelahan|schol)\b"
    r"|\b(?:galing|gikan)\s+(?:sa\s+)?(?:eskwela|eskwelahan|iskwelahan|schol|klase)\b"
    r"|\b(?:(?:hjem|hjeme|kommer\s+hjem)\s+)?(?:eter|etter|fra)\s+(?:skolen|skole|skoletid)\b"
)
_SCHOOL_STEMS = ("skol", "schol", "scol", "clas", "klase", "eskw", "iskw")  # one of them in every `_AFTER_SCHOOL` form
# A time of day: "7pm", "10 pm", "22:00", "at 4", "around 9", "mga alas 8", "alas 7", "kl 19".
CLOCK = re.compile(
    r"\b\d{1,2}(?::[0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
    r"|\b(?:at|by|around|arund|mga|alas|kl|klokka|klokken|rundt)\s+(?:alas\s+)?\d{1,2}\b"
)


def school_schedule(text: str) -> list[tuple[int, int]]:
    """The spans of the school phrases that say when a child is free (`_AFTER_SCHOOL`), where
    the line also gives a time of day; else none."""
    if not any(stem in text for stem in _SCHOOL_STEMS):
        return []
    spans = [m.span() for m in _AFTER_SCHOOL.finditer(text)]
    return spans if spans and CLOCK.search(text) else []


# A yes/no question about a third person ("ok and does the niece do shows too, shes 8 right",
# "is the little one there?", "can she join, she's 9 right?"), or a line ending in a tag
# question ("…, right?", "diba?", "ikke sant?").
_YES_NO = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|alright|oh|hmm)\W+)*(?:and\s+|so\s+)?(?:does|do|did|is|can|could|wil|would)\s+(?:the|your|ur|she|he|her|that|this)\b"
    r"|\b(?:right|diba|di\s+ba|no\s+ba|ikke\s+sant|sant)\s*\?*\s*$"
)


def asks_whether_child(text: str) -> bool:
    """The line is a yes/no or tag question (see `_YES_NO`)."""
    return _YES_NO.search(text) is not None


def _replace(found: dict, hits: list, category: str, drop) -> None:
    """Drop the category's first hit; the next one of its hits that `drop` keeps takes its place."""
    rest = [h for h in hits if h.pattern.category == category and h is not found[category] and not drop(h)]
    if rest:
        found[category] = rest[0]
    else:
        del found[category]


# The writer's own availability ("så er jeg ledig", "im available after 3", "bakante na ako
# mamaya"): the offer word's subject is the writer, who offers no one by it (session 7; as en
# "free", which is an offer word only as "she's free", and tl/ceb "bakante", none at all).
_WRITER_AVAILABLE = re.compile(
    r"\b(?:jeg|eg|e)\s+(?:er|blir)\s+(?:(?:nok|bare|helt|også|da|nå|na|vel|jo)\s+)?(?:ledig|tilgjengelig)\b"
    r"|\b(?:er|blir)\s+(?:jeg|eg)\s+(?:(?:nok|bare|helt|også|da|nå|na|vel|jo)\s+)?(?:ledig|tilgjengelig)\b"
    r"|\b(?:i'm|im|i\s+am|am)\s+(?:(?:now|also|stil|only|just|already|usualy|totaly)\s+)?(?:available|avail|free)\b"
    r"|\b(?:available|avail|libre|bakante)\s+(?:na\s+)?(?:po\s+)?(?:ako|aq|ko)\b"
)


def reply_forms(text: str, found: dict, hits: list) -> None:
    """Reads the opening of a reply the way it is meant, in place on the first-hit map:
    a leading "ok" that opens a question is no yes ("ok and does the niece do shows too,
    shes 8 right"); "no problem" / "no worries" is no refusal; "we can," answering is no
    request; "me" as the object of "tell me" is no self-reference."""
    if "affirm" in found and _OK_THEN_QUESTION.match(text):
        del found["affirm"]
    if "refusal" in found and _NO_PROBLEM.match(text):
        _replace(found, hits, "refusal", lambda h: h.start <= 2)
    r = found.get("request")
    if r is not None and r.start <= 2 and _WE_CAN.match(text):
        _replace(found, hits, "request", lambda h: h.start <= 2)
    if "innocent" in found or "thing" in found:
        spans = [m.span() for m in _AGE_NOT_ACTIVITY.finditer(text)] + school_schedule(text)
        if spans:
            # "correct, 5 y/o, still in school", "nasa bahay po sya ngayon, 11 years old": the
            # school says how young, the home where she is, "after school 7pm" when she is
            # free — no activity that keeps her busy
            inside = lambda h: any(a <= h.end and h.start <= b for a, b in spans)
            for category in ("innocent", "thing"):
                if category in found and all(inside(h) for h in hits if h.pattern.category == category):
                    del found[category]
    if ("want" in found or "offer_question" in found or "request" in found) and (
        "know" in text or "malaman" in text or "mahibalo" in text or "vite" in text
    ):
        spans = [m.span() for m in _WHY_ASK.finditer(text)]
        if spans:  # "15 yrs old why do u want 2 know": the question back asks for nothing
            inside = lambda h: any(a <= h.start and h.end <= b for a, b in spans)
            for category in _WHY_ASK_DROPS:
                if category in found and inside(found[category]):
                    _replace(found, hits, category, inside)
    if "offer" in found:
        spans = [m.span() for m in _WRITER_AVAILABLE.finditer(text)]
        if spans:  # "så er jeg ledig": the writer is free, no one is offered
            inside = lambda h: any(a <= h.start and h.end <= b for a, b in spans)
            if inside(found["offer"]):
                _replace(found, hits, "offer", inside)
    me = found.get("self_ref")
    if me is not None and text[me.start : me.end] == "me" and _OBJECT_ME.search(text, 0, me.end):
        _replace(found, hits, "self_ref", lambda h: text[h.start : h.end] == "me")


# What may stand beside the age in a line that is only an age: units, "po", "only", emoji.
_ALONE_REST = re.compile(r"^(?:[\W_]|\b(?:po|yrs?|years?|old|yo|y/o|år|gamel|anyos|taon|only|just|lang|here)\b)*$")


def age_alone(text: str, f) -> object | None:
    """The line is one person's age under 18 and nothing else ("13 yrs old", "fifteen years
    old", "16 år gammel"): the `AgeMention`, or None. Eight or older: a younger age alone
    is a child's or a thing's, not the writer's."""
    if len(f.ages) != 1:
        return None
    a = f.ages[0]
    if any(not (a.start <= h.start and h.end <= a.end) for h in f.hits.values()):
        return None  # a hit outside the age ("o" of "y/o" is tl "oo" folded: inside)
    if a.kind != "person" or not 8 <= a.value < 18:
        return None
    return a if _ALONE_REST.match(text[: a.start] + " " + text[a.end :]) else None


# A child named as the subject before an age statement: "jenta fylte 6 år", "the boy turned 9",
# "si bunso 12 na", "anak ko 10 na".
_CHILD_SUBJECT = re.compile(
    r"\b(?:jenta|jente|gutten|guten|datera|dateren|sønen|sonen|the\s+girl|the\s+boy|my\s+(?:son|daughter|girl|boy|kid)|our\s+(?:son|daughter)|"
    r"si\s+bunso|anak\s+(?:ko|q|nako)|ang\s+anak|akong\s+anak)\b"
)


def child_named_before(text: str, at: int) -> bool:
    return _CHILD_SUBJECT.search(text, 0, at) is not None


# The number an offer question puts on the table: "interested in a 12 for video call",
# "interested ka ba sa 15 for live", "interesado ka sa 15 para sa show".
_OFFERED_NUMBER = re.compile(
    r"\binteres(?:ted|ado)\s+(?:ka\s+)?(?:ba\s+)?(?:in|sa)\s+(?:a\s+|an\s+|ang\s+)?(\d{1,2})\s*(?:for|4|para|po|\?|$"
    r"|(?:private\s+|live\s+|cam\s+|webcam\s+|video\s+)?(?:show|sesion|sesh|cal|vc)\b(?!\s*(?:min|mins|minutes|hours?|hrs?)\b))"
)


def offered_number(text: str, f) -> list:
    """The bare age an offer question names (see `_OFFERED_NUMBER`), as the line's minor age."""
    m = _OFFERED_NUMBER.search(text)
    if m is None:
        return []
    return [a for a in f.ages if a.kind == "bare" and a.minor and a.start == m.start(1) and a.value >= 3]
