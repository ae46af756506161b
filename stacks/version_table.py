"""The README's table of what each Kubernetes minor installs, made from the install plan's list of add-ons.

`python -m stacks.version_table` prints it; tests/stacks/test_version_table.py keeps the README's copy equal to it.
"""
from __future__ import annotations

from domain.component_versions import KUBECTL_LAYER, KUBERNETES_VERSIONS
from stacks.install_plan import ADD_ONS


def version_table() -> str:
    """One row per pinned release, one column per Kubernetes minor; each row says where its support comes from."""
    minors = list(KUBERNETES_VERSIONS)
    rows = [("kubectl layer", [f"kubectl {minor}, layer {KUBECTL_LAYER[minor].version.split('==')[-1]}" for minor in minors],
             KUBECTL_LAYER[minors[-1]].source)]
    for add_on in ADD_ONS:
        by_minor = [add_on.versions(minor) for minor in minors]
        if not any(by_minor):
            continue  # an EKS add-on whose version EKS picks for the cluster (node monitoring agent, Container Insights)
        name = by_minor[-1][0].name
        sources = dict.fromkeys(component.source for components in by_minor for component in components)
        rows.append((f"{name} (`{add_on.name}`)", [", ".join(c.version for c in components) for components in by_minor],
                     "; ".join(sources)))
    lines = ["| release | " + " | ".join(f"Kubernetes {minor}" for minor in minors) + " | supported because |",
             "|---|" + "---|" * len(minors) + "---|"]
    lines += [f"| {name} | " + " | ".join(f"`{v}`" for v in versions) + f" | {source} |" for name, versions, source in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(version_table())
