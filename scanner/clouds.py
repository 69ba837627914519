"""The cloud registry: which clouds exist, where their data lives, and which module adapts each one.

Every list of clouds derives from here (inventory providers, the ``mlps scan`` subcommands, built-in
examples, coverage columns, IaC provider prefixes, the loaders' checks), so adding a cloud is one folder
under ``providers/``, one entry in ``providers/clouds.yaml`` and one adapter module. The core reads the
registry as data and never imports an adapter; the CLI does, by the module name registered here.
``register`` adds a cloud at run time (a plugin, or a test's toy cloud).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scanner.errors import MlpsError
from scanner.load import package_path, read_yaml

NAME_PATTERN = "^[a-z][a-z0-9]*$"


@dataclass(frozen=True)
class Cloud:
    name: str  # provider key: inventories, check keys ('<name>/<id>'), resource types ('<name>.<service>.<type>')
    zh: str
    en: str
    adapter: str  # module implementing providers.Adapter
    root: Path  # folder of the cloud's services: <root>/<service>/resources.yaml and checks/
    terraform: str | None = None  # Terraform provider name (alicloud, azurerm, ...)
    example: str | None = None  # built-in example inventory name

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


_EXTRA: dict[str, Cloud] = {}


@cache
def _shipped() -> dict[str, Cloud]:
    root = package_path("providers")
    doc = read_yaml(root / "clouds.yaml")
    out = {}
    for name, c in (doc.get("clouds") or {}).items():
        out[name] = Cloud(
            name=name,
            zh=c["zh"],
            en=c["en"],
            adapter=c["adapter"],
            root=root / name,
            terraform=c.get("terraform"),
            example=c.get("example"),
        )
    return out


def clouds() -> dict[str, Cloud]:
    """Every registered cloud by name: the shipped ones, then those registered at run time."""
    return {**_shipped(), **_EXTRA}


def names() -> tuple[str, ...]:
    return tuple(clouds())


def get(name: str) -> Cloud:
    try:
        return clouds()[name]
    except KeyError:
        raise MlpsError(f"unknown cloud {name!r}", f"registered clouds: {', '.join(names())}") from None


def register(cloud: Cloud) -> None:
    """Add a cloud for this process (a plugin, or a test's toy cloud); a shipped name cannot be replaced."""
    if not re.match(NAME_PATTERN, cloud.name):
        raise MlpsError(f"cloud name {cloud.name!r} must match {NAME_PATTERN}")
    if cloud.name in _shipped():
        raise MlpsError(f"cloud {cloud.name!r} is already registered")
    _EXTRA[cloud.name] = cloud


def unregister(name: str) -> None:
    _EXTRA.pop(name, None)


def terraform_prefixes() -> dict[str, str]:
    """Terraform provider name -> cloud name, for the clouds IaC scans cover."""
    return {c.terraform: c.name for c in clouds().values() if c.terraform}
