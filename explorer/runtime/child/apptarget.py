"""Find the app a target names, in the child process that serves it or lists its routes.

A target is ``MODULE:OBJECT`` where OBJECT is a name, a dotted attribute (``module:obj.app``) or a call
of one with literal arguments (``module:create_app('testing')``), as Flask's CLI and uvicorn's
``--factory`` accept; a bare name that is a factory (a function with no required parameter) is
called too. The object is then checked against the framework it was given for, so a Flask app
given as the FastAPI app, or something that is no app at all, is named at start instead of
answering 500 to every request.

This runs in the user's interpreter, which may hold nothing of the explorer: standard library only,
written for Python 3.8 and later. A failure prints a marked line the explorer reads back
(:data:`IMPORT_FAILED` and :data:`SUMMARY`, or :data:`NOT_AN_APP`) and ends the process.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import sys
import traceback
from typing import Any, Dict, List, Optional, Tuple

IMPORT_FAILED = "explorer: could not import "  # then the target and the traceback
SUMMARY = "explorer: import error: "  # then one JSON object: stage, type, message
NOT_AN_APP = "explorer: not an app: "  # then one sentence
EXIT_IMPORT = 3
EXIT_NOT_AN_APP = 4
_MESSAGE_LIMIT = 3000

Call = Tuple[List[Any], Dict[str, Any]]


class TargetSyntaxError(ValueError):
    """The text cannot name an object: the message says what is wrong with it."""


def _chain(node: ast.expr) -> List[str]:
    """``a.b.c`` as ``["a", "b", "c"]``; anything else is refused."""
    names: List[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise TargetSyntaxError("the part after ':' must be a name, a dotted name or a call of one")
    names.append(node.id)
    return names[::-1]


def parse_target(text: str) -> Tuple[str, List[str], Optional[Call]]:
    """``module``, the attribute path and the call's literal arguments (None: no call) of a target."""
    module, colon, expression = text.strip().partition(":")
    parts = module.split(".")
    if not colon or not all(part.isidentifier() for part in parts):
        raise TargetSyntaxError("it must look like MODULE:APP or MODULE:FACTORY(), e.g. shop:app or blog:create_app()")
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise TargetSyntaxError("the part after ':' is not a Python expression") from None
    if not isinstance(tree, ast.Call):
        return module, _chain(tree), None
    try:
        args = [ast.literal_eval(arg) for arg in tree.args]
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in tree.keywords if kw.arg is not None}
    except ValueError:
        raise TargetSyntaxError("a factory's arguments must be literals, e.g. create_app('testing')") from None
    if any(kw.arg is None for kw in tree.keywords) or any(isinstance(a, ast.Starred) for a in tree.args):
        raise TargetSyntaxError("a factory's arguments must be literals, not *args or **kwargs")
    return module, _chain(tree.func), (args, kwargs)


def _is_factory(obj: Any) -> bool:
    """A plain function every parameter of which has a default: ``create_app`` but not a WSGI callable."""
    if not inspect.isfunction(obj):
        return False
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return False
    kinds = inspect.Parameter
    required = (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
    return all(p.default is not inspect.Parameter.empty for p in params if p.kind in required)


def find(module_name: str, names: List[str]) -> Any:
    """Import the module and follow the attribute path; the user's exceptions propagate."""
    obj: Any = importlib.import_module(module_name)
    for index, name in enumerate(names):
        if not hasattr(obj, name):
            where = module_name + ("." + ".".join(names[:index]) if index else "")
            raise AttributeError(f"{where} has no attribute {name!r}")
        obj = getattr(obj, name)
    return obj


def call(obj: Any, arguments: Optional[Call]) -> Any:
    """Call a factory: with the target's arguments, or with none when it is a bare factory."""
    if arguments is not None:
        return obj(*arguments[0], **arguments[1])
    return obj() if _is_factory(obj) else obj


def _class_names(obj: Any) -> List[str]:
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in type(obj).__mro__]


def describe(obj: Any) -> str:
    """What an object is, in a few words: 'a Flask app (WSGI)', 'a FastAPI app (ASGI)', 'a str'."""
    names = _class_names(obj)
    if "flask.app.Flask" in names:
        return "a Flask app (WSGI)"
    if "fastapi.applications.FastAPI" in names:
        return "a FastAPI app (ASGI)"
    if "starlette.applications.Starlette" in names:
        return "a Starlette app (ASGI)"
    if inspect.ismodule(obj):
        return f"the module {obj.__name__}"
    if inspect.isclass(obj):
        return f"the class {obj.__qualname__}"
    return f"a {type(obj).__qualname__}"


def problem(obj: Any, framework: Optional[str]) -> Optional[str]:
    """Why ``obj`` cannot be served as ``framework``'s app, or None when it can."""
    what = describe(obj)
    if inspect.ismodule(obj) or inspect.isclass(obj) or not callable(obj):
        return f"it is {what}, not an app"
    if framework == "flask" and "(ASGI)" in what:
        return f"it is {what}, not a Flask app: give it as the FastAPI app instead"
    if framework == "fastapi" and "(WSGI)" in what:
        return f"it is {what}, not an ASGI app such as FastAPI: give it as the Flask app instead"
    return None


def _summary(stage: str, exc: BaseException) -> str:
    message = str(exc)
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + " …"
    return SUMMARY + json.dumps({"stage": stage, "type": type(exc).__name__, "message": message})


def load_app(target: str, framework: Optional[str] = None) -> Any:
    """The app, checked for ``framework``; a failure is printed for the log and ends the process.

    The summary line names the stage that failed: ``import`` (the module or the attribute) or
    ``factory`` (calling it).
    """
    stage = "import"
    try:
        module_name, names, arguments = parse_target(target)
        obj = find(module_name, names)
        stage = "factory"
        app = call(obj, arguments)
    except BaseException as exc:  # noqa: BLE001 - anything the user's module raises goes to the log
        print(f"{IMPORT_FAILED}{target}:", flush=True)
        traceback.print_exc(file=sys.stdout)
        print(_summary(stage, exc), flush=True)
        sys.stdout.flush()
        os._exit(EXIT_IMPORT)
    reason = problem(app, framework)
    if reason is not None:
        print(f"{NOT_AN_APP}{target}: {reason}", flush=True)
        os._exit(EXIT_NOT_AN_APP)
    return app
