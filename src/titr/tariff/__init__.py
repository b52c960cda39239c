"""Through tariffs: component sums broken down by country, operator and component."""

from titr.tariff.through import PER_CHOICES, TariffLine, TariffReport, per_factor, through_tariff

__all__ = ["PER_CHOICES", "TariffLine", "TariffReport", "per_factor", "through_tariff"]
