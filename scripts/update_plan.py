"""What deploying one template over another does, resource by resource, and whether CloudFormation would accept it.

Two sources answer, neither of them a table kept here:
- the CDK CLI's diff engine (@aws-cdk/cloudformation-diff, run by scripts/template_diff.js) says which resources are
  added, updated in place, replaced or removed, and by which property;
- CloudFormation's registry schemas (the copies cfn-lint ships) say which properties name a resource: the writable
  parts of its primary identifier, and its create-only `Name`/`<Type>Name` property.

CloudFormation replaces a resource by creating the new one before it deletes the old; when both would carry the same
custom name it refuses the update ("You can't perform an update that causes a custom-named resource to be replaced",
CloudFormation template reference, "Name type"). `DeletionPolicy` decides what a removal does, `UpdateReplacePolicy`
what happens to the old resource of a replacement.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
DIFF_SCRIPT = ROOT / "scripts" / "template_diff.js"
# The Node.js package.json pins, whatever the PATH: the pipeline's plan check runs this script directly, not through make,
# on a build image whose own Node.js is another release.
NODE = ROOT / "node_modules" / ".bin" / "node"

Template = Mapping[str, Any]

# What each kind of resource holds that a user cannot get back once it is replaced or deleted.
DATA_BEARING = {
    "AWS::EKS::Cluster": "the cluster and everything running in it",
    "AWS::SQS::Queue": "the messages waiting in it",
    "AWS::KMS::Key": "what it encrypted",
    "AWS::SecretsManager::Secret": "the credentials it holds",
}
KEPT = ("Retain", "RetainExceptOnCreate", "Snapshot")


@dataclass(frozen=True)
class ResourceChange:
    logical_id: str
    type: str
    action: str  # create, update, replace, delete, keep (removed from the stack, kept in the account)
    replacing: tuple[str, ...] = ()  # the properties whose change replaces it
    collision: tuple[str, ...] = ()  # name properties the old and the new resource would share: the update fails
    old_name: str | None = None  # its name property, where the template spells it out
    new_name: str | None = None
    old_kept: bool = False  # a replacement keeps the old resource in the account (UpdateReplacePolicy Retain)
    refusal: str | None = None  # why the service would refuse the update, where it is not the name

    @property
    def fails(self) -> bool:
        return bool(self.collision) or self.refusal is not None

    @property
    def name_change(self) -> str:
        """`test-eks`, `a -> b` or empty: which resource this is, in the words a user knows it by."""
        if self.old_name and self.new_name and self.old_name != self.new_name:
            return f"{self.old_name} -> {self.new_name}"
        return self.old_name or self.new_name or ""

    @property
    def holds(self) -> str | None:
        """What this resource holds that a replacement or a deletion takes away from the stack; None if nothing."""
        if self.action in ("replace", "delete"):
            return DATA_BEARING.get(self.type)
        return None

    @property
    def stops(self) -> bool:
        """The deploy must not go ahead as it is: CloudFormation would refuse it, or it would lose data."""
        return self.fails or self.holds is not None

    def sentence(self) -> str:
        what = f"{self.logical_id} ({self.type}{' ' + self.name_change if self.name_change else ''})"
        if self.refusal:
            return f"{what}: {self.refusal}"
        if self.action == "create":
            return f"{what}: created"
        if self.action == "update":
            return f"{what}: updated in place"
        if self.action == "keep":
            return f"{what}: removed from the stack, kept in the account (DeletionPolicy Retain)"
        if self.action == "delete":
            loss = f": {self.holds} is lost" if self.holds else ""
            return f"{what}: deleted{loss}"
        by = ", ".join(self.replacing) or "a replaced resource it refers to"
        if self.fails:
            return (f"{what}: must be replaced ({by} changed) but keeps its custom {', '.join(self.collision)}; CloudFormation "
                    "refuses the update. Rename it, or make its name change with those properties")
        if self.old_kept:
            loss = f"; the old one is kept outside the stack (UpdateReplacePolicy Retain) with {self.holds}" if self.holds else ""
            return f"{what}: replaced ({by} changed), the new one created first{loss}"
        loss = f"; {self.holds} is lost with the old one" if self.holds else ""
        return f"{what}: replaced ({by} changed), the new one created before the old is deleted{loss}"


@lru_cache(maxsize=None)
def _schema(resource_type: str) -> Mapping[str, Any] | None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # imported here: it loads for a second, and only a plan needs it
    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except Exception:  # noqa: BLE001 - a custom or unknown type: no schema, so no names CloudFormation would check
        return None
    return schema if isinstance(schema, dict) else None


def create_only(resource_type: str) -> list[str] | None:
    """The schema's create-only properties as `Property` or `Property/Sub/...` paths; None for a type it does not know."""
    schema = _schema(resource_type)
    if schema is None:
        return None
    return [path.removeprefix("/properties/") for path in schema.get("createOnlyProperties", [])]


