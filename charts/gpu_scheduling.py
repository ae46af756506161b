"""How GPU nodes are marked, shared by the nodegroup (which sets them) and the charts (which select on them)."""
from __future__ import annotations

# Label set on every node of the GPU nodegroup. The name is the one NVIDIA's own
# feature discovery uses, so NVIDIA tooling added later selects the same nodes.
GPU_NODE_LABEL_KEY = "nvidia.com/gpu.present"
GPU_NODE_LABEL_VALUE = "true"
GPU_NODE_SELECTOR: dict[str, str] = {GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE}

# Taint on GPU nodes when system nodes exist, so only GPU work lands there.
GPU_TAINT_KEY = "nvidia.com/gpu"
GPU_TAINT_VALUE = "true"
GPU_TAINT_EFFECT = "NoSchedule"

# Extended resource the device plugin advertises.
GPU_RESOURCE = "nvidia.com/gpu"

# Toleration for pods that belong on GPU nodes (harmless where the taint is absent).
GPU_TOLERATION: dict[str, str] = {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": GPU_TAINT_EFFECT}
