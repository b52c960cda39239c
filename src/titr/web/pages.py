"""Page routes of the dashboard and the `/static` mount.

`/` redirects to `/{lang}/`, the language taken from the `titr_lang` cookie (the last choice),
else from Accept-Language, else English. `/{lang}/` renders the single-page dashboard for
en | ru | tr and remembers the choice in the cookie; any other language gives a 404 page that
links the three dashboards.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from titr.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    format_day,
    js_plurals,
    js_strings,
    locale_conventions,
    translations,
)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_URL = "/static"
LANG_COOKIE = "titr_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# ES modules must be served as JavaScript, or the browser refuses them.
mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: str) -> Environment:
    """One Jinja2 environment per language (gettext installed once, so concurrent requests in
    different languages never share a catalogue)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=False)  # type: ignore[attr-defined]
    return env


def page_config(lang: str) -> dict[str, Any]:
    """What the JavaScript needs: language, UI strings from the catalogue, CLDR conventions."""
    conv = locale_conventions(lang)
    return {
        "lang": lang,
        "languages": list(LANGUAGES),
        "api": "/api",
        "static": STATIC_URL,
        "strings": js_strings(lang),
        "plurals": js_plurals(lang),
        "plural_categories": conv["plural_categories"],
        "d3_number": conv["d3_number"],
        "countries": conv["countries"],
        "cookie": LANG_COOKIE,
    }


def render(template: str, lang: str, **ctx: Any) -> str:
    env = environment(lang)
    return env.get_template(template).render(
        lang=lang, languages=LANGUAGES, language_names=LANGUAGE_NAMES, static=STATIC_URL, **ctx
    )


def _remember(resp: Response, lang: str) -> Response:
    resp.set_cookie(LANG_COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="lax", path="/")
    return resp


router = APIRouter(include_in_schema=False)


@router.get("/")
def root(request: Request) -> RedirectResponse:
    from titr.web.i18n import best_language

    lang = request.cookies.get(LANG_COOKIE)
    if lang not in LANGUAGES:
        lang = best_language(request.headers.get("accept-language"))
    return RedirectResponse(f"/{lang}/", status_code=307)


def _page(lang: str) -> HTMLResponse:
    html = render(
        "index.html", lang, config=page_config(lang), today=format_day(dt.date.today(), lang)
    )
    return _remember(HTMLResponse(html, headers={"Cache-Control": "no-cache"}), lang)  # type: ignore[return-value]


for _code in LANGUAGES:
    # explicit routes per language, so that the page never shadows an API path
    router.add_api_route(
        f"/{_code}/",
        (lambda c: lambda: _page(c))(_code),
        methods=["GET"],
        response_class=HTMLResponse,
        name=f"page_{_code}",
    )
    router.add_api_route(
        f"/{_code}",
        (lambda c: lambda: RedirectResponse(f"/{c}/", 307))(_code),
        methods=["GET"],
        name=f"page_{_code}_noslash",
    )


@router.get("/{lang}/", response_class=HTMLResponse)
def unknown_language(lang: str) -> HTMLResponse:
    html = render("notfound.html", DEFAULT_LANGUAGE, requested=lang[:20])
    return HTMLResponse(html, status_code=404)


def mount(app: FastAPI) -> None:
    """Add the dashboard pages and `/static` to `app` (idempotent)."""
    if getattr(app.state, "titr_web_mounted", False):
        return
    app.state.titr_web_mounted = True
    app.mount(STATIC_URL, StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(router)
