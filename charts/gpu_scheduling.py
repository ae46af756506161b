"""How GPU nodes are marked, shared by the nodegroup (which sets them) and the charts (which select on them)."""
from __future__ import annotations

# Label set on every node of the GPU nodegroup. The name is the one NVIDIA's own
# feature discovery uses, so NVIDIA tooling added later selects the same nodes.
GPU_NODE_LABEL_KEY = "nvidia.com/gpu.present"
GPU_NODE_LABEL_VALUE = "true"
GPU_NODE_SELECTOR: dict[str, str] = {GPU_NODE_LABEL_KEY: GPU_NODE_LABEL_VALUE}

# cluster-autoscaler's AWS GPU label: a node with it is a GPU node even before the device plugin
# advertises its GPUs, so the autoscaler waits instead of adding a second node.
ACCELERATOR_LABEL_KEY = "k8s.amazonaws.com/accelerator"

# Taint on GPU nodes when system nodes exist, so only GPU work lands there.
GPU_TAINT_KEY = "nvidia.com/gpu"
GPU_TAINT_VALUE = "true"
GPU_TAINT_EFFECT = "NoSchedule"

# Extended resource the device plugin advertises.
GPU_RESOURCE = "nvidia.com/gpu"

# Toleration for pods that belong on GPU nodes (harmless where the taint is absent).
GPU_TOLERATION: dict[str, str] = {"key": GPU_TAINT_KEY, "operator": "Exists", "effect": GPU_TAINT_EFFECT}

# Label on the system (CPU) nodegroup: cluster add-ons that must never sit on a GPU node the
# autoscaler may remove select on it.
SYSTEM_NODE_LABEL_KEY = "studio-go-runner/node-pool"
SYSTEM_NODE_LABEL_VALUE = "system"
SYSTEM_NODE_SELECTOR: dict[str, str] = {SYSTEM_NODE_LABEL_KEY: SYSTEM_NODE_LABEL_VALUE}
