"""The per-actor funnel of taxonomy.md, counted over distinct counterparts."""

from __future__ import annotations

from vaktpost.text.funnel import FunnelMessage, actor_risk, compute_funnels, group_by_conversation


def msg(conv, sender, to, *labels, platform="camsite"):
    return FunnelMessage(platform, conv, sender, (to,) if to else (), frozenset(labels))


def funnel_of(messages, actor):
    [f] = [f for f in compute_funnels(group_by_conversation(messages)) if f.actor_id == actor]
    return f


def test_hunter_funnel_over_distinct_counterparts():
    messages = []
    for i in range(10):  # contacts 10 performers
        messages.append(msg(f"c{i}", "buyer", f"p{i}"))
    for i in range(6):  # asks 6 of them
        messages.append(msg(f"c{i}", "buyer", f"p{i}", "MINOR_REQUEST"))
    for i in range(4):  # 4 confirm, 3 with a price, 2 with a payment route
        messages.append(msg(f"c{i}", f"p{i}", "buyer", "MINOR_CONFIRMED"))
    for i in range(3):
        messages.append(msg(f"c{i}", f"p{i}", "buyer", "PRICE_NEGOTIATION"))
    for i in range(2):
        messages.append(msg(f"c{i}", "buyer", f"p{i}", "PAYMENT_CHANNEL"))
    messages.append(msg("c0", "buyer", "p0", "MINOR_REQUEST"))  # asking twice is one counterpart
    f = funnel_of(messages, "buyer")
    assert f.counts == {"contacted": 10, "asked_minor": 6, "confirmed_minor": 4, "price": 3, "payment": 2, "off_platform": 0, "travel": 0}
    assert funnel_of(messages, "p0").offered_minor == 1


def test_confirmation_in_another_conversation_does_not_count():
    messages = [
        msg("c1", "buyer", "p1", "MINOR_REQUEST"),
        msg("c2", "p1", "buyer", "MINOR_CONFIRMED"),  # a different thread between the same two
    ]
    f = funnel_of(messages, "buyer")
    assert (f.counts["asked_minor"], f.counts["confirmed_minor"]) == (1, 0)


def test_unprompted_offer_before_the_request_in_the_same_conversation_counts():
    messages = [msg("c1", "f1", "buyer", "MINOR_CONFIRMED"), msg("c1", "buyer", "f1", "MINOR_REQUEST")]
    assert funnel_of(messages, "buyer").counts["confirmed_minor"] == 1


def test_content_request_counts_as_asking():
    assert funnel_of([msg("c1", "buyer", "p1", "CONTENT_REQUEST")], "buyer").counts["asked_minor"] == 1


def test_price_payment_travel_without_any_minor_label_stay_at_zero():
    messages = [
        msg("c1", "buyer", "p1", "PRICE_NEGOTIATION"),
        msg("c1", "p1", "buyer", "PAYMENT_CHANNEL"),
        msg("c1", "buyer", "p1", "TRAVEL_MEETING"),
        msg("c1", "buyer", "p1", "OFF_PLATFORM_MOVE"),
    ]
    f = funnel_of(messages, "buyer")
    assert f.counts == {"contacted": 1, "asked_minor": 0, "confirmed_minor": 0, "price": 0, "payment": 0, "off_platform": 0, "travel": 0}
    assert f.risk == 0.0


def test_travel_and_off_platform_count_in_a_conversation_with_a_minor_label():
    messages = [
        msg("c1", "buyer", "p1", "MINOR_REQUEST"),
        msg("c1", "p1", "buyer", "OFF_PLATFORM_MOVE"),
        msg("c1", "buyer", "p1", "TRAVEL_MEETING"),
    ]
    f = funnel_of(messages, "buyer")
    assert (f.counts["off_platform"], f.counts["travel"]) == (1, 1)


def test_missing_recipients_mean_the_other_participants_of_the_conversation():
    messages = [msg("c1", "buyer", None, "MINOR_REQUEST"), msg("c1", "p1", None, "MINOR_CONFIRMED")]
    f = funnel_of(messages, "buyer")
    assert (f.counts["contacted"], f.counts["asked_minor"], f.counts["confirmed_minor"]) == (1, 1, 1)


def test_same_account_id_on_two_platforms_is_two_actors():
    messages = [msg("c1", "u1", "p1", "MINOR_REQUEST", platform="a"), msg("c1", "u1", "p1", platform="b")]
    funnels = {(f.platform, f.actor_id): f for f in compute_funnels(group_by_conversation(messages))}
    assert funnels[("a", "u1")].counts["asked_minor"] == 1
    assert funnels[("b", "u1")].counts["asked_minor"] == 0


def test_risk_is_monotone_and_bounded():
    base = dict.fromkeys(("contacted", "asked_minor", "confirmed_minor", "price", "payment", "off_platform", "travel"), 0)
    previous = actor_risk(base, 0)
    assert previous == 0.0
    for step in ("asked_minor", "confirmed_minor", "payment", "travel"):
        base[step] += 1
        risk = actor_risk(base, 0)
        assert previous < risk < 1.0
        previous = risk
    assert actor_risk({k: 10_000 for k in base}, 10_000) <= 1.0


def test_conversation_risk_orders_what_matters():
    from vaktpost.text.funnel import conversation_risk, conversation_risks

    adult_commerce = conversation_risk({"PRICE_NEGOTIATION", "PAYMENT_CHANNEL", "OFF_PLATFORM_MOVE"})
    asked = conversation_risk({"MINOR_REQUEST"})
    sold = conversation_risk({"MINOR_REQUEST", "MINOR_CONFIRMED", "PRICE_NEGOTIATION", "PAYMENT_CHANNEL"})
    assert 0.0 <= adult_commerce < 0.25 < asked < sold < 1.0
    assert conversation_risk(()) == 0.0
    risks = conversation_risks([[msg("c1", "a", "b", "MINOR_REQUEST"), msg("c1", "b", "a", "MINOR_CONFIRMED")], [msg("c2", "a", "c")]])
    assert risks[("camsite", "c2")] == 0.0 and risks[("camsite", "c1")] > 0.9
