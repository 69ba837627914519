"""Properties of the network helpers behind the JMESPath functions checks call (``scanner.functions``).

Every "port open to the internet" check rests on ``port_range_covers`` / ``ports_between_cover`` and
``cidr_is_any`` / ``cidr_is_public``. The example tests in tests/scanner/test_functions.py pin a dozen
spellings; these compare the helpers with plain set membership and with ``ipaddress`` over generated
ranges, through the Python helpers and through JMESPath as a check calls them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
from typing import Any

import jmespath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scanner.functions import OPTIONS, cidr_is_any, cidr_is_public, parse_port_range, port_range_covers

SETTINGS = settings(max_examples=200, deadline=None)
ALL_PORTS = set(range(65536))


def q(expr: str, doc: dict[str, Any]) -> Any:
    return jmespath.search(expr, doc, options=OPTIONS)


# ---- ports ------------------------------------------------------------------------------------------


@st.composite
def port_ranges(draw: st.DrawFn) -> tuple[int, int]:
    """A small range anywhere in 0..65535, often at the edges."""
    lo = draw(st.integers(0, 65535) | st.sampled_from([0, 1, 22, 1023, 1024, 65534, 65535]))
    return lo, min(65535, lo + draw(st.integers(0, 40)))


def spellings(lo: int, hi: int) -> st.SearchStrategy[Any]:
    """How the three clouds write the range lo..hi (AWS numbers, Alibaba "lo/hi", Azure "lo-hi" or "n")."""
    forms: list[Any] = [f"{lo}-{hi}", f"{lo}/{hi}", f"{hi}-{lo}", f" {lo} - {hi} ", f"{lo}/ {hi}"]
    if lo == hi:
        forms += [lo, float(lo), str(lo), f" {lo} "]
    return st.sampled_from(forms)


def probes(lo: int, hi: int) -> st.SearchStrategy[list[int]]:
    edges = [p for p in (lo - 1, lo, hi, hi + 1) if 0 <= p <= 65535]
    return st.lists(st.sampled_from(edges) | st.integers(0, 65535), min_size=1, max_size=6)


@SETTINGS
@given(port_ranges().flatmap(lambda r: st.tuples(st.just(r), spellings(*r), probes(*r))))
def test_a_port_range_covers_exactly_its_ports(case: tuple[tuple[int, int], Any, list[int]]) -> None:
    (lo, hi), spec, ports = case
    members = set(range(lo, hi + 1))
    assert parse_port_range(spec) == (lo, hi)
    for p in ports:
        assert port_range_covers(spec, p) is (p in members)
    # through JMESPath, as checks call them: any of a list of ports
    want = any(p in members for p in ports)
    assert q("port_range_covers(spec, ports)", {"spec": spec, "ports": ports}) is want
    assert q("ports_between_cover(lo, hi, ports)", {"lo": lo, "hi": hi, "ports": ports}) is want


@SETTINGS
@given(
    st.sampled_from(["*", "", "all", "-1", "-1/-1", " * ", -1, -1.0, "-1-5", "3/-1"]),
    st.lists(st.integers(0, 65535), min_size=1, max_size=6),
)
def test_every_spelling_of_all_ports_covers_every_port(spec: Any, ports: list[int]) -> None:
    assert parse_port_range(spec) == (0, 65535)
    assert all(port_range_covers(spec, p) for p in ports)
    assert q("port_range_covers(spec, ports)", {"spec": spec, "ports": ports})
    assert q("ports_between_cover(lo, hi, ports)", {"lo": -1, "hi": -1, "ports": ports})
    assert q("ports_between_cover(lo, hi, ports)", {"lo": None, "hi": None, "ports": ports})


RANGE_SHAPED = st.builds(
    "{}{}{}".format, st.integers(-3, 70000), st.sampled_from(["-", "/", " - ", "--", ""]), st.integers(-3, 70000)
)


@SETTINGS
@given(
    st.none() | RANGE_SHAPED | st.text(max_size=12) | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
)
@example("22-")
@example("65536")
@example("٢٢")  # Arabic-Indic digits are \d in Python's re
def test_a_parsed_range_is_never_inverted(spec: Any) -> None:
    r = parse_port_range(spec)
    assert r is None or 0 <= r[0] <= r[1]
    if r is None:
        assert not port_range_covers(spec, 22)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans() | st.integers(-2, 2) | st.floats(-2, 2) | st.sampled_from(["1", "0"]), max_size=4))
@example([True, 1.0])
def test_the_cache_never_changes_an_answer(specs: list[Any]) -> None:
    parse_port_range.cache_clear()
    try:
        assert [parse_port_range(s) for s in specs] == [parse_port_range.__wrapped__(s) for s in specs]
    finally:
        parse_port_range.cache_clear()  # leave no boolean entry behind for the tests that run after this one


JSON_NUMBERS = st.integers() | st.floats()  # what json.loads gives: NaN, Infinity and -Infinity included


@SETTINGS
@given(JSON_NUMBERS, JSON_NUMBERS, st.lists(JSON_NUMBERS, max_size=3))
@example(math.inf, math.inf, [22])
def test_port_functions_answer_or_raise_what_the_engine_reports(low: Any, high: Any, ports: list[Any]) -> None:
    doc = {"lo": low, "hi": high, "ports": ports}
    for expr in ("port_range_covers(lo, ports)", "ports_between_cover(lo, hi, ports)"):
        with contextlib.suppress(ValueError, TypeError):  # the engine reports these as ERROR (scanner/engine.py)
            assert q(expr, doc) in (True, False)


# ---- addresses --------------------------------------------------------------------------------------


@st.composite
def networks(draw: st.DrawFn) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    addr = draw(st.ip_addresses())
    prefix = draw(st.integers(0, addr.max_prefixlen) | st.sampled_from([0, 1, 7, 8, 9, 16]))
    return ipaddress.ip_network(f"{addr}/{min(prefix, addr.max_prefixlen)}", strict=False)


def spelled(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> st.SearchStrategy[str]:
    """The ways a rule writes it: canonical, host bits set, upper case, padded, exploded, bare address."""
    forms = [str(net), f"{net.broadcast_address}/{net.prefixlen}", str(net).upper(), f" {net} ", net.exploded]
    if net.prefixlen == net.max_prefixlen:
        forms.append(str(net.network_address))
    return st.sampled_from(forms)


CIDRS = networks().flatmap(spelled) | st.sampled_from(
    ["0.0.0.0/0", "::/0", "*", "Any", "Internet", "0.0.0.0", "::", "not-an-ip", "", "10.0.0.0/33", "VirtualNetwork"]
)


@SETTINGS
@given(CIDRS)
def test_anyone_is_always_public(cidr: str) -> None:
    if cidr_is_any(cidr):
        assert cidr_is_public(cidr)
    assert q("cidr_is_any(c)", {"c": cidr}) is cidr_is_any(cidr)
    assert q("cidr_is_public(c)", {"c": cidr}) is cidr_is_public(cidr)


PREFIXES = st.sampled_from([0, 1, 2, 7, 8, 9]) | st.integers(0, 128)  # short ones are where the guards are


@SETTINGS
@given(networks(), PREFIXES)
def test_a_wider_range_is_at_least_as_public(net: Any, prefix: int) -> None:
    wider = net.supernet(new_prefix=min(prefix, net.prefixlen))
    if cidr_is_public(str(net)):
        assert cidr_is_public(str(wider))
    if cidr_is_any(str(net)):
        assert cidr_is_any(str(wider))
    assert cidr_is_any(str(net)) is (net.prefixlen == 0)


# Blocks holding no globally routable address: no range inside one is public.
NON_GLOBAL_BLOCKS = [
    *("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fe80::/10", "::1/128"),
    *("fc00::/7", "240.0.0.0/4"),
]
GLOBAL_ADDRESSES = [ipaddress.ip_address(a) for a in ("8.8.8.8", "47.96.1.1", "2001:4860:4860::8888", "240e::1")]


@pytest.mark.parametrize("block", NON_GLOBAL_BLOCKS)
@settings(max_examples=60, deadline=None)
@given(extra=st.integers(0, 128), pick=st.integers(0, 2**128))
@example(extra=0, pick=0)
def test_a_range_inside_a_non_global_block_is_never_public(block: str, extra: int, pick: int) -> None:
    base = ipaddress.ip_network(block)
    prefix = min(base.max_prefixlen, base.prefixlen + extra)
    subnet = ipaddress.ip_network(f"{base.network_address + pick % base.num_addresses}/{prefix}", strict=False)
    assert not cidr_is_public(str(subnet)) and not cidr_is_any(str(subnet))


@SETTINGS
@given(st.sampled_from(GLOBAL_ADDRESSES), PREFIXES)
def test_a_range_holding_a_global_address_is_public(addr: Any, prefix: int) -> None:
    net = ipaddress.ip_network(f"{addr}/{min(prefix, addr.max_prefixlen)}", strict=False)
    assert cidr_is_public(str(net))
