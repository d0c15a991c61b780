"""The house rules about who depends on whom, checked on the source so a new module cannot
quietly break them (ARCHITECTURE.md):

- a domain app uses another domain app only through its `services` or `selectors`, and
  never in a circle (two apps that need each other are one app, or need a registry);
- the platform (`ppp`) never imports a domain app;
- no app names another app's model by string (`sender="incidents.IncidentRole"`,
  `apps.get_model("training", "Booking")`): that is an import in disguise;
- no query follows a relation into another app's tables (`select_related`,
  `prefetch_related`, `Prefetch`, an admin's `list_select_related`): the other app's
  selectors answer instead. A domain app may follow relations into the platform's
  (organisations, people, certificates).

What another app has to offer the platform goes through a registry in `ppp`
(ppp/discovery.py's AppRegistry: home sections, search, evidence offers, reminders, demo).
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps

ROOT = Path(__file__).resolve().parent.parent
# Every top-level folder with an apps.py but the platform's own.
DOMAIN_APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "ppp")
PLATFORM = "ppp"


def imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def sources(folder: str) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


def parsed(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), filename=str(path))


def test_the_domain_apps_are_found():
    assert {"charter", "accreditation", "incidents", "training"} <= set(DOMAIN_APPS)


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_domain_apps_reach_each_other_only_through_services_and_selectors(app):
    wrong = []
    for path in sources(app):
        for line, module in imports(parsed(path)):
            parts = module.split(".")
            if (
                parts[0] in DOMAIN_APPS
                and parts[0] != app
                and (len(parts) < 2 or parts[1] not in ("services", "selectors"))
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "Use the other app's services or selectors instead:\n" + "\n".join(wrong)


def test_no_two_domain_apps_depend_on_each_other():
    """Imports between domain apps go one way: accreditation's award page asks training and
    incidents for evidence through a registry (ppp.offers), not by importing them."""
    uses = {app: set() for app in DOMAIN_APPS}
    for app in DOMAIN_APPS:
        for path in sources(app):
            for _line, module in imports(parsed(path)):
                other = module.split(".")[0]
                if other in DOMAIN_APPS and other != app:
                    uses[app].add(other)

    reach = {app: set(uses[app]) for app in DOMAIN_APPS}
    for _ in DOMAIN_APPS:  # the transitive closure, one step a round
        for app in DOMAIN_APPS:
            reach[app] |= {far for near in reach[app] for far in reach[near]}
    circles = sorted(f"{a} <-> {b}" for a in DOMAIN_APPS for b in reach[a] if a < b and a in reach[b])
    assert not circles, "These apps import each other (directly or round a circle):\n" + "\n".join(circles)


def test_the_platform_never_imports_a_domain_app():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sources(PLATFORM)
        for line, module in imports(parsed(path))
        if module.split(".")[0] in DOMAIN_APPS
    ]
    assert not wrong, "ppp/ is the platform: it must not depend on a domain app:\n" + "\n".join(wrong)


MODEL_LABEL = re.compile(r"^([a-z_]+)\.([A-Z][A-Za-z0-9]*)$")


def _string_model_references(tree: ast.AST, owner: str):
    """(line, what) for every model of another domain app that code of `owner` names by string."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found = MODEL_LABEL.match(node.value)
            if found and found.group(1) in DOMAIN_APPS and found.group(1) != owner:
                yield node.lineno, node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in DOMAIN_APPS
            and node.args[0].value != owner
        ):
            yield node.lineno, f"get_model({node.args[0].value!r}, …)"


@pytest.mark.parametrize("folder", [PLATFORM, *DOMAIN_APPS])
def test_no_app_names_another_apps_model_by_string(folder):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} names {what}"
        for path in sources(folder)
        for line, what in _string_model_references(parsed(path), folder)
    ]
    assert not wrong, (
        "A model named by string is a hidden import: offer what the other app needs through "
        "its selectors or a registry in ppp instead:\n" + "\n".join(wrong)
    )


def _app_of(model) -> str:
    """The domain app or PLATFORM a model belongs to, or "" (Django's and libraries')."""
    top = model._meta.app_config.name.split(".")[0]
    return top if top in DOMAIN_APPS or top == PLATFORM else ""


