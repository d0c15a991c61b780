"""Split a long module into a package of the same name, one submodule per section.

    python scripts/split_module.py accreditation/services.py

The module's sections are its `# ---- title` marker comments (`# ---- title [module]`
names the submodule; otherwise it is made from the title) (the code before the first
marker is shared: it goes to `_base.py`). Each submodule gets the module's imports (one
level deeper), imports what it uses from `_base` and the other submodules, and the
package's `__init__.py` keeps the module's docstring and re-exports every top-level name,
so `from app.services import x` and `app.services.x` keep working. ruff then drops the
imports a submodule does not use. Refuses if two sections need each other (a cycle).

A maintenance tool for the "modules over ~600 lines split by aggregate" rule (ADR 0048).
"""

import ast
import re
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

MARKER = re.compile(r"^# -{4,}\s*(?P<name>.+?)(?:\s*\[(?P<module>\w+)\])?\s*$")


def slug(title: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", "", title.lower().replace("-", " ")).split()
    words = [w for w in words if w not in {"the", "and", "of", "a", "an", "s"}]
    name = "_".join(words[:3]) or "part"
    return {"email": "emails", "helpers": "_helpers"}.get(name, name)


def top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def used_names(tree: ast.Module) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }


def deeper(import_line: str) -> str:
    return re.sub(r"^from (\.+)", lambda m: f"from .{m.group(1)}", import_line)


def header_and_sections(text: str) -> tuple[str, list[str], list[tuple[str, str, list[str]]]]:
    """The module's docstring, its imports (one level deeper) and its sections as
    (submodule, title, lines); the code before the first marker is `_base`."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    body_start, imports = 0, []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(deeper("".join(lines[node.lineno - 1 : node.end_lineno])))
        elif not (node is tree.body[0] and isinstance(node, ast.Expr)):
            break
        body_start = node.end_lineno or 0
    sections: list[tuple[str, str, list[str]]] = [("_base", "what every part shares", [])]
    for line in lines[body_start:]:
        match = MARKER.match(line)
        if not match:
            sections[-1][2].append(re.sub(r"^(\s+)from (\.+)", r"\1from .\2", line))
            continue
        name = match.group("module") or slug(match.group("name"))
        while name in {s[0] for s in sections}:
            name += "_2"
        sections.append((name, match.group("name"), []))
    return ast.get_docstring(tree, clean=False) or "", imports, sections


def needs_of(sections) -> tuple[dict[str, str], dict[str, dict[str, set[str]]]]:
    """Where each top-level name is defined, and what each section takes from the others."""
    trees = {name: ast.parse("".join(body)) for name, _title, body in sections}
    defined = {n: name for name, tree in trees.items() for n in top_level_names(tree)}
    needs: dict[str, dict[str, set[str]]] = {}
    for name, tree in trees.items():
        needs[name] = {}
        for used in used_names(tree) - top_level_names(tree):
            if used in defined:
                needs[name].setdefault(defined[used], set()).add(used)
    return defined, needs


def main(path: str) -> int:
    source = Path(path)
    docstring, imports, sections = header_and_sections(source.read_text())
    if len(sections) < 3:
        print(f"{path}: fewer than two sections marked with '# ----': nothing to split", file=sys.stderr)
        return 2
    defined, needs = needs_of(sections)
    try:
        order = list(TopologicalSorter({n: set(w) for n, w in needs.items()}).static_order())
    except CycleError as error:
        print(f"{path}: sections need each other: {error.args[1]}", file=sys.stderr)
        return 3
    package = source.with_suffix("")
    package.mkdir()
    dotted = ".".join(package.parts)
    for name, title, body in sections:
        own = "".join(
            f"from .{other} import {', '.join(sorted(names))}\n" for other, names in sorted(needs[name].items())
        )
        doc = f'"""{title.capitalize()}: part of `{dotted}` (see its docstring)."""\n\n'
        (package / f"{name}.py").write_text(doc + "".join(imports) + own + "\n" + "".join(body).lstrip("\n"))
    init = (f'"""{docstring}"""\n\n' if docstring else "") + "".join(
        f"from .{name} import {', '.join(sorted(n for n in defined if defined[n] == name))}\n"
        for name in order
        if name in defined.values()
    )
    init += "\n__all__ = [\n" + "".join(f'    "{n}",\n' for n in sorted(defined)) + "]\n"
    (package / "__init__.py").write_text(init)
    source.unlink()
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "check", "--fix", "--quiet", str(package)], check=False)  # noqa: S603 - our own files
    subprocess.run([*ruff, "format", "--quiet", str(package)], check=True)  # noqa: S603
    for file in sorted(package.glob("*.py")):
        print(f"{file}: {len(file.read_text().splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
