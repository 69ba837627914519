"""``mlps evidence pack|verify``: build an evidence pack for assessors, or check one."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.common import read_input, resolve_inputs
from scanner.errors import MlpsError

EXIT_TAMPERED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="pack|verify")
    p = sub.add_parser("pack", help="write PACK.zip: redacted inventory, findings, reports, metadata, manifest")
    p.add_argument(
        "input", metavar="INPUT", help="scan folder (mlps scan --out), inventory, findings file, or example:NAME"
    )
    p.add_argument("--out", required=True, metavar="PACK.zip")
    p.add_argument("--level", metavar="N", help="protection level when INPUT is an inventory (default 3)")
    p.add_argument("--lang", choices=("zh", "en", "both"), default="both", help="report language (default: both)")
    p.add_argument("--waivers", metavar="FILE", help="waivers applied to the reports; the file is packed too")
    p.add_argument(
        "--sign-key",
        metavar="KEY.pem",
        help="Ed25519 private key (PEM) to sign the manifest; MLPS_SIGN_KEY_PASSWORD if encrypted",
    )
    v = sub.add_parser("verify", help="check every file against the manifest, and the signature")
    v.add_argument("pack", metavar="PACK.zip")
    v.add_argument("--public-key", metavar="KEY.pem", help="the signer's Ed25519 public key (PEM) to trust")


def run(args: argparse.Namespace) -> int:
    return _pack(args) if args.action == "pack" else _verify(args)


def _pack(args: argparse.Namespace) -> int:
    from reports.pack import build_pack
    from scanner.catalogue import parse_level

    out = Path(args.out)
    if out.suffix != ".zip":
        raise MlpsError(f"{out}: the pack name must end in .zip")
    (path,) = resolve_inputs([args.input])
    doc, inv = read_input(path, parse_level(args.level) if args.level else None)
    manifest = build_pack(
        doc,
        inv,
        out,
        args.lang,
        Path(args.waivers) if args.waivers else None,
        Path(args.sign_key) if args.sign_key else None,
    )
    sig = manifest["signature"]
    print(
        f"{out}: {len(manifest['files'])} files"
        + (f", signed (Ed25519 key sha256:{sig['public_key_sha256'][:16]}…)" if sig else ", unsigned")
        + ("" if inv is not None else "; no inventory in the input, so the pack cannot be re-evaluated")
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from scanner.evidence import verify
    from scanner.sanitize import one_line

    v = verify(Path(args.pack), Path(args.public_key) if args.public_key else None)
    for problem in v.container:
        print(one_line(f"container: {problem}"))
    for label, names in (("altered", v.altered), ("added", v.added), ("removed", v.removed)):
        for n in names:
            print(one_line(f"{label}: {n}"))
    sig_line = {
        "absent": "signature: none (pack is unsigned)",
        "valid": f"signature: valid (Ed25519 key sha256:{v.fingerprint})"
        + ("" if args.public_key else "; checked against the key inside the pack, pass --public-key to trust a key"),
        "invalid": "signature: INVALID",
        "untrusted-key": f"signature: made with a different key (manifest names sha256:{v.fingerprint})",
        "missing": "signature: MISSING (expected but not present)",
    }[v.signature]
    print(sig_line)
    if v.ok:
        print(f"{args.pack}: OK, {v.files} files match the manifest")
        return 0
    print(f"{args.pack}: FAILED verification")
    return EXIT_TAMPERED
