"""Shared test settings: hypothesis runs derandomized (reproducible) in CI."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=150, deadline=None)
# .ci/run's second pass, from the unpacked sdist, checks that the archive holds
# what the tests need; the first pass already ran every property 300 times.
settings.register_profile("sdist", parent=settings.get_profile("ci"), max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
