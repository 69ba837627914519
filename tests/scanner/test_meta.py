"""PolicyMetaLint for our YAML: everything shipped loads, links resolve, checks are linked."""

from __future__ import annotations

from scanner.catalogue import load_catalogue
from scanner.checks import load_checks, load_resource_types
from scanner.links import links_by_check, load_links, load_unmapped
from scanner.load import package_path


def test_every_check_loads_and_id_matches_file():
    checks = load_checks()
    assert len(checks) >= 50
    for c in checks:
        assert c.path.endswith(f"/{c.provider}/{c.service}/checks/{c.id}.yaml")


def test_every_link_names_an_existing_check():
    keys = {c.key for c in load_checks()}
    links = load_links(load_catalogue())
    unknown = sorted({lk.check for ls in links.values() for lk in ls} - keys)
    assert unknown == []


def test_every_check_is_linked_to_a_requirement_or_says_why_not():
    by_check = links_by_check(load_links(load_catalogue()))
    unmapped = load_unmapped()
    keys = {c.key for c in load_checks()}
    assert sorted(k for k in keys if k not in by_check and k not in unmapped) == []
    assert sorted(k for k in unmapped if k in by_check) == []  # listed as evidencing nothing, yet linked
    assert sorted(k for k in unmapped if k not in keys) == []  # no stale entries


def test_links_mirror_catalogue_files():
    root = package_path("mappings")
    cat = {p.relative_to(root / "catalogue") for p in (root / "catalogue").glob("*/*.yaml")}
    links = {p.relative_to(root / "links") for p in (root / "links").glob("*/*.yaml")}
    assert links <= cat


def test_resource_types_are_named_after_their_folder():
    for name, rt in load_resource_types().items():
        assert name.startswith(f"{rt.provider}.{rt.service}.")


def test_data_location_checks_cover_every_collected_type_and_the_sweep():
    """The per-type location check judges every collected resource type (Azure: resource groups, the rest
    being in its ARM resource listing); the sweep check judges the cloud's whole-account listing. Together
    nothing is judged twice and no collected type is left out."""
    types = load_resource_types()
    sweeps = {rt.provider: t for t, rt in types.items() if rt.sweep_type_of}
    assert set(sweeps) == {"aws", "alibaba", "azure"}
    for c in load_checks():
        if c.id == "resource-region-in-mainland-china" and c.provider == "azure":
            assert set(c.resources) == {"azure.resources.resource-group"}
        elif c.id == "resource-region-in-mainland-china":
            expected = {
                t for t, rt in types.items() if rt.provider == c.provider and not (rt.setting or rt.sweep_type_of)
            }
            assert set(c.resources) == expected
        elif c.id == "account-resources-in-mainland-china":
            assert c.resources == (sweeps[c.provider],)
