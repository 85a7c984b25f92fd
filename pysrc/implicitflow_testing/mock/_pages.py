"""The mock's HTML pages, from the templates in templates/: the consent page and the
authorization error page. Every value is HTML-escaped before it goes into a page."""

from __future__ import annotations

import functools
import html
from pathlib import Path
from string import Template

from starlette.responses import HTMLResponse

from implicitflow_testing.mock._models import Account, Client

TEMPLATES = Path(__file__).with_name("templates")


@functools.cache
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8").removesuffix("\n"))


def render(name: str, **values: str) -> str:
    """The template `name` with `values`, each HTML-escaped."""
    return template(name).substitute({key: html.escape(value) for key, value in values.items()})


def error_page(error_name: str, description: str | None, status: int = 400) -> HTMLResponse:
    """RFC 6749 4.1.2.1 / 4.2.2.1: an unknown client or a bad redirect_uri gets a page, no redirect."""
    return HTMLResponse(render("error.html", error=error_name, description=description or ""),
                        status_code=status)


def consent_page(client: Client, pairs: list[tuple[str, str]], user: Account) -> HTMLResponse:
    """The consent screen: names the client and the person's account, posts the request back
    with Allow or Deny."""
    hidden = "\n".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in pairs
    )
    body = template("consent.html").substitute(
        client_name=html.escape(client.name), account_name=html.escape(user.name),
        account_email=html.escape(user.email), hidden_fields=hidden)
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})
