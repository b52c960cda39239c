"""Offline web dashboard: Jinja2 pages in English, Russian and Turkish, a MapLibre corridor map
and Vega-Lite charts, all served from files vendored into the package (no CDN, no tile server).

`mount(app)` adds the page routes (`/` → `/{lang}/`, `/{lang}/` for en|ru|tr) and `/static`
to a FastAPI app; the pages read the JSON API under `/api`.
"""

from titr.web.i18n import LANGUAGES
from titr.web.pages import mount

__all__ = ["LANGUAGES", "mount"]
