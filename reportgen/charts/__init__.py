"""Vega-Lite chart specs built with Altair. Charts encode fields of result models and prepared
series; they compute no statistics. Every builder returns a plain spec dict."""

from reportgen.charts.axis import (
    AxisDensity,
    DensityCell,
    InfeasibleColumn,
    axis_density_plot,
    axis_plot,
)
from reportgen.charts.curves import BandSeries, CurveSeries, training_curve_bands, training_curves
from reportgen.charts.isolation import isolation_plot, retrains_at
from reportgen.charts.timeline import launch_timeline
from reportgen.charts.variance import expected_best_plot, variance_plot

__all__ = [
    "AxisDensity",
    "BandSeries",
    "CurveSeries",
    "DensityCell",
    "InfeasibleColumn",
    "axis_density_plot",
    "axis_plot",
    "expected_best_plot",
    "isolation_plot",
    "launch_timeline",
    "retrains_at",
    "training_curve_bands",
    "training_curves",
    "variance_plot",
]
