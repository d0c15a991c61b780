"""Settings for the benchmark servers only: PPP's own settings (production-like: the
harness sets DEBUG off, real secrets, manifest static files) plus the bare view's URLconf.

Nothing in production imports this module: `bench/` is not installed with the project
(pyproject.toml packages only ppp, charter, accreditation, incidents and training), and
the bare view exists only in `bench.urls`, which only these settings select.
"""

from ppp.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
