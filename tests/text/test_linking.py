"""Accounts that share an identifier are linked, with the messages that show it."""

from __future__ import annotations

from datetime import datetime, timezone

from vaktpost.text.linking import LinkMessage, clusters, find_links, identifiers


def at(h, m=0):
    return datetime(2021, 3, 4, h, m, tzinfo=timezone.utc)


def test_identifiers_are_canonicalised():
    found = set(identifiers("text me +63 917 555 0101 or mail Someone@Example.org, telegram: @night_owl, paypal.me/payhandle"))
    assert ("phone", "+639175550101") in found
    assert ("email", "someone@example.org") in found
    assert ("handle", "night_owl") in found
    assert ("payment_handle", "payhandle") in found
    assert ("phone", "+639175550101") in set(identifiers("gcash 09175550101"))


def test_prices_times_and_ages_are_not_phone_numbers():
    assert not [k for k, _ in identifiers("30 usd at 9pm, she is 12, room 1203, 2021-03-04") if k == "phone"]


def test_shared_phone_links_accounts_across_platforms_with_evidence():
    msgs = [
        LinkMessage("camsite", "p-1", "m1", "my gcash is 0917 555 0101"),
        LinkMessage("chatapp", "x-9", "m2", "send to +639175550101 please"),
        LinkMessage("camsite", "p-2", "m3", "my number is 0918 000 1111"),
    ]
    [link] = find_links(msgs)
    assert (link.a, link.b) == (("camsite", "p-1"), ("chatapp", "x-9"))
    assert link.as_json()["evidence"] == [{"kind": "phone", "value": "+639175550101", "message_ids": ["m1", "m2"]}]


def test_ip_links_only_within_the_same_hour():
    msgs = [
        LinkMessage("camsite", "u-1", "m1", "hi", at(21, 5), "203.0.113.9"),
        LinkMessage("camsite", "u-2", "m2", "hello", at(21, 50), "203.0.113.9"),
        LinkMessage("camsite", "u-3", "m3", "hello", at(23, 0), "203.0.113.9"),
    ]
    links = find_links(msgs)
    assert [(lk.a[1], lk.b[1]) for lk in links] == [("u-1", "u-2")]
    assert links[0].as_json()["evidence"][0]["kind"] == "ip_hour"


def test_handles_and_emails_link_and_cluster():
    msgs = [
        LinkMessage("a", "1", "m1", "add me on telegram @blue_fox"),
        LinkMessage("b", "2", "m2", "telegram: blue_fox"),
        LinkMessage("b", "2", "m3", "or write to fox@example.org"),
        LinkMessage("c", "3", "m4", "fox@example.org is mine"),
        LinkMessage("c", "4", "m5", "nothing shared here"),
    ]
    links = find_links(msgs)
    assert {(lk.a[1], lk.b[1]) for lk in links} == {("1", "2"), ("2", "3")}
    assert clusters(links) == [[("a", "1"), ("b", "2"), ("c", "3")]]
