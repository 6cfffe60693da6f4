"""The web app's typed client matches the server: no drift, and live frames named like REST.

``web/src/api/openapi.json`` (and the ``schema.d.ts`` generated from it) type every call the
web app makes and every Socket.IO frame it handles. A route or schema change without
``make api-client`` would leave the web app compiling against an API that no longer exists;
a frame field named differently from the REST resource it updates would make the dashboard
rename fields between the two. Both are caught here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from leadpulse.live.frames import LiveFrame, LiveFrames

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "openapi_document.py"
FIX = "web/src/api/openapi.json is out of date: run `make api-client` and commit the result."

# Frame → the REST schema of the same resource, and where a field comes from instead
# (another REST schema, or None: the frame's own, which no REST twin may name differently).
REST_TWINS: dict[str, tuple[str | None, dict[str, str | None]]] = {
    "NewEventFrame": ("EventRead", {"anonymousId": "LeadRead"}),
    "ScoreMutationFrame": ("ScoreMutationOut", {}),
    "LeadUpdatedFrame": ("LeadListItem", {"previousScore": None, "previousStage": None}),
    "LeadMergedFrame": (
        None,
        {"survivorId": None, "mergedId": None, "email": "LeadRead", "mergedAt": None},
    ),
    "AutomationExecutedFrame": ("ExecutionRead", {"action": "AutomationLogOut"}),
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("openapi_document", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _generator()


@pytest.fixture(scope="module")
def document(generator: ModuleType) -> dict[str, Any]:
    built: dict[str, Any] = generator.build()
    return built


def _differences(committed: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """Name what differs: paths and schemas added, removed or changed."""
    found: list[str] = []
    for section, old, new in (
        ("path", committed.get("paths", {}), built.get("paths", {})),
        (
            "schema",
            committed.get("components", {}).get("schemas", {}),
            built.get("components", {}).get("schemas", {}),
        ),
    ):
        for name in sorted(old.keys() | new.keys()):
            if name not in new:
                found.append(f"{section} {name} is gone from the app")
            elif name not in old:
                found.append(f"{section} {name} is new in the app")
            elif old[name] != new[name]:
                found.append(f"{section} {name} changed")
    return found or ["the document differs outside paths and schemas (or only in its layout)"]


def _types(prop: dict[str, Any]) -> set[tuple[str, str | None]]:
    """The JSON types a property allows, with their formats (``anyOf`` flattened)."""
    options = prop.get("anyOf", [prop])
    return {(o.get("type", "object"), o.get("format")) for o in options}


def test_committed_openapi_document_matches_the_app(
    generator: ModuleType, document: dict[str, Any]
) -> None:
    committed_text = generator.TARGET.read_text(encoding="utf-8")

    if committed_text != generator.render(document):
        differences = _differences(json.loads(committed_text), document)
        raise AssertionError(FIX + "\n  " + "\n  ".join(differences[:20]))


def test_every_frame_is_published_under_its_event_name(document: dict[str, Any]) -> None:
    published = document["components"]["schemas"]["LiveFrames"]["properties"]
    by_event = {
        field.alias: field.annotation
        for field in LiveFrames.model_fields.values()
        if field.annotation is not None
    }

    assert set(published) == set(by_event) == {f.EVENT for f in LiveFrame.__subclasses__()}
    for event, frame in by_event.items():
        assert isinstance(frame, type) and issubclass(frame, LiveFrame)
        assert event == frame.EVENT
        assert published[event] == {"$ref": f"#/components/schemas/{frame.__name__}"}


@pytest.mark.parametrize("frame", sorted(REST_TWINS))
def test_frame_fields_are_named_and_typed_like_the_rest_resource(
    document: dict[str, Any], frame: str
) -> None:
    schemas = document["components"]["schemas"]
    twin, elsewhere = REST_TWINS[frame]
    twin_fields = schemas[twin]["properties"] if twin else {}

    for name, prop in schemas[frame]["properties"].items():
        source = elsewhere.get(name, twin)
        if source is None:
            assert name not in twin_fields, f"{frame}.{name} is the frame's own field"
            continue
        rest = schemas[source]["properties"]
        assert name in rest, f"{frame}.{name}: {source} has no field of that name"
        assert _types(prop) <= _types(rest[name]), f"{frame}.{name} is typed unlike {source}"
