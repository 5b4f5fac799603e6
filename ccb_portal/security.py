"""The two hooks django-axes calls (ccb_portal/settings.py): whose address a login comes from, and the lockout page."""

import ipaddress
import math

from axes.helpers import get_cool_off
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def forwarded_client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as our TLS proxy saw it (only used with DJANGO_BEHIND_TLS_PROXY).

    The proxy appends that address to X-Forwarded-For; anything before it is whatever the visitor
    chose to send, so only the last entry is believed. Without a valid one, the peer's address.
    """
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response: HttpResponse, credentials: dict | None) -> HttpResponse:
    """429 and a page in the admin's look saying how long to wait, instead of the login form."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    context = {**admin.site.each_context(request), "title": _("Too many failed logins"), "minutes": minutes}
    return render(request, "admin/locked_out.html", context, status=429)
