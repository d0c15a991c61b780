"""Draw PPP's favicon files into static/ppp/ from ppp/brand.py (committed; run again after
changing the mark)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from ppp import brand


def brand_files() -> dict[str, bytes]:
    return {
        "favicon.svg": brand.mark_svg(size=32, rounded=True).encode(),
        "favicon.ico": brand.favicon_ico(),
        "apple-touch-icon.png": brand.mark_png(size=180, rounded=True),
        "ppp-mark.svg": brand.mark_svg().encode(),
        "ppp-mark.png": brand.mark_png(size=512),
    }


class Command(BaseCommand):
    help = "Draw the favicon and mark files in static/ppp/ from ppp/brand.py."

    def handle(self, *args, **options):
        folder = Path(settings.BASE_DIR) / "static" / "ppp"
        for name, content in brand_files().items():
            (folder / name).write_bytes(content)
            self.stdout.write(f"wrote static/ppp/{name} ({len(content):,} bytes)")
