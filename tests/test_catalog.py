"""Every sample in the catalog, sent to both real servers: the claims hold for the installed versions."""

from __future__ import annotations

import re

import pytest

from explorer.content.catalog import SAMPLES, TOPICS, Sample, by_id, by_topic, matching
from explorer.content.comparison import table_rows
from tests.conftest import LiveServers


def check(sample: Sample, live: LiveServers) -> None:
    results = live.send(sample.request, list(sample.frameworks), burst=sample.burst)
    assert set(results) == set(sample.frameworks)
    for framework, exchange in results.items():
        expect = sample.expect[framework]
        assert exchange.error is None, exchange.error
        assert exchange.status == expect.status, (framework, exchange.status, exchange.text[:300])
        locations = tuple(issue.location for issue in exchange.validation)
        if expect.locations:
            assert sorted(locations) == sorted(expect.locations), (framework, locations)
        if expect.content_type:
            assert exchange.content_type == expect.content_type
        for name, pattern in expect.headers:
            value = exchange.header(name)
            assert (value is None) if pattern is None else (value is not None and re.fullmatch(pattern, value)), (
                framework,
                name,
                value,
            )
        if expect.json is not None:
            assert exchange.json == expect.json, (framework, exchange.text[:300])
        if expect.keys:
            assert isinstance(exchange.json, dict), (framework, exchange.text[:300])
            assert sorted(exchange.json) == sorted(expect.keys), (framework, exchange.json)
        assert expect.contains in exchange.text, (framework, exchange.text[:300])
        assert not [text for text in expect.excludes if text in exchange.text], (framework, exchange.text[:300])
        if sample.burst > 1:
            assert exchange.burst is not None and exchange.burst.count == sample.burst and exchange.burst.errors == 0


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.id)
def test_sample_on_dev_server(sample: Sample, live: LiveServers) -> None:
    check(sample, live)


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.burst == 1], ids=lambda s: s.id)
def test_sample_on_gunicorn(sample: Sample, live_gunicorn: LiveServers) -> None:
    check(sample, live_gunicorn)


def test_catalog_is_complete() -> None:
    assert len(SAMPLES) >= 20
    assert len({s.id for s in SAMPLES}) == len(SAMPLES)
    assert {s.topic for s in SAMPLES} == set(TOPICS)
    for sample in SAMPLES:
        assert set(sample.expect) == set(sample.frameworks)
        assert sample.claim.endswith(".") and len(sample.claim) < 200
        sample.request.checked()
    for row in table_rows():  # every dimension of the table is proved by at least one sample
        assert row.samples and all(by_id(sid) for sid in row.samples)


def test_grouping_and_filter() -> None:
    groups = by_topic()
    assert sum(len(v) for v in groups.values()) == len(SAMPLES)
    assert [s.id for s in matching("items abc")] == ["item-abc"]
    assert matching("no such words at all") == []


def test_item_abc_details(live: LiveServers) -> None:
    sample = by_id("item-abc")
    assert sample is not None
    results = live.send(sample.request)
    fastapi = results["fastapi"]
    assert fastapi.validation[0].type == "int_parsing"
    assert fastapi.json["detail"][0]["input"] == "abc"
    assert results["flask"].validation == []
    assert "<title>404 Not Found</title>" in results["flask"].text


def test_price_string_is_converted(live: LiveServers) -> None:
    sample = by_id("price-string")
    assert sample is not None
    assert live.send(sample.request, ["fastapi"])["fastapi"].json["price"] == 3.5


def test_unknown_field_is_dropped(live: LiveServers) -> None:
    sample = by_id("extra-field")
    assert sample is not None
    for exchange in live.send(sample.request).values():
        assert "colour" not in exchange.json


def test_options_lists_allowed_methods(live: LiveServers) -> None:
    sample = by_id("options")
    assert sample is not None
    results = live.send(sample.request)
    assert set((results["flask"].header("allow") or "").replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert results["fastapi"].header("allow") == "GET"


def test_blocking_async_def_serialises_requests(live: LiveServers) -> None:
    """A lower bound only: five blocking 100 ms sleeps on one event loop cannot finish in under ~500 ms."""
    sample = by_id("io-blocking")
    assert sample is not None
    burst = live.send(sample.request, ["fastapi"], burst=5)["fastapi"].burst
    assert burst is not None and burst.wall_ms >= 5 * 100 * 0.95


def test_html_is_escaped(live: LiveServers) -> None:
    sample = by_id("hello-escape")
    assert sample is not None
    for exchange in live.send(sample.request).values():
        assert "&lt;img" in exchange.text and "<img" not in exchange.text