def name_properties(resource_type: str) -> tuple[str, ...]:
    """Top-level properties that name a resource of this type, from its registry schema."""
    schema = _schema(resource_type)
    if schema is None:
        return ()
    read_only = {p.split("/")[-1] for p in schema.get("readOnlyProperties", [])}
    create_only = {p.split("/")[-1] for p in schema.get("createOnlyProperties", []) if p.count("/") == 2}
    identifiers = {p.split("/")[-1] for p in schema.get("primaryIdentifier", []) if p.count("/") == 2} - read_only
    kind = resource_type.split("::")[-1]
    own_name = {p for p in create_only if p == "Name" or (p.endswith("Name") and kind.endswith(p[:-len("Name")]))}
    return tuple(sorted((identifiers & create_only) | own_name))


def identity(resource_type: str) -> tuple[str, ...]:
    """What must differ between an old and a new resource of this type for both to exist at once: its names, and for the EKS
    types that live inside a cluster (nodegroups, add-ons, access entries) the cluster they are named in."""
    names = name_properties(resource_type)
    schema = _schema(resource_type) or {}
    scoped = "/properties/ClusterName" in schema.get("createOnlyProperties", []) and resource_type != "AWS::EKS::Cluster"
    return tuple(sorted({*names, "ClusterName"})) if names and scoped else names


def _literal_name(resource: Mapping[str, Any] | None) -> str | None:
    """The resource's own name where the template spells it out (a nodegroup's, not its cluster's)."""
    if resource is None:
        return None
    properties, kind = resource.get("Properties", {}), resource["Type"].split("::")[-1]
    names = sorted(name_properties(resource["Type"]), key=lambda p: not (p == "Name" or kind.endswith(p[:-len("Name")] or "-")))
    return next((properties[p] for p in names if isinstance(properties.get(p), str)), None)


def _refers_to(value: Any, logical_ids: set[str]) -> bool:
    if isinstance(value, list):
        return any(_refers_to(item, logical_ids) for item in value)
    if isinstance(value, dict):
        if value.get("Ref") in logical_ids:
            return True
        target = value.get("Fn::GetAtt")
        if target is not None and (target[0] if isinstance(target, list) else str(target).split(".")[0]) in logical_ids:
            return True
        return any(_refers_to(item, logical_ids) for item in value.values())
    return False


def _action(impact: str, old: Mapping[str, Any] | None) -> str:
    if impact in ("WILL_REPLACE", "MAY_REPLACE"):
        return "replace"
    if impact in ("WILL_DESTROY", "WILL_ORPHAN"):
        return "keep" if old is not None and old.get("DeletionPolicy") in KEPT else "delete"
    if impact in ("WILL_CREATE", "WILL_IMPORT"):
        return "create"
    return "update"


def _minor(version: Any) -> int | None:
    if isinstance(version, str) and version.count(".") == 1 and all(part.isdigit() for part in version.split(".")):
        return int(version.split(".")[1])
    return None


