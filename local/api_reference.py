"""The API reference page (docs/api.html, served at deskless.edge.API_DOCS_PATH), made from the
OpenAPI document alone: every operation by function, who may call it, its parameters, its request
body's fields, its answers and errors, then every schema.

The page has no script and no inline style, so the static files' Content-Security-Policy serves it
as it is; its style sheet is web/reference/reference.css. The template (api_reference.html, beside
this module) escapes every value (Jinja2's autoescape); the few filters here build their HTML from
escaped parts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from deskless.edge import OPENAPI_PATH, STATIC_PATH

TEMPLATE = "api_reference.html"
STYLE_SHEET = f"{STATIC_PATH}reference/reference.css"  # web/reference/reference.css
REFS = "#/components/schemas/"
METHODS = ("get", "post", "put", "patch", "delete")
_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*([^*]+)\*\*")


def reference_page(described: Mapping[str, Any]) -> str:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(type=type_of, text=text, anchor=anchor)
    return environment.get_template(TEMPLATE).render(
        api=described,
        groups=operations_by_tag(described),
        schemas=sorted(described["components"]["schemas"].items()),
        document_path=OPENAPI_PATH,
        style_sheet=STYLE_SHEET,
        credentials=credentials,
        fields=fields_of,
        body_schema=body_schema,
    )


def operations_by_tag(described: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], list[dict[str, Any]]]]:
    """Each tag (a function) with its operations, in path order: (tag, [{method, path, operation}])."""
    groups: list[tuple[Mapping[str, Any], list[dict[str, Any]]]] = []
    for tag in described["tags"]:
        found = [
            {"method": method.upper(), "path": path, "operation": operations[method]}
            for path, operations in sorted(described["paths"].items())
            for method in METHODS
            if method in operations and tag["name"] in operations[method]["tags"]
        ]
        groups.append((tag, found))
    return groups


def credentials(operation: Mapping[str, Any], described: Mapping[str, Any]) -> str:
    """What a caller presents, in words, from the operation's security requirements."""
    schemes = described["components"]["securitySchemes"]
    said = []
    for requirement in operation["security"]:
        for name, roles in requirement.items():
            scheme = schemes[name]
            if scheme["type"] == "apiKey":
                said.append(f"an API key in the {scheme['name']} header")
            else:
                said.append(f"a {scheme['scheme']} token: {' or '.join(roles)}".replace("_", " "))
    return " or ".join(said) if said else "none"


def body_schema(operation: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """The request body's media type and schema, if the operation takes one."""
    content = operation.get("requestBody", {}).get("content", {})
    return next(((media_type, media.get("schema", {})) for media_type, media in content.items()), None)


def fields_of(schema: Mapping[str, Any], described: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields of an object schema (following a reference, and an optional one: `X or null`)."""
    resolved = _resolved(schema, described)
    required = set(resolved.get("required", []))
    return [
        {"name": name, "schema": field, "required": name in required}
        for name, field in resolved.get("properties", {}).items()
    ]


def _resolved(schema: Mapping[str, Any], described: Mapping[str, Any]) -> Mapping[str, Any]:
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema = options[0]
    ref = schema.get("$ref", "")
    if ref.startswith(REFS):
        found: Mapping[str, Any] = described["components"]["schemas"][ref[len(REFS) :]]
        return found
    return schema


def anchor(name: str) -> str:
    """An id for an operation or a schema: letters, digits, '.', '-' and '_' only."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def type_of(schema: Mapping[str, Any]) -> Markup:
    """A schema in a few words, schemas named by a link to their section."""
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(REFS)
        return Markup('<a href="#schema-{}">{}</a>').format(anchor(name), name)
    for combined, joiner in (("anyOf", _OR), ("oneOf", _OR), ("allOf", _AND)):
        if combined in schema:
            return joiner.join(type_of(option) for option in schema[combined]) + _restrictions(schema)
    if "enum" in schema:
        return Markup("one of ") + Markup(", ").join(Markup("<code>{}</code>").format(v) for v in schema["enum"])
    if "const" in schema:
        return Markup("<code>{}</code>").format(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        words = Markup("array of ") + type_of(schema.get("items", {}))
    else:
        words = escape(kind if isinstance(kind, str) else " or ".join(kind))
    if "format" in schema:
        words += Markup(" ({})").format(schema["format"])
    return words + _restrictions(schema)


_OR, _AND = Markup(" or "), Markup(" and ")
_RESTRICTIONS = (
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("minimum", "at least {}"),
    ("maximum", "at most {}"),
    ("exclusiveMinimum", "more than {}"),
    ("exclusiveMaximum", "less than {}"),
    ("pattern", "matching {}"),
    ("default", "default {}"),
)


def _restrictions(schema: Mapping[str, Any]) -> Markup:
    said = [text.format(_plain(schema[key])) for key, text in _RESTRICTIONS if key in schema]
    return Markup("; {}").format(", ".join(said)) if said else Markup("")


def _plain(value: Any) -> Any:
    """A number as people write it: 1, not 1.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def text(words: str) -> Markup:
    """A description's few marks: paragraphs, `- ` lists, `code` and **strong**; the rest escaped."""
    blocks = []
    for block in str(words).strip().split("\n\n"):
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            items = Markup("").join(Markup("<li>{}</li>").format(_inline(line[2:])) for line in lines)
            blocks.append(Markup("<ul>{}</ul>").format(items))
        else:
            blocks.append(Markup("<p>{}</p>").format(_inline(" ".join(lines))))
    return Markup("\n").join(blocks)


def _inline(words: str) -> Markup:
    escaped = str(escape(words))
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    return Markup(_STRONG.sub(r"<strong>\1</strong>", escaped))  # noqa: S704  # marks around escaped text
