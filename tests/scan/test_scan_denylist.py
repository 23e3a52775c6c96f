"""The denylist covers every public advisory gadget of picklescan, fickling and modelscan."""

from __future__ import annotations

import pytest

from ptmvet.scan import Verdict, scan_pickle
from ptmvet.scan.allowlist import ADVISORY_GADGETS, classify, normalize


@pytest.mark.parametrize(("advisory", "module", "name"), ADVISORY_GADGETS, ids=[f"{m}.{n}" for _, m, n in ADVISORY_GADGETS])
def test_advisory_gadget_is_dangerous(advisory: str, module: str, name: str) -> None:
    assert classify(module, name).verdict is Verdict.DANGEROUS, advisory
    # and the walker reports it from a real stream (protocol 0 GLOBAL, then a call)
    stream = b"c" + module.encode() + b"\n" + name.encode() + b"\n(Vx\ntR."
    found = {g.qualname: g.verdict for g in scan_pickle(stream).globals}
    m, n = normalize(module, name)  # pickle's Python 2 names (__builtin__) are reported as Python 3's
    assert found == {f"{m}.{n}": Verdict.DANGEROUS}


def test_issue_gadgets_are_listed() -> None:
    listed = {f"{m}.{n}" for _, m, n in ADVISORY_GADGETS}
    for gadget in (
        "torch.utils.collect_env.run",
        "torch.utils.collect_env.run_and_read_all",
        "torch.utils.bottleneck.__main__.run_cprofile",
        "torch.fx.experimental.symbolic_shapes.ShapeEnv.evaluate_guards_expression",
        "torch.utils._config_module.ConfigModule.load_config",
        "doctest.debug_script",
        "uuid._get_command_stdout",
        "imaplib.IMAP4_stream",
        "imaplib.IMAP4",
        "poplib.POP3",
        "nntplib.NNTP",
        "_interpreters.create",
    ):
        assert gadget in listed


def test_safe_members_of_dangerous_modules_stay_safe() -> None:
    assert classify("uuid", "UUID").verdict is Verdict.SAFE
    assert classify("uuid", "uuid4").verdict is Verdict.DANGEROUS
