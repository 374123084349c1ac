"""``manage.py import_calls FILE --source NAME [--dry-run]``: the import of
``/appels/import/`` from the command line (a cron job fetching a feed, say).

Prints the report (created, updated, set aside, unchanged, refused, each with its rows);
exits non-zero when the file cannot be read or a row is refused (then nothing is written).
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from innovalo.exceptions import ServiceError
from projects.importers import MAX_BYTES, column_label, describe, read_calls
from projects.services.imports import ImportRefused, calls_import


class Command(BaseCommand):
    help = "Import calls for projects from a CSV, XLSX or JSON file (idempotent, all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV, XLSX or JSON file")
        parser.add_argument("--source", required=True, help="the source, e.g. aides-territoires")
        parser.add_argument(
            "--dry-run", action="store_true", help="compute the report, write nothing"
        )

    def handle(self, *args, file, source, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("Fichier introuvable : %s") % file)
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("Le fichier dépasse 10 Mo : découpez-le."))
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        try:
            report = calls_import(
                source=source, table=read_calls(upload), actor=None, dry_run=dry_run
            )
        except ImportRefused as refused:
            self._print(refused.report)
            raise CommandError(str(refused)) from None
        except ServiceError as error:
            raise CommandError(str(error)) from None
        self._print(report)

    def _print(self, report):
        write = self.stdout.write
        where = _("élément") if report.kind == "json" else _("ligne")
        if report.dry_run:
            write(_("Simulation : rien n'a été enregistré."))
        write(
            _("Import « %(source)s » : %(summary)s.")
            % {"source": report.source, "summary": report.summary()}
        )
        if report.ignored_columns:
            write(_("Colonnes ignorées : %s") % ", ".join(report.ignored_columns))
        titles = {
            "created": _("Créés"),
            "updated": _("Mis à jour (dates)"),
            "set_aside": _("Mis de côté"),
            "unchanged": _("Inchangés"),
            "refused": _("Refusés"),
        }
        for name in report.SECTIONS:
            outcomes = getattr(report, name)
            if not outcomes:
                continue
            write(f"\n{titles[name]} ({len(outcomes)})")
            for outcome in outcomes:
                write(f"  {where} {outcome.line} [{outcome.external_id}] {outcome.title}")
                for column, messages in outcome.errors:
                    for message in messages:
                        write(f"    {column_label(column)} ({column}) : {message}")
                for column, (old, new) in outcome.changes.items():
                    old_text = describe(column, old, limit=80)
                    new_text = describe(column, new, limit=80)
                    write(f"    {column_label(column)} : {old_text} → {new_text}")
                if outcome.note:
                    write(f"    {outcome.note}")