def _version_refusal(resource_type: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """EKS moves a cluster one Kubernetes minor up at a time, never down (EKS user guide, update-cluster)."""
    if resource_type != "AWS::EKS::Cluster":
        return None
    old, new = _minor(before.get("Version")), _minor(after.get("Version"))
    if old is None or new is None or new - old in (0, 1):
        return None
    return (f"Kubernetes {before['Version']} -> {after['Version']}: EKS moves a cluster one minor up at a time and never down, "
            "so it refuses the update. Deploy each minor in turn")


def classify(old: Template, new: Template, engine_changes: Mapping[str, Mapping[str, Any]]) -> list[ResourceChange]:
    """One ResourceChange per resource the diff engine found changed, in the new template's order, removals last."""
    old_resources, new_resources = old.get("Resources", {}), new.get("Resources", {})
    replaced = {rid for rid, c in engine_changes.items() if c["impact"] in ("WILL_REPLACE", "MAY_REPLACE")}
    changes = []
    for logical_id, change in engine_changes.items():
        if change["type"] == "AWS::CDK::Metadata":  # the CDK's usage report: nothing a deploy does to the account
            continue
        # A type the engine has no specification for (a custom resource) changes with impact NO_CHANGE: CloudFormation
        # sends its handler an update.
        action = _action(change["impact"], old_resources.get(logical_id))
        collision: tuple[str, ...] = ()
        if action == "replace":
            before = old_resources[logical_id].get("Properties", {})
            after = new_resources[logical_id].get("Properties", {})
            same = [p for p in identity(change["type"])
                    if before.get(p) == after.get(p) and not _refers_to(after.get(p), replaced)]
            if same and len(same) == len(identity(change["type"])) and any(p in before for p in same):
                collision = tuple(p for p in same if p in name_properties(change["type"]))
        old_resource, new_resource = old_resources.get(logical_id), new_resources.get(logical_id)
        refusal = None
        if old_resource is not None and new_resource is not None:
            refusal = _version_refusal(change["type"], old_resource.get("Properties", {}), new_resource.get("Properties", {}))
        changes.append(ResourceChange(logical_id, change["type"], action, tuple(change.get("replacing", ())), collision,
                                      _literal_name(old_resource), _literal_name(new_resource),
                                      old_kept=old_resource is not None and old_resource.get("UpdateReplacePolicy") in KEPT,
                                      refusal=refusal))
    order = {rid: i for i, rid in enumerate([*new_resources, *old_resources])}
    return sorted(changes, key=lambda c: (c.action in ("delete", "keep"), order.get(c.logical_id, 0)))


def engine_changes(pairs: Sequence[tuple[Template, Template]]) -> list[dict[str, dict[str, Any]]]:
    """The diff engine's verdict on each (old, new) pair, in one Node.js process."""
    if not pairs:
        return []
    if not NODE.is_file() or not (ROOT / "node_modules" / "@aws-cdk" / "cloudformation-diff").is_dir():
        raise RuntimeError("the CDK diff engine is not installed: run `make install` (it installs package.json's packages)")
    types = {r["Type"] for old, new in pairs for r in [*old.get("Resources", {}).values(), *new.get("Resources", {}).values()]}
    known = {t: paths for t in sorted(types) if (paths := create_only(t)) is not None}
    payload = json.dumps({"pairs": [{"old": dict(old), "new": dict(new)} for old, new in pairs], "createOnly": known})
    result = subprocess.run([str(NODE), str(DIFF_SCRIPT)], input=payload, capture_output=True, text=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        last_line = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit status {result.returncode}"
        raise RuntimeError(f"the CDK diff engine failed: {last_line}")
    changes = json.loads(result.stdout)
    if not isinstance(changes, list) or len(changes) != len(pairs):
        raise RuntimeError(f"the CDK diff engine answered no verdict for each of the {len(pairs)} template pairs")
    return changes


def plan(pairs: Sequence[tuple[Template, Template]]) -> list[list[ResourceChange]]:
    """For each (deployed, next) pair of templates, what the deploy would do."""
    return [classify(old, new, changes) for (old, new), changes in zip(pairs, engine_changes(pairs), strict=True)]


def stoppers(changes: Iterable[ResourceChange]) -> list[ResourceChange]:
    return [c for c in changes if c.stops]
