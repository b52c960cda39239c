"""Volumes against targets: indicator series, target progress and trend forecasts."""

from titr.indicators.forecast import Forecast, TargetProgress, forecast, series, target_progress

__all__ = ["Forecast", "TargetProgress", "forecast", "series", "target_progress"]
