"""The house rules about who imports whom, checked on the source so a new module cannot
quietly break them (ARCHITECTURE.md):

- a domain app uses another domain app only through its `services` or `selectors`;
- the platform (`ppp`) never imports a domain app.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = ["charter", "accreditation", "incidents", "training"]


def imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def sources(folder: str):
    return [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_domain_apps_reach_each_other_only_through_services_and_selectors(app):
    wrong = []
    for path in sources(app):
        for line, module in imports(path):
            parts = module.split(".")
            if (
                parts[0] in DOMAIN_APPS
                and parts[0] != app
                and (len(parts) < 2 or parts[1] not in ("services", "selectors"))
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "Use the other app's services or selectors instead:\n" + "\n".join(wrong)


def test_the_platform_never_imports_a_domain_app():
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sources("ppp")
        for line, module in imports(path)
        if module.split(".")[0] in DOMAIN_APPS
    ]
    assert not wrong, "ppp/ is the platform: it must not depend on a domain app:\n" + "\n".join(wrong)
