"""``ptmvet sign MODEL --key priv.pem``: sign a package with OpenSSF model_signing."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ptmvet.cli._common import emit, render
from ptmvet.formats import choices
from ptmvet.integrity.signing import sign_model


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sign",
        help="sign a model package (OpenSSF model_signing: EC key, certificate chain or Sigstore)",
        description="Sign every file of a model package. The signature (a Sigstore bundle) goes to MODEL/model.sig "
        "unless --output says otherwise; it is left out of what it signs.",
    )
    p.add_argument("model", type=Path, help="model folder (or a single file)")
    p.add_argument("--key", type=Path, help="EC private key (PEM; P-256, P-384 or P-521)")
    p.add_argument("--cert", type=Path, help="signing certificate (PEM) for --key; needs code-signing usage")
    p.add_argument("--chain", type=Path, action="append", default=[], help="intermediate/root CA certificate (PEM), repeatable")
    p.add_argument("--output", "-o", type=Path, help="signature file (default: MODEL/model.sig)")
    p.add_argument(
        "--password-env", metavar="VAR", help="read the private key's password from this environment variable"
    )
    p.add_argument("--sigstore", action="store_true", help="keyless Sigstore signing (needs a network and an OIDC identity)")
    p.add_argument("--identity-token", help="OIDC identity token for --sigstore (default: ambient credentials)")
    p.add_argument("--format", "-f", choices=choices("signing"), default="terminal", help="what to print (default: terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    password = os.environ.get(args.password_env) if args.password_env else None
    result = sign_model(
        args.model,
        key=args.key,
        cert=args.cert,
        chain=args.chain,
        output=args.output,
        sigstore=args.sigstore,
        identity_token=args.identity_token,
        password=password,
    )
    emit(render(result, args.format))
    return 0
