"""``ptmvet log show|verify``: the audit trail of gate and attest decisions.

``show`` prints the records (terminal table or JSON), filtered by model and
date; ``verify`` checks the hash chain and the head: exit 0 when intact, 4
when a record was edited, deleted, inserted or cut off, 3 when the trail
cannot be read.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptmvet.cli._common import emit, render, say
from ptmvet.errors import UsageError
from ptmvet.formats import choices
from ptmvet.trail import TrailBroken, TrailRecord, TrailVerdict, append, default_log_path, listing, verify

if TYPE_CHECKING:
    from ptmvet.policy import GateResult


def add_trail_options(p: argparse.ArgumentParser, *, recording: bool = True) -> None:
    """--log / --db (and --no-log for commands that record), defined once."""
    g = p.add_argument_group("audit trail")
    where = g.add_mutually_exclusive_group()
    where.add_argument("--log", type=Path, dest="trail_log", metavar="FILE",
                       help=f"audit trail file (JSON Lines; default: $PTMVET_AUDIT_LOG or {_default_shown()})")
    where.add_argument("--db", type=Path, dest="trail_db", metavar="DB", help="keep the audit trail in this DuckDB database instead")
    if recording:
        where.add_argument("--no-log", action="store_true", help="do not append this decision to the audit trail")


def _default_shown() -> str:
    return "$XDG_STATE_HOME/ptmvet/audit.jsonl"


def record_decision(
    args: argparse.Namespace,
    *,
    command: str,
    result: GateResult,
    weights_digest: str | None,
    attestation_digest: str | None = None,
    extra: dict[str, Any] | None = None,
) -> TrailRecord | None:
    """Append one record for a gate or attest decision, unless --no-log."""
    if getattr(args, "no_log", False):
        return None
    from ptmvet.trail import digest_of, waivers_of

    target = result.report.target
    rec = TrailRecord.new(
        command=command,
        model=str(args.model),
        verdict="pass" if result.passed else "fail",
        policy=result.policy.name,
        policy_digest=result.policy.digest,
        repo_id=target.repo_id,
        revision=target.revision,
        weights_digest=weights_digest,
        stage=result.stage,
        waivers=waivers_of(result.waivers_used),
        report_digest=digest_of(result.report.to_dict()),
        attestation_digest=attestation_digest,
        extra=extra or {},
    )
    written = append(rec, path=args.trail_log, db=args.trail_db)
    where = args.trail_db or args.trail_log or default_log_path()
    say(f"audit trail: record {written.seq} ({written.hash[:12]}) appended to {where}")
    return written


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "log",
        help="the audit trail of gate and attest decisions: show it, verify its hash chain",
        description="Every `gate` and `attest` appends a hash-chained record (time, user, host, model and revision, "
        "weights digest, policy digest, stage, verdict, waivers used, report digest). `log show` prints them; "
        "`log verify` exits 4 when a record was edited, deleted or cut off.",
    )
    lsub = p.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    show = lsub.add_parser("show", help="print the records (oldest first)")
    add_trail_options(show, recording=False)
    show.add_argument("--model", help="only this model (repo id, reference or folder)")
    show.add_argument("--since", type=_date, help="only records on or after this day (YYYY-MM-DD)")
    show.add_argument("--format", "-f", choices=choices("trail"), default="terminal", help="output format (default: terminal)")
    show.add_argument("--output", "-o", type=Path, help="write the output to this file instead of standard output")
    show.set_defaults(func=run_show)
    ver = lsub.add_parser("verify", help="check the hash chain and the head (exit 4 when broken)")
    add_trail_options(ver, recording=False)
    ver.add_argument("--expect-head", metavar="HASH", help="the last record's hash must be this (kept elsewhere, e.g. in CI output)")
    ver.add_argument("--format", "-f", choices=choices("trail-verify"), default="terminal", help="output format (default: terminal)")
    ver.set_defaults(func=run_verify)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def run_show(args: argparse.Namespace) -> int:
    result = listing(path=args.trail_log, db=args.trail_db, model=args.model, since=args.since)
    emit(render(result, args.format), args.output)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    if args.expect_head is not None and len(args.expect_head) < 12:
        raise UsageError("--expect-head needs at least 12 hex digits of the hash")
    try:
        verdict = verify(path=args.trail_log, db=args.trail_db, expect_head=args.expect_head)
    except TrailBroken as exc:
        emit(render(TrailVerdict.broken(exc), args.format))
        raise
    emit(render(verdict, args.format))
    return 0


__all__ = ["add_trail_options", "record_decision", "register", "run_show", "run_verify"]
