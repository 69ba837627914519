"""The custom JMESPath functions, through JMESPath itself (as checks call them)."""

from __future__ import annotations

from datetime import datetime, timezone

import jmespath
import pytest

from scanner.functions import OPTIONS, in_mainland_china, parse_port_range, pinned_now


def q(expr, doc=None):
    return jmespath.search(expr, doc, options=OPTIONS)


@pytest.mark.parametrize(
    "region,expected",
    [
        ("cn-north-1", True),
        ("cn-northwest-1", True),
        ("cn-hangzhou", True),
        ("cn-shanghai-finance-1", True),
        ("chinaeast2", True),
        ("ChinaNorth3", True),
        ("cn-hongkong", False),
        ("ap-east-1", False),
        ("eastasia", False),
        ("us-east-1", False),
        ("", None),
        (None, None),
    ],
)
def test_in_mainland_china(region, expected):
    assert in_mainland_china(region) is expected


@pytest.mark.parametrize(
    "cidr,any_,public",
    [
        ("0.0.0.0/0", True, True),
        ("::/0", True, True),
        ("*", True, True),
        ("Internet", True, True),
        ("10.0.0.0/8", False, False),
        ("192.168.1.0/24", False, False),
        ("47.96.0.0/16", False, True),
        ("0.0.0.0/1", False, True),
        ("not-an-ip", False, False),
    ],
)
def test_cidr_functions(cidr, any_, public):
    assert q("cidr_is_any(@)", cidr) is any_
    assert q("cidr_is_public(@)", cidr) is public


@pytest.mark.parametrize(
    "spec,expected",
    [
        ("22/22", (22, 22)),
        ("-1/-1", (0, 65535)),
        ("*", (0, 65535)),
        ("20-25", (20, 25)),
        ("3389", (3389, 3389)),
        (443, (443, 443)),
        (-1, (0, 65535)),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_port_range(spec, expected):
    assert parse_port_range(spec) == expected


def test_port_range_covers_and_ports_between():
    assert q("port_range_covers('20/25', `22`)") is True
    assert q("port_range_covers('80', `[22, 3389]`)") is False
    assert q("port_range_covers('3380-3390', `[22, 3389]`)") is True
    assert q("ports_between_cover(`0`, `100`, `[22]`)") is True
    assert q("ports_between_cover(`null`, `null`, `22`)") is True  # protocol -1: all ports
    assert q("ports_between_cover(`443`, `443`, `[22, 3389]`)") is False


def test_days_since_uses_pinned_clock():
    with pinned_now(datetime(2026, 11, 28, tzinfo=timezone.utc)):
        assert q("days_since('2026-11-18T00:00:00Z')") == 10.0
        assert q("days_since('2026-11-18T00:00Z')") == 10.0  # Alibaba's minute-precision form
        assert q("days_since(`1794960000`)") == 10.0  # epoch seconds
        assert q("days_since(`null`)") is None
        assert q("days_since('N/A')") is None


def test_json_parse_and_as_list():
    assert q("json_parse(@).Statement[0].Effect", '{"Statement":[{"Effect":"Allow"}]}') == "Allow"
    assert q("json_parse('not json')") is None
    assert q("as_list(@)", {"a": 1}) == [{"a": 1}]
    assert q("as_list(@)", "s3:*") == ["s3:*"]
    assert q("as_list(@)", None) == []


def test_regex_and_lower():
    assert q("regex_match('TLSv1.2-2019', '^TLSv1\\.[23]')") is True
    assert q("regex_match('TLSv1.0', '^TLSv1\\.[23]')") is False
    assert q("lower('ABC')") == "abc"
