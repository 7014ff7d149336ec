"""Seeing inside a network: its computational graph, first-layer filters, feature maps,
weight and gradient histograms over training, and a trace of the backward pass.

Every picture is one function call that writes a PNG (with matplotlib, headless) and
returns its path; ``to_dot`` and ``trace`` need only NumPy.
"""

from tinydl.viz.graph import GraphvizNotInstalledError, render_graph, to_dot
from tinydl.viz.histograms import Histogram, HistogramRecorder, plot_histograms
from tinydl.viz.layers import conv_layers, feature_maps, plot_feature_maps, plot_filters
from tinydl.viz.trace import InputGradient, TraceStep, summarize, trace, trace_backward

__all__ = [
    "GraphvizNotInstalledError",
    "Histogram",
    "HistogramRecorder",
    "InputGradient",
    "TraceStep",
    "conv_layers",
    "feature_maps",
    "plot_feature_maps",
    "plot_filters",
    "plot_histograms",
    "render_graph",
    "summarize",
    "to_dot",
    "trace",
    "trace_backward",
]
