"""The one manifest applier: every cdk8s chart reaches the cluster through it, in order, and is written to dist/."""
from __future__ import annotations

import fcntl
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import cdk8s
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct, IConstruct


@dataclass(frozen=True)
class AppliedChart:
    """A chart as applied to the cluster, and as written to dist/ for review."""
    file_name: str
    chart: cdk8s.Chart
    objects: list[Any]  # the chart's objects as applied: dist/ shows exactly these, and rendering them twice costs time
    manifest: eks.KubernetesManifest


class ManifestApplier(Construct):
    """Applies charts built on `k8s_app` as KubernetesManifests, each after what it must wait for, numbered in apply order.

    Its scope also holds what is installed beside the charts (add-ons, their Pod Identity roles): the stack created
    all of it under id `Workloads` first, and construct paths are logical ids, so they stay where they were deployed.
    """

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster) -> None:
        super().__init__(scope, id)
        self.cluster = cluster
        self.k8s_app = cdk8s.App()
        self.applied: list[AppliedChart] = []

    def apply(self, name: str, chart: cdk8s.Chart, *, after: Sequence[IConstruct | None] = ()) -> eks.KubernetesManifest:
        """`name` is the chart's file name in dist/ (`NN-<name>.k8s.yaml`); `None` in `after` is skipped (a piece not installed)."""
        objects = chart.to_json()
        manifest = eks.KubernetesManifest(self, _construct_id(name), cluster=self.cluster, manifest=objects,
                                          overwrite=True)  # apply, not create: adopts objects a runbook made by hand
        for dependency in after:
            if dependency is not None:
                manifest.node.add_dependency(dependency)
        self.applied.append(AppliedChart(f"{len(self.applied):02d}-{name}.k8s.yaml", chart, objects, manifest))
        return manifest

    def write(self, directory: Path) -> list[Path]:
        """Every chart as `NN-<name>.k8s.yaml` in `directory` (for review, or `kubectl apply -f dist/`), replacing older ones.

        Holds a lock on the directory meanwhile: two synths writing one dist/ take turns, so it never mixes their manifests.
        """
        directory.mkdir(parents=True, exist_ok=True)
        with _locked(directory):
            for stale in directory.glob("*.k8s.yaml"):
                stale.unlink()
            written = []
            for applied in self.applied:
                path = directory / applied.file_name
                path.write_text(_readable_tokens(cdk8s.Yaml.stringify(*applied.objects)))
                written.append(path)
        return written


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _readable_tokens(text: str) -> str:
    """Values CloudFormation fills in at deploy time (an env-agnostic account id) shown as `${AWS::AccountId}`."""
    return re.sub(r"\$\{Token\[AWS\.([A-Za-z]+)\.\d+\]\}", r"${AWS::\1}", text)


def _construct_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Manifest"
