from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from calls.imports import call_import_create, call_import_run


class Command(BaseCommand):
    help = "Import a call log (Asterisk queue_log or CSV) now; a file imported before adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["queue_log", "csv"], default=None,
                            help="default: csv for *.csv, queue_log otherwise")

    def handle(self, *args, file, format=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        fmt = format or ("csv" if path.suffix.lower() == ".csv" else "queue_log")
        job = call_import_run(import_id=call_import_create(
            name=path.name, content=path.read_text(encoding="utf-8", errors="replace"), fmt=fmt).pk)
        self.stdout.write(f"lines={job.lines} imported={job.imported} duplicates={job.duplicates} "
                          f"errors={len(job.errors)}")
        for error in job.errors[:20]:
            self.stdout.write(f"  line {error['line']}: {error['reason']}")
