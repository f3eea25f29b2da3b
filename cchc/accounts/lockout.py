"""Login throttling rules on top of django-axes (``AXES_HANDLER``).

Two independent limits, both counted over the cool-off window:

- an **account** locks after ``AXES_FAILURE_LIMIT`` failures, from any address;
- an **address** locks after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures, whatever accounts they named (spraying).

A successful login clears the failures recorded for *its own account* only. django-axes' own reset deletes every
attempt matching any lockout parameter, so a success from an address wiped the failures of every account tried
from it: an attacker could interleave wrong guesses at one account with correct logins to another and never lock
the first one.

What a successful sign-in costs here: one query counts the failures of the account and of the address together,
and the sign-in is recorded in the access log (one ``INSERT``). The account's failures are deleted only when that
count found some, and expired attempts are not swept at each sign-in: every failure sweeps them before it is
counted, and expired ones count for nothing meanwhile.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_session_hash, get_client_username, get_credentials, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest

# Set on the request by ``get_failures``: the account named and its failures in the window when the sign-in was checked.
_ACCOUNT_FAILURES = "cchc_account_failures"


def address_failure_limit() -> int:
    return int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", axes_settings.AXES_FAILURE_LIMIT))


def _recent(attempts: QuerySet[AccessAttempt], request: HttpRequest) -> QuerySet[AccessAttempt]:
    if axes_settings.AXES_COOLOFF_TIME is None:
        return attempts
    return attempts.filter(attempt_time__gte=get_cool_off_threshold(request))


def _failures(username: str | None, address: str | None, request: HttpRequest) -> tuple[int, int]:
    """The failures in the window of the account ``username`` (0 without one) and of ``address``: one query."""
    by_account = Q(username=username) if username else Q(pk__in=[])
    by_address = Q(ip_address=address)
    totals = _recent(AccessAttempt.objects.filter(by_account | by_address), request).aggregate(
        account=Sum("failures_since_start", filter=by_account),
        address=Sum("failures_since_start", filter=by_address),
    )
    return totals["account"] or 0, totals["address"] or 0


class AccountLockoutHandler(AxesDatabaseHandler):
    """The database handler with per-account reset on success and a separate per-address limit."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures that count against this login: the account's, or the full limit once the address is over its own.

        django-axes compares this number with ``AXES_FAILURE_LIMIT`` (the account limit), so an address over its
        limit reports that limit and is refused like a locked account.
        """
        username = get_client_username(request, credentials)
        account, address = _failures(username, request.axes_ip_address, request)  # type: ignore[attr-defined]
        setattr(request, _ACCOUNT_FAILURES, (username, account))
        if address >= address_failure_limit():
            return max(account, get_failure_limit(request, credentials))
        return account

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        """Record the sign-in in the access log; forget the account's failures if it had any (django-axes' own
        handler also sweeps expired attempts here and deletes the account's even when it counted none)."""
        username = user.get_username()
        if not axes_settings.AXES_DISABLE_ACCESS_LOG:
            AccessLog.objects.create(
                username=username,
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
                user_agent=request.axes_user_agent,  # type: ignore[attr-defined]
                http_accept=request.axes_http_accept,  # type: ignore[attr-defined]
                path_info=request.axes_path_info,  # type: ignore[attr-defined]
                attempt_time=request.axes_attempt_time,  # type: ignore[attr-defined]
                session_hash=get_client_session_hash(request),
            )
        # Not counted for this account in this request (a sign-in without the password check): deleted to be sure.
        if axes_settings.AXES_RESET_ON_SUCCESS and getattr(request, _ACCOUNT_FAILURES, None) != (username, 0):
            self.reset_user_attempts(request, get_credentials(username))

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Forget the failures of the account that just signed in, from every address, and nobody else's."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
