"""Compile the .po catalogues to .mo with polib, so that no machine needs GNU gettext's msgfmt.

The .mo files are build output (not committed); ``make run`` and ``make test`` call this through
``qiaolian compilemessages``. Like msgfmt, fuzzy and untranslated entries are left out.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_dirs() -> list[Path]:
    """Every place Django looks for catalogues of this project: LOCALE_PATHS and each app's locale/."""
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    package = Path(settings.PACKAGE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(package):  # only our own apps: installed packages ship their .mo
            dirs.append(path / "locale")
    return sorted({d.resolve() for d in dirs if d.is_dir()})


def compile_po(po_path: Path, *, force: bool = False) -> bool:
    """Write ``po_path`` with a .mo suffix; return False when the .mo was already up to date."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    try:
        catalogue = polib.pofile(str(po_path), wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot compile {po_path.name}: {exc}") from exc
    catalogue.save_as_mofile(str(mo_path))
    return True


class Command(BaseCommand):
    help = "Compile .po translation catalogues to .mo with polib (no GNU gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="directories to search instead of the project's locale dirs")
        parser.add_argument("--force", action="store_true", help="recompile even when the .mo is newer")

    def handle(self, *args, paths, force, **options):
        roots = [Path(p) for p in paths] if paths else locale_dirs()
        found = compiled = 0
        for root in roots:
            if not root.is_dir():
                raise CommandError(f"{root}: no such directory")
            for po_path in sorted(root.rglob("*.po")):
                found += 1
                if compile_po(po_path, force=force):
                    compiled += 1
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"compiled {po_path}")
        if options["verbosity"] >= 1:
            self.stdout.write(f"translations: {compiled} compiled, {found - compiled} up to date")
