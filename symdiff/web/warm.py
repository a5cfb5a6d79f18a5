"""Imported by the pool's fork server: symdiff loaded and its parsers built
once, so every worker forked from it starts warm (`symdiff.web.pool`)."""

from .work import warm_up

warm_up()
