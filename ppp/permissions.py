"""Who may do what, written once.

Each app's `permissions.py` defines its rules with `rule`: a small function that returns
why `user` may not do something to `obj` (a sentence for the person), or None if they may.

    @rule
    def can_submit_application(user, application) -> str | None:
        if not is_lead(user, application.organisation):
            return f"Only {application.organisation}'s lead can submit for assessment."
        if application.status != Application.Status.EVIDENCING:
            return "You can submit for assessment only while gathering evidence."
        return None

The rule is then used three ways:

- `can_submit_application(user, application)` -> bool, for views and code;
- `can_submit_application.require(user, application, WorkflowError)` in services, which
  raises that error with the sentence (so a refusal always reads the same);
- `allowed_actions(user, obj, RULES)` -> the set of action names the person may take,
  which views hand to templates: a template shows a button only if its action is in
  `actions`, and never restates a rule.
"""

from collections.abc import Callable, Mapping

from ppp.errors import DomainError


class Rule:
    def __init__(self, check: Callable[..., str | None]):
        self.check = check
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def __call__(self, user, obj=None) -> bool:
        return self.refusal(user, obj) is None

    def refusal(self, user, obj=None) -> str | None:
        """Why `user` may not, or None."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return "Sign in first."
        return self.check(user, obj)

    def require(self, user, obj=None, error: type[DomainError] = DomainError) -> None:
        """Raise `error` with the reason unless `user` may."""
        reason = self.refusal(user, obj)
        if reason is not None:
            raise error(reason)

    def __repr__(self):
        return f"<rule {self.__name__}>"


def rule(check: Callable[..., str | None]) -> Rule:
    return Rule(check)


def allowed_actions(user, obj, rules: Mapping[str, Rule]) -> set[str]:
    """The names of the `rules` that let `user` act on `obj`."""
    return {name for name, check in rules.items() if check(user, obj)}
