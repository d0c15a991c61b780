"""Copy the GOV.UK Frontend package's precompiled files into build/static/govuk.

Run by `make` after `npm ci`. The package's CSS points at /assets/…, which would 404
under STATIC_URL, so its urls are made relative. PPP is not a GOV.UK service: it uses
Arial, not the restricted GDS Transport font, so the font stack is rewritten too.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "build" / "static" / "govuk"


def main() -> int:
    if not (SOURCE / "govuk-frontend.min.css").exists():
        print(f"{SOURCE} is missing: run `npm ci` first (make does this).", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    shutil.copytree(SOURCE / "assets" / "images", TARGET / "assets" / "images")
    css = (SOURCE / "govuk-frontend.min.css").read_text()
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace('"GDS Transport",arial', "arial").replace("GDS Transport,arial", "arial")
    css = css.replace("url(/assets/", "url(assets/")
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    (TARGET / "govuk-frontend.min.css").write_text(css)
    js = (SOURCE / "govuk-frontend.min.js").read_text()
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    (TARGET / "govuk-frontend.min.js").write_text(js)
    print(f"GOV.UK Frontend copied to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
