"""Writes for the PAR INDEX cycle (being split by subject)."""

from .rounds import *  # noqa: F403
