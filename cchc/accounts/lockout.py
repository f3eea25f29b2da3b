"""Login throttling rules on top of django-axes (``AXES_HANDLER``).

Two independent limits, both counted over the cool-off window:

- an **account** locks after ``AXES_FAILURE_LIMIT`` failures, from any address;
- an **address** locks after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures, whatever accounts they named (spraying).

A successful login clears the failures recorded for *its own account* only. django-axes' own reset deletes every
attempt matching any lockout parameter, so a success from an address wiped the failures of every account tried
from it: an attacker could interleave wrong guesses at one account with correct logins to another and never lock
the first one.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest


def address_failure_limit() -> int:
    return int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", axes_settings.AXES_FAILURE_LIMIT))


def _recent(attempts: QuerySet[AccessAttempt], request: HttpRequest) -> QuerySet[AccessAttempt]:
    if axes_settings.AXES_COOLOFF_TIME is None:
        return attempts
    return attempts.filter(attempt_time__gte=get_cool_off_threshold(request))


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountLockoutHandler(AxesDatabaseHandler):
    """The database handler with per-account reset on success and a separate per-address limit."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures that count against this login: the account's, or the full limit once the address is over its own.

        django-axes compares this number with ``AXES_FAILURE_LIMIT`` (the account limit), so an address over its
        limit reports that limit and is refused like a locked account.
        """
        username = get_client_username(request, credentials)
        account = _failures(_recent(AccessAttempt.objects.filter(username=username), request)) if username else 0
        address = _failures(_recent(AccessAttempt.objects.filter(ip_address=request.axes_ip_address), request))  # type: ignore[attr-defined]
        if address >= address_failure_limit():
            return max(account, get_failure_limit(request, credentials))
        return account

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Forget the failures of the account that just signed in, from every address, and nobody else's."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
