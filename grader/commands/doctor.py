"""`grader doctor`: which sandbox layers this machine offers, and why one is missing.

Exit 0 when every layer is available, 1 when one is missing."""

from __future__ import annotations

import json
import platform
import sys
from typing import Any

import click

from ..messages import text
from . import EXIT_FAILED, EXIT_OK, Settings
from .options import lang_option


def report() -> dict[str, Any]:
    from .. import sandbox
    from ..run.choice import UnknownWorker, worker_kind

    layers = sandbox.probe()
    try:
        worker: str = worker_kind()
    except UnknownWorker:  # refused by the command group already; doctor is also a library call
        worker = "unknown"
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "user": "root" if _is_root() else "unprivileged",
        "worker": worker,
        "layers": {name: {"available": s.available, "detail": s.detail} for name, s in layers.items()},
    }


def _is_root() -> bool:
    import os

    return hasattr(os, "getuid") and os.getuid() == 0


@click.command("doctor")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@lang_option
@click.pass_obj
def doctor_command(settings: Settings, output_format: str) -> None:
    """Show which sandbox layers are available here (exit 1 if any is missing)."""
    data = report()
    lang = settings.lang
    if output_format == "json":
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(text("doctor.title", lang).format(platform=data["platform"], python=data["python"],
                                                     user=data["user"]))
        if data["worker"] in ("fork", "portable"):
            click.echo(text(f"doctor.worker.{data['worker']}", lang))
        for name, layer in data["layers"].items():
            mark = click.style("✓", fg="green") if layer["available"] else click.style("✗", fg="red")
            click.echo(f"  {mark} {name:<13} {layer['detail']}")
        missing = [n for n, layer in data["layers"].items() if not layer["available"]]
        click.echo(text("doctor.missing" if missing else "doctor.all", lang).format(missing=", ".join(missing)))
    sys.exit(EXIT_OK if all(layer["available"] for layer in data["layers"].values()) else EXIT_FAILED)
