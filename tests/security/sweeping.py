"""The pieces of the tenancy sweep that each app's `tests/<app>/sweep.py` uses.

An app's sweep module defines:

    SWEEP = {"app:url-name": Case(kwargs=lambda w: {...}), ...}
    EXEMPT = {"app:url-name": "why this URL with arguments is not organisation-owned"}

Every POST case names its `effect`, so the sweep checks what happened, not only the
status code.

`kwargs` receives a `World` (School A with alice as lead and bob as member, School B with
charlie as lead, an officer) and returns the URL's arguments for an object that belongs
to School A; it may create that object.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class World:
    school_a: object
    school_b: object
    alice: object  # lead of School A
    bob: object  # member of School A
    charlie: object  # lead of School B: the stranger
    officer: object


@dataclass
class Case:
    kwargs: Callable[[World], dict]
    method: str = "get"
    owner: str = "alice"  # the World attribute of a person who may use it
    success: int = 200
    data: Callable[[World], dict] | dict = field(default_factory=dict)
    # What an officer gets: `success` by default; 404 where officers must not see the
    # object at all (identifiable incident records).
    officer: int | None = None
    # What a stranger (another organisation's lead, or someone with no organisation) gets:
    # 404, as if the object did not exist. Officer-only pages answer 403 to everyone else
    # before looking anything up, which says nothing about the object either.
    stranger: int = 404
    # For POST cases: `effect(world, kwargs) -> bool`, whether the action took effect on the
    # object (the state changed). Checked after the right person's request (True) and
    # after everyone else's (False): a refusal must never pass as a success.
    effect: Callable[[World, dict], bool] | None = None
    # Whether an officer's POST should take effect: by default when officers get `success`.
    officer_may: bool | None = None
