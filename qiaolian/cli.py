"""The `qiaolian` command for operators (also `python -m qiaolian`).

    qiaolian serve [--host H] [--port P] [--workers N]   web server (gunicorn) and background worker
    qiaolian worker                                      background worker only
    qiaolian migrate                                     create or update the database tables
    qiaolian demo-data [--scale N] [--seed S] [--if-empty]
    qiaolian demo-accounts                               the demo accounts that still have the demo password
    qiaolian token USERNAME [--name NAME]                create an API token and print it
    qiaolian audit verify                                check the audit log's hash chain
    qiaolian compilemessages [--force] [DIR ...]         compile .po catalogues (polib, no gettext)
    qiaolian report review --from D --to D --format docx|pdf|json [--output FILE]
    qiaolian bench [--persons N] ...                     benchmarks (docs/performance.md)
    qiaolian import KIND FILE [--commit]                 import a spreadsheet (docs/import.md)
    qiaolian dedupe [--export FILE.csv]                  likely duplicate persons (docs/linkage.md)
    qiaolian backup [PATH] [--keep N]                    database, media files and manifest (docs/deploy.md)
    qiaolian restore PATH [--force]                      verify a backup and restore it into an empty database
    qiaolian manage ARGS ...                             any Django management command

Settings come from the environment (see README); DJANGO_SETTINGS_MODULE defaults to
``qiaolian.settings``. Django is set up only by the subcommands that need it, so ``serve`` starts
fast and leaves the work to its children.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

DEMO_USERNAMES = ["admin", "staff", "zhujing", "shihua", "leader", "auditor"]


def _setup_django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:  # already set up under pytest, or when called from Django itself
        django.setup()


def _call(command: str, *args: str) -> int:
    """Run a management command; its CommandError becomes a message and an exit code."""
    _setup_django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(command, *args)
    except CommandError as exc:
        print(f"qiaolian: {exc}", file=sys.stderr)
        return exc.returncode
    return 0


def serve(args: argparse.Namespace) -> int:
    """Run the background worker as a child and gunicorn in the foreground; stop both together."""
    worker = subprocess.Popen([sys.executable, "-m", "qiaolian", "worker"])
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "qiaolian.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
        ]
    )  # more gunicorn options (access log, timeouts, proxies) through GUNICORN_CMD_ARGS
    children = {"web server": web, "worker": worker}
    stopping = False

    def terminate_children():
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def on_signal(_signum, _frame):
        nonlocal stopping
        stopping = True
        terminate_children()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    print(f"qiaolian: serving http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        exited = {name: child.returncode for name, child in children.items() if child.returncode is not None}
    finally:
        terminate_children()
        for child in children.values():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        return 0
    for name, code in exited.items():
        print(f"qiaolian: the {name} stopped (exit code {code}), so everything was stopped", file=sys.stderr)
    return 1


def demo_accounts(_args: argparse.Namespace) -> int:
    """Print the demo accounts whose password is still the demo password."""
    _setup_django()
    from django.conf import settings

    from qiaolian.accounts.models import User

    password = settings.QIAOLIAN_DEMO_PASSWORD
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("federation")}
    is_demo_hash: dict[str, bool] = {}  # the demo accounts share one hash; each check costs ~0.5 s
    for user in users.values():
        if user.password not in is_demo_hash:
            is_demo_hash[user.password] = user.check_password(password)
    rows = [users[name] for name in DEMO_USERNAMES if name in users and is_demo_hash[users[name].password]]
    if not rows:
        print("No demo accounts with the demo password (run `qiaolian demo-data` on an empty database).")
        return 0
    print(f"Demo accounts, password {password}:")
    for user in rows:
        federation = user.federation.short_name if user.federation else ""
        print(f"  {user.username:<8}  {user.get_role_display()}  {federation}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qiaolian", description="侨联工作平台 — operator commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("serve", help="run the web server and the background worker")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.set_defaults(func=serve)

    p = commands.add_parser("worker", help="run the background worker only")
    p.set_defaults(func=lambda a: _call("worker"))  # db_worker + recovery of interrupted jobs

    p = commands.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(func=lambda a: _call("migrate", "--no-input"))

    p = commands.add_parser("demo-data", help="generate the Jinshan demo (December 2017 – 2022)")
    p.add_argument("--scale", type=float, help="size factor: 1 is about 3,000 persons (default 1)")
    p.add_argument("--seed", type=int, help="random seed (same seed, same data)")
    p.add_argument("--if-empty", action="store_true", help="do nothing when the database already has data")
    p.set_defaults(
        func=lambda a: _call(
            "demo_data",
            *(["--scale", f"{a.scale:g}"] if a.scale is not None else []),
            *(["--seed", str(a.seed)] if a.seed is not None else []),
            *(["--if-empty"] if a.if_empty else []),
        )
    )

    p = commands.add_parser("demo-accounts", help="list the demo accounts and their password")
    p.set_defaults(func=demo_accounts)

    p = commands.add_parser("token", help="create an API token for a user and print it")
    p.add_argument("username")
    p.add_argument("--name", default="cli", help="what the token is for")
    p.set_defaults(func=lambda a: _call("api_token", a.username, "--name", a.name))

    p = commands.add_parser("audit", help="audit log tools")
    audit = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit.add_parser("verify", help="check the hash chain").set_defaults(func=lambda a: _call("audit_verify"))

    p = commands.add_parser("compilemessages", help="compile .po translations to .mo (no GNU gettext needed)")
    p.add_argument("paths", nargs="*", metavar="DIR", help="directories to search (default: the project's)")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=lambda a: _call("compile_translations", *a.paths, *(["--force"] if a.force else [])))

    for name, text in PASSTHROUGH.items():
        commands.add_parser(name, help=text, add_help=False)
    commands.add_parser("manage", help="run any Django management command (manage.py)", add_help=False)
    return parser


# Subcommands that are management commands with their own options (and --help).
PASSTHROUGH = {
    "report": "reports: `report review` writes the five-year review (docx, pdf or json)",
    "bench": "benchmarks on generated data (PostgreSQL); results in docs/performance.md",
    "import": "import a spreadsheet: `import persons FILE` previews, `--commit` writes (docs/import.md)",
    "dedupe": "find likely duplicate persons (record linkage); `--export FILE.csv` writes the pairs",
    "backup": "write a backup (database, media files, manifest; never the keys) to PATH (docs/deploy.md)",
    "restore": "verify a backup and restore it into an empty database (`--force` to replace one)",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiaolian.settings")
    if argv[:1] == ["manage"] or (argv[:1] and argv[0] in PASSTHROUGH):
        from django.core.management import execute_from_command_line

        # `manage X` runs X; `report …` runs the management command of the same name
        command = ["qiaolian manage", *argv[1:]] if argv[0] == "manage" else ["qiaolian", *argv]
        try:
            execute_from_command_line(command)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 1
        return 0
    args = build_parser().parse_args(argv)
    return args.func(args) or 0
