"""The "Which first?" guide: the article's decision rule as a few yes/no questions."""

from __future__ import annotations

from dataclasses import dataclass

from explorer.content.catalog import by_id


def _titles(*sample_ids: str) -> str:
    """Samples named as the user sees them in the catalog, never by their internal ids."""
    return " and ".join(f"“{sample.title}”" for sid in sample_ids if (sample := by_id(sid)) is not None)


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    leans: str  # the framework a "yes" points to
    reason: str  # why, shown when the answer is "yes"


QUESTIONS: tuple[Question, ...] = (
    Question(
        "fundamentals",
        "Are you learning web development in general (routes, templates, forms, sessions)?",
        "flask",
        "Flask keeps the request-response cycle in plain view and has the largest pool of learning material.",
    ),
    Question(
        "html",
        "Will your app mostly render HTML pages on the server?",
        "flask",
        "Jinja2 templating is built into Flask and its ecosystem grew up around server-rendered apps.",
    ),
    Question(
        "api",
        "Is the product a JSON API, with no server-rendered front end?",
        "fastapi",
        "FastAPI is API-first: validation, serialisation and OpenAPI docs come from the function signatures.",
    ),
    Question(
        "types",
        "Are you already comfortable with Python type hints?",
        "fastapi",
        "FastAPI turns type hints into runtime validation, so that fluency pays off from the first route.",
    ),
    Question(
        "concurrency",
        "Will each request spend most of its time waiting on databases or other services, many at once?",
        "fastapi",
        "An event loop serves many waiting requests on one process; see the concurrency samples "
        f"{_titles('io-burst', 'io-blocking')} in the list on the main screen. Flask under gunicorn's gevent "
        "worker matches it on such work (the lab measures both), but then every library in the handler must "
        "be async or patched by gevent, as in an async def.",
    ),
    Question(
        "sessions",
        "Will people log in through HTML forms and stay logged in with a session cookie?",
        "flask",
        "Forms and the signed-cookie session are built into Flask, and extensions like Flask-Login and Flask-WTF "
        "grew up around them; FastAPI needs python-multipart and a session middleware for the same.",
    ),
    Question(
        "tokens",
        "Will clients authenticate with bearer tokens (OAuth2, API keys) rather than cookies?",
        "fastapi",
        "FastAPI's security dependencies answer 401 with WWW-Authenticate by themselves and put an Authorize "
        "button in /docs; in Flask the check is a decorator you write.",
    ),
    Question(
        "json_errors",
        "Must every answer, errors included, be JSON of a shape clients can rely on?",
        "fastapi",
        "HTTPException and validation errors are JSON out of the box and response models decide which fields leave; "
        "Flask's abort() answers HTML pages until you register JSON error handlers. Not quite every answer: "
        "FastAPI's unhandled 500 and Starlette's CORS refusals are text/plain until you handle them too.",
    ),
    Question(
        "background",
        "Will a request start short jobs (an email, a webhook) that may finish after the answer?",
        "fastapi",
        "BackgroundTasks runs them right after the answer with nothing to add; Flask needs a thread of your own or "
        "a task queue (which bigger jobs need with either framework).",
    ),
)


@dataclass(frozen=True)
class Recommendation:
    framework: str  # flask | fastapi | either
    headline: str
    reasons: tuple[str, ...]


def recommend(answers: dict[str, bool]) -> Recommendation:
    """Count the questions answered yes for each side; learning fundamentals decides a tie for Flask."""
    yes = [q for q in QUESTIONS if answers.get(q.key)]
    flask = [q.reason for q in yes if q.leans == "flask"]
    fastapi = [q.reason for q in yes if q.leans == "fastapi"]
    transfer = "Routing, HTTP methods, status codes, JSON and auth carry over: the first choice is not a lifelong one."
    if not yes:
        return Recommendation(
            "either", "Either is a sound start: pick the one that matches what you build next.", (transfer,)
        )
    if len(flask) > len(fastapi) or (len(flask) == len(fastapi) and answers.get("fundamentals")):
        return Recommendation("flask", "Start with Flask.", (*flask, transfer))
    if len(fastapi) > len(flask):
        return Recommendation("fastapi", "Start with FastAPI.", (*fastapi, transfer))
    return Recommendation("either", "It is a tie: both fit what you described.", (*flask, *fastapi, transfer))
