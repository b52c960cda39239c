"""Network + commodity → multimodal graph on CSR arrays."""

from titr.graph.build import build_graph, link_admits, process_admits
from titr.graph.dist import TimeDistribution, Uniform
from titr.graph.model import ARC_KINDS, MultimodalGraph

__all__ = [
    "ARC_KINDS",
    "MultimodalGraph",
    "TimeDistribution",
    "Uniform",
    "build_graph",
    "link_admits",
    "process_admits",
]
