"""Password hashing parameters (docs/decisions.md, "Argon2 parameters")."""

from __future__ import annotations

from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane: the first of the equivalent settings that the OWASP
    Password Storage Cheat Sheet recommends. Django's defaults (100 MiB, 8 lanes) cost about 100 ms of CPU and
    100 MiB per check on a 2-core server, so 50 people signing in at once waited seconds.

    The algorithm name stays ``argon2``: hashes made with other parameters still verify, and Django rewrites them
    with these on the next successful sign-in (``must_update``).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