def _related(model, name: str):
    """The model `name` leads to from `model` (a forward or reverse relation), or None."""
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is None or isinstance(field.related_model, str):
            continue
        names = {field.name}
        if field.auto_created and not field.concrete:
            names.add(field.get_accessor_name())
        if name in names:
            return field.related_model
    return None


def _crosses(owner: str, lookup: str) -> str | None:
    """The other domain app `lookup` reaches from a model of `owner`, if it does from any."""
    for model in django_apps.get_models(include_auto_created=True):
        if _app_of(model) != owner:
            continue
        current = model
        for part in lookup.split("__"):
            current = _related(current, part)
            if current is None:
                break
            reached = _app_of(current)
            if reached in DOMAIN_APPS and reached != owner:
                return f"{model._meta.label} → {current._meta.label}"
    return None


def _lookups(tree: ast.AST):
    """(line, lookup) for every relation path the code hands to the ORM or the admin (a
    `Prefetch`'s first argument; `select_related(None)` and the like are no paths)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = node.args if name in ("select_related", "prefetch_related") else node.args[:1]
            if name in ("select_related", "prefetch_related", "Prefetch"):
                yield from ((a.lineno, a.value) for a in args if isinstance(a, ast.Constant))
        elif (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "list_select_related" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            yield from ((e.lineno, e.value) for e in node.value.elts if isinstance(e, ast.Constant))


@pytest.mark.parametrize("folder", [PLATFORM, *DOMAIN_APPS])
def test_no_query_follows_a_relation_into_another_app(folder):
    wrong = []
    for path in sources(folder):
        for line, lookup in _lookups(parsed(path)):
            crossing = isinstance(lookup, str) and _crosses(folder, lookup)
            if crossing:
                wrong.append(f"{path.relative_to(ROOT)}:{line} {lookup!r} ({crossing})")
    assert not wrong, (
        "A query that follows a relation into another app's tables depends on them: ask that "
        "app's selectors (or a registry in ppp) instead:\n" + "\n".join(wrong)
    )


def test_the_checks_catch_what_they_are_for():
    """The rules above, shown failing on the kinds of code they were written against."""
    tree = ast.parse(
        '@receiver(post_save, sender="incidents.IncidentRole")\n'
        "def forget(**kwargs):\n"
        '    apps.get_model("training", "Booking")\n'
        '    Membership.objects.select_related("organisation", "incident_role")\n'
        '    Organisation.objects.prefetch_related(Prefetch("pledges"))\n'
        "class OrganisationAdmin:\n"
        '    list_select_related = ("training_account",)\n'
    )
    assert sorted(what for _, what in _string_model_references(tree, PLATFORM)) == [
        "get_model('training', …)",
        "incidents.IncidentRole",
    ]
    assert list(_string_model_references(tree, "incidents")) == [(3, "get_model('training', …)")]
    lookups = [lookup for _, lookup in _lookups(tree)]
    assert sorted(lookups) == ["incident_role", "organisation", "pledges", "training_account"]
    assert _crosses(PLATFORM, "incident_role") == "accounts.Membership → incidents.IncidentRole"
    assert _crosses(PLATFORM, "pledges") is not None
    assert _crosses(PLATFORM, "organisation") is None
    assert _crosses("accreditation", "application__organisation") is None
    assert _crosses("accreditation", "organisation__pledges") is not None


LONGEST_ROOM = 650  # lines; ADR 0048: a longer services, selectors or views module becomes a package


def test_no_services_selectors_or_views_module_outgrows_a_room():
    """A rule is found by its aggregate's name: `app/services/evidence.py`, not line 900
    of `app/services.py`. Split a module that passes the limit with
    `scripts/split_module.py` (by its `# ----` section markers)."""
    rooms = [
        path
        for folder in ["ppp", *DOMAIN_APPS]
        for name in ("services", "selectors", "views", "pupil_views")
        for path in [*(ROOT / folder).glob(f"{name}.py"), *(ROOT / folder).glob(f"{name}/*.py")]
    ]
    assert rooms, "no services, selectors or views found: the check no longer looks in the right place"
    too_long = {str(p.relative_to(ROOT)): n for p in rooms if (n := len(p.read_text().splitlines())) > LONGEST_ROOM}
    assert not too_long, f"split these by aggregate (ADR 0048): {too_long}"
