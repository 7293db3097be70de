"""The sample requests: each one a claim about Flask and FastAPI that the user can watch hold.

Every sample says what each framework answers (``expect``): the status, the locations of any
validation errors, the content type and, where they are stable, headers and the JSON body or its
keys (:class:`~explorer.content.sample.Expect`). The test suite sends every sample to both real
servers and checks those answers, so they were true of the installed versions when the tests last ran.

This module is the index: the topics in the order the app lists them, every sample, and the search.
The samples live by kind: the article's basics in ``catalog_basics``; forms, sessions and
authentication in ``catalog_forms``; the rest of HTTP in ``catalog_http``; later topics in
``catalog_topics``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from explorer.content.catalog_basics import BASIC_SAMPLES
from explorer.content.catalog_forms import FORM_SAMPLES
from explorer.content.catalog_http import HTTP_SAMPLES
from explorer.content.catalog_topics import TOPIC_SAMPLES
from explorer.content.sample import JSON_HEADERS, Expect, Sample

__all__ = ["JSON_HEADERS", "SAMPLES", "TOPICS", "Expect", "Sample", "by_id", "by_topic", "matching"]

TOPICS = {
    "routing": "Routing and path parameters",
    "methods": "HTTP methods",
    "validation": "Body validation",
    "docs": "API docs",
    "html": "Server-rendered HTML",
    "concurrency": "Concurrency: I/O and CPU",
    "forms": "Forms and file uploads",
    "sessions": "Sessions and cookies",
    "auth": "Authentication",
    "errors": "Errors",
    "json": "JSON types and response models",
    "status": "Status codes and redirects",
    "hooks": "Hooks, middleware and dependencies",
    "cors": "CORS",
    "tasks": "Background tasks",
    "streaming": "Streaming and WebSockets",
    "query": "Query parameters",
    "limits": "Request size limits",
    "static": "Static files",
    "lifecycle": "Start-up, shutdown and per-request resources",
    "testing": "Testing",
    "migration": "Migration: Flask inside FastAPI",
}


SAMPLES: tuple[Sample, ...] = tuple(
    replace(sample, topic_title=TOPICS[sample.topic])
    for sample in (*BASIC_SAMPLES, *FORM_SAMPLES, *HTTP_SAMPLES, *TOPIC_SAMPLES)
)


def by_id(sample_id: str) -> Sample | None:
    return next((s for s in SAMPLES if s.id == sample_id), None)


def by_topic() -> dict[str, list[Sample]]:
    """Samples grouped under their topic titles, in catalog order."""
    groups: dict[str, list[Sample]] = {title: [] for title in TOPICS.values()}
    for sample in SAMPLES:
        groups[sample.topic_title].append(sample)
    return groups


def matching(text: str) -> list[Sample]:
    """Samples whose title, claim, path, method, topic or id contain every word of ``text``, best first.

    A filter that a user types a title into must land on that title, so the order is: the exact title,
    then titles that start with the text, titles holding every word whole, titles holding the text,
    titles holding a word that starts with each word, and last the samples that match elsewhere
    (their claim, request or topic). Equal ranks keep the catalog's order, topic by topic.
    """
    phrase = " ".join(text.lower().split())
    words = phrase.split()
    topics = list(TOPICS)
    found = [(i, s) for i, s in enumerate(SAMPLES) if all(w in _haystack(s) for w in words)]
    return [s for _, s in sorted(found, key=lambda p: (_rank(p[1], phrase, words), topics.index(p[1].topic), p[0]))]


def _haystack(sample: Sample) -> str:
    return f"{sample.title} {sample.claim} {sample.request.line} {sample.topic_title} {sample.id}".lower()


def _rank(sample: Sample, phrase: str, words: list[str]) -> int:
    """0 (the exact title) to 5 (matched outside the title only): lower is better."""
    title = " ".join(sample.title.lower().split())
    if title == phrase:
        return 0
    if title.startswith(phrase):
        return 1
    title_words = re.findall(r"\w+", title)
    wanted = [w for word in words for w in re.findall(r"\w+", word)]
    if wanted and all(w in title_words for w in wanted):
        return 2
    if phrase in title:
        return 3
    if wanted and all(any(t.startswith(w) for t in title_words) for w in wanted):
        return 4
    return 5
