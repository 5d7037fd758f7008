"""Checks requests and responses against Google's official API descriptions.

google-api-python-client ships the discovery documents of Sheets v4 and Drive v3; every
request the test server receives, and every response it sends, is checked here: the method
and path exist, each query parameter is declared, each body field exists with the right type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Method:
    api: str
    name: str
    http: str
    pattern: re.Pattern[str]
    parameters: dict[str, Any]
    request: str | None
    response: str | None
    # The method's media upload (discovery `mediaUpload`): its "simple" protocol's path on the
    # root URL (multipart: metadata and content in one request), the types and size accepted.
    upload: re.Pattern[str] | None = None
    accept: tuple[str, ...] = ()
    max_size: int = 0


@cache
def document(api: str) -> dict[str, Any]:
    folder = resources.files("googleapiclient").joinpath("discovery_cache/documents")
    return json.loads(folder.joinpath(f"{api}.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _regex(path: str) -> str:
    """A discovery path template as a regular expression: each {parameter} one segment."""
    return re.sub(
        r"\{\+?[^}]+\}", r"[^/:]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
    )


def _methods(api: str) -> list[Method]:
    doc = document(api)
    found = []

    def walk(resources_: dict[str, Any], prefix: str) -> None:
        for name, resource in resources_.items():
            for verb, m in resource.get("methods", {}).items():
                path = m.get("flatPath", m["path"])
                regex = _regex(path)
                media = m.get("mediaUpload", {})
                simple = media.get("protocols", {}).get("simple", {})  # uploadType=multipart
                found.append(
                    Method(
                        api,
                        f"{prefix}{name}.{verb}",
                        m["httpMethod"],
                        re.compile(f"/{doc['servicePath']}{regex}$"),
                        m.get("parameters", {}),
                        m.get("request", {}).get("$ref"),
                        m.get("response", {}).get("$ref"),
                        re.compile(f"{_regex(simple['path'])}$")
                        if simple.get("multipart")
                        else None,
                        tuple(media.get("accept", ())),
                        int(media.get("maxSize", 0)),
                    )
                )
            walk(resource.get("resources", {}), f"{prefix}{name}.")

    walk(doc["resources"], "")
    return found


@cache
def methods() -> tuple[Method, ...]:
    return tuple(_methods("sheets.v4") + _methods("drive.v3"))


def find(http: str, path: str) -> Method | None:
    return next((m for m in methods() if m.http == http and m.pattern.match(path)), None)


def find_upload(http: str, path: str) -> Method | None:
    """The method whose multipart media upload path is `path` (Drive v3: /upload/drive/v3/...)."""
    return next(
        (m for m in methods() if m.http == http and m.upload and m.upload.match(path)), None
    )


def check_upload(method: Method, query: dict[str, list[str]], media: str, size: int) -> list[str]:
    """Problems of a media upload: the simple protocol's path takes uploadType=multipart (or
    media, content only); the content's type and size within the method's `mediaUpload`."""
    problems = []
    if query.get("uploadType") not in (["multipart"], ["media"]):
        problems.append(f"{method.name}: upload with uploadType={query.get('uploadType')}")
    if not any(a == "*/*" or a == media for a in method.accept):
        problems.append(f"{method.name}: {media!r} is not in {method.accept}")
    if size > method.max_size:
        problems.append(f"{method.name}: {size} bytes is over {method.max_size}")
    return problems


def check_query(method: Method, query: dict[str, list[str]]) -> list[str]:
    declared = {**document(method.api)["parameters"], **method.parameters}
    problems = []
    for name, values in query.items():
        spec = declared.get(name)
        if spec is None:
            problems.append(f"{method.name}: query parameter {name!r} is not in the API")
        elif len(values) > 1 and not spec.get("repeated"):
            problems.append(f"{method.name}: query parameter {name!r} is not repeatable")
        elif "enum" in spec and any(v not in spec["enum"] for v in values):
            problems.append(f"{method.name}: {name}={values} is not one of {spec['enum']}")
    return problems


def check_body(api: str, schema: str, value: Any, where: str = "") -> list[str]:
    """Problems of `value` against the schema named `schema` (empty when it conforms)."""
    return _check(api, {"$ref": schema}, value, where or schema)


def _check(api: str, spec: dict[str, Any], value: Any, where: str) -> list[str]:
    schemas = document(api)["schemas"]
    if value is None:
        return []  # JSON null is read as "not set" by the API (gspread sends some)
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {value!r}"]
        problems = []
        properties = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                problems += _check(api, properties[key], item, f"{where}.{key}")
            elif extra is not None:
                problems += _check(api, extra, item, f"{where}.{key}")
            else:
                problems.append(f"{where}: unknown field {key!r}")
        return problems
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected an array, got {value!r}"]
        return [
            p
            for i, item in enumerate(value)
            for p in _check(api, spec["items"], item, f"{where}[{i}]")
        ]
    if kind == "string":
        if spec.get("format") in ("int64", "uint64") and isinstance(value, int):
            return []
        if not isinstance(value, str):
            return [f"{where}: expected a string, got {value!r}"]
        if "enum" in spec and value not in spec["enum"]:
            return [f"{where}: {value!r} is not one of {spec['enum']}"]
        return []
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected an integer, got {value!r}"]
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected a number, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean, got {value!r}"]
    return []  # "any"
