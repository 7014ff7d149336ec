"""Seeing inside a network: its computational graph, first-layer filters, feature maps,
weight and gradient histograms over training, and a trace of the backward pass.

Every picture is one function call that writes a PNG (with matplotlib, headless) and
returns its path; ``to_dot`` and ``trace`` need only NumPy. The graph is drawn by Graphviz
where it is installed, else by matplotlib.
"""

from tinydl.viz.graph import Graph, GraphNode, GraphvizNotInstalledError, render_graph, to_dot
from tinydl.viz.histograms import Histogram, HistogramRecorder, plot_histograms
from tinydl.viz.layers import (
    conv_layers,
    dense_layers,
    feature_maps,
    plot_feature_maps,
    plot_filters,
    plot_weight_templates,
    weight_templates,
)
from tinydl.viz.trace import InputGradient, TraceStep, summarize, trace, trace_backward

__all__ = [
    "Graph",
    "GraphNode",
    "GraphvizNotInstalledError",
    "Histogram",
    "HistogramRecorder",
    "InputGradient",
    "TraceStep",
    "conv_layers",
    "dense_layers",
    "feature_maps",
    "plot_feature_maps",
    "plot_filters",
    "plot_histograms",
    "plot_weight_templates",
    "render_graph",
    "summarize",
    "to_dot",
    "trace",
    "trace_backward",
    "weight_templates",
]
