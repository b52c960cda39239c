"""Volumes against targets: indicator series, target progress and trend forecasts bounded by
the corridor's capacity path."""

from titr.indicators.capacity import CapacityPath, capacity_path
from titr.indicators.forecast import (
    Forecast,
    SeriesInfo,
    TargetProgress,
    forecast,
    series,
    series_info,
    target_progress,
)

__all__ = [
    "CapacityPath",
    "Forecast",
    "SeriesInfo",
    "TargetProgress",
    "capacity_path",
    "forecast",
    "series",
    "series_info",
    "target_progress",
]
