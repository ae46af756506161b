"""Helpers for asserting on Kubernetes objects: find by kind and name, validate strictly."""
from __future__ import annotations

from typing import Any, Iterable

import kubernetes_validate

from tests import crd_fields

Manifest = dict[str, Any]


def find(objects: Iterable[Manifest], kind: str, name: str) -> Manifest:
    """The one object of this kind and name; fails loudly when missing or duplicated."""
    matches = [o for o in objects if o.get("kind") == kind and o.get("metadata", {}).get("name") == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)} in {names(objects)}"
    return matches[0]


def names(objects: Iterable[Manifest]) -> list[str]:
    """`Kind/name` of every object, for messages and set comparisons."""
    return [f"{o.get('kind')}/{o.get('metadata', {}).get('name')}" for o in objects]


def validate_strict(objects: Iterable[Manifest], kubernetes_version: str) -> None:
    """Schema-check built-in objects for the cluster's minor version (e.g. "1.36"), strict mode.

    Custom resources have no schema in kubernetes-validate: objects of the API groups in
    CUSTOM_RESOURCE_GROUPS are checked against their CRD's required fields instead
    (`tests/crd_fields.py`); any other object without a schema fails.
    """
    for obj in objects:
        if obj.get("apiVersion", "").split("/")[0] in crd_fields.CUSTOM_RESOURCE_GROUPS:
            crd_fields.check_required(obj)
            continue
        try:
            kubernetes_validate.validate(obj, f"{kubernetes_version}.0", strict=True)
        except kubernetes_validate.ValidationError as err:  # re-raise with the object's name
            raise AssertionError(f"{names([obj])[0]} is invalid for Kubernetes {kubernetes_version}: {err.message} at {list(err.path)}") from err
