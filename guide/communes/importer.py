"""The commune registry written from the official lists, never by hand (`flask province set`,
guide/province.py, writes a deployment's; the shipped example is content/communes.yaml).

The data comes from the `vietnamadminunits` package (MIT licence), built from the National
Statistics Office's lists: today's 3,321 units (`admin_units`), the 10,040 units before 1 July 2025
(`admin_units_legacy`) and the conversion between them, where a unit split between several new
ones names each of them and a default.

Slugs are the name's words folded and joined by hyphens (`krong-ana`, `buon-trap`). Where two
units would get the same slug (see content/README.md, "The commune registry"):
- today's commune: `<name>`, else `<name>-<province>`, else `<kind>-<name>-<province>`, else
  `<name>-<code>`;
- a former unit: `<name>` if no other former unit had that name and it is not another commune's
  slug, else `<name>-<former district>`, else `<name>-<former district>-<former province>`, else
  `<name>-<code>`. Its name's slug (`ea-bar`) still answers, with a choice between the units.
A slug once written is kept: the import reads the file it replaces and gives every code the slug
it had, so printed QR codes keep working whatever is imported later. Re-running it writes the same
bytes.
"""

import difflib
import functools
import importlib.metadata
import json
import os
import re
from collections import Counter
from pathlib import Path

import click
import yaml

from ..content.schema import read_written
from ..text import fold, slugify

PACKAGE = "vietnamadminunits"
KIND_OF = {"xã": "xa", "phường": "phuong", "đặc khu": "dac-khu", "thị trấn": "thi-tran"}
SOURCE_LINE = "https://github.com/tranngocminhhieu/vietnamadminunits"


def _kind(type_name: str | None) -> str:
    return KIND_OF.get((type_name or "").strip().lower(), "xa")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _package():
    try:
        # here, not at the top: the package takes a second to load, and every `flask` command loads this module
        from vietnamadminunits import converter, database
    except ImportError:  # pragma: no cover
        raise click.ClickException(f"the {PACKAGE} package is not installed: pip install -e .") from None
    return converter, database


@functools.cache
def province_names() -> tuple[str, ...]:
    """Every province's name without its kind, today's 34 and the 63 before 1 July 2025 ("Đắk Lắk")."""
    _converter, database = _package()
    rows = database.query("SELECT DISTINCT provinceShort FROM admin_units")
    rows += database.query("SELECT DISTINCT provinceShort FROM admin_units_legacy")
    return tuple(sorted({row["provinceShort"] for row in rows}))


def load_data():
    """The package's three tables: today's units, the former ones, and the conversion."""
    converter, database = _package()
    new = database.query(
        "SELECT DISTINCT province, provinceShort, provinceCode, provinceKey, provinceShortKey,"
        " wardShort, wardType, wardCode, wardKey FROM admin_units"
    )
    old = database.query(
        "SELECT DISTINCT province, district, districtShort, districtCode, districtKey, provinceKey, provinceShort,"
        " wardShort, wardType, wardCode, wardKey FROM admin_units_legacy"
    )
    conversion = converter.converter_2025  # loaded by its package's __init__ (version pinned in pyproject.toml)
    return new, old, conversion.DICT_PROVINCE_WARD_NO_DIVIDED, conversion.DICT_PROVINCE_WARD_DIVIDED


def choose_provinces(new_rows: list[dict], wanted: tuple[str, ...], everything: bool) -> list[str]:
    """Province keys for `--province` values (a code, `66`, or a name, `Đắk Lắk`, accents optional)."""
    provinces = {row["provinceKey"]: row for row in new_rows}
    if everything:
        return sorted(provinces, key=lambda key: provinces[key]["provinceCode"])
    chosen = []
    for value in wanted:
        key = _key(value)
        found = [
            p
            for p, row in provinces.items()
            if value.strip() == row["provinceCode"] or key in (p, row["provinceShortKey"], _key(row["province"]))
        ]
        if not found:
            names = sorted({row["provinceShort"] for row in provinces.values()})
            by_fold = {fold(name): name for name in names}
            like = [by_fold[key] for key in difflib.get_close_matches(fold(value), list(by_fold), n=3, cutoff=0.5)]
            hint = f"; did you mean {', '.join(like)}?" if like else f"; the provinces: {', '.join(names)}"
            raise click.BadParameter(f"no province is called or numbered {value!r}{hint}", param_hint="PROVINCE")
        chosen += [p for p in found if p not in chosen]
    return sorted(chosen, key=lambda key: provinces[key]["provinceCode"])


def previous_slugs(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The slugs the file being replaced gave each code (communes, former units): they are kept."""
    data = read_written(path)
    communes, former = {}, {}
    for province in data.get("provinces") or [] if isinstance(data, dict) else []:
        for commune in province.get("communes") or []:
            if commune.get("code") and commune.get("slug"):
                communes[str(commune["code"])] = str(commune["slug"])
            for unit in commune.get("former") or []:
                if unit.get("code") and unit.get("slug"):
                    former[str(unit["code"])] = str(unit["slug"])
    return communes, former


def _pick(candidates: list[str], taken: set[str]) -> str:
    return next(slug for slug in candidates if slug not in taken)


def build(data, province_keys: list[str], kept: tuple[dict, dict] = ({}, {})) -> dict:
    """The registry as plain data: provinces, their communes, and each commune's former units."""
    kept_communes, kept_former = kept
    communes = _communes(data, province_keys)
    slugs = _commune_slugs(communes, kept_communes)
    unit_slugs = _former_slugs(communes, slugs, kept_former)
    return {"provinces": [_province(key, communes, slugs, unit_slugs) for key in province_keys]}


def _communes(data, province_keys: list[str]) -> list[tuple[dict, list[tuple[dict, bool, bool]]]]:
    """Today's communes of the provinces, in code order, each with its former units: (old row, is
    the default of a split unit, split)."""
    new_rows, old_rows, undivided, divided = data
    old_by_key = {f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}": row for row in old_rows}
    communes = []
    for province in province_keys:
        rows = sorted((r for r in new_rows if r["provinceKey"] == province), key=lambda r: r["wardCode"])
        went = _where_they_went(rows, undivided.get(province, {}), divided.get(province, {}))
        for row in rows:
            former = [(old_by_key[k], default, split) for k, default, split in went[row["wardKey"]]]
            former.sort(key=lambda item: item[0]["wardCode"] or item[0]["districtCode"])
            communes.append((row, former))
    return communes


def _where_they_went(rows: list[dict], undivided: dict, divided: dict) -> dict[str, list[tuple[str, bool, bool]]]:
    """A new commune's key -> (former unit's key, is the default, split) for each unit merged into it."""
    went = {row["wardKey"]: [] for row in rows}
    for ward_key, old_keys in undivided.items():
        for old_key in old_keys:
            went[ward_key].append((old_key, False, False))
    for old_key, targets in divided.items():
        for target in targets:
            went[target["newWardKey"]].append((old_key, bool(target["isDefaultNewWard"]), True))
    return went


def _commune_slugs(communes: list, kept: dict[str, str]) -> dict[str, str]:
    """A commune's code -> its slug: the kept one, else the first free of its candidates."""
    base_count = Counter(slugify(row["wardShort"]) for row, _former in communes)
    # kept slugs are reserved before any new one is chosen
    slugs = {row["wardCode"]: kept[row["wardCode"]] for row, _former in communes if kept.get(row["wardCode"])}
    taken = set(slugs.values())
    for row, _former in communes:
        if row["wardCode"] in slugs:
            continue
        base, province = slugify(row["wardShort"]), slugify(row["provinceShort"])
        candidates = [f"{base}-{province}", f"{_kind(row['wardType'])}-{base}-{province}", f"{base}-{row['wardCode']}"]
        slug = _pick(([base] if base_count[base] == 1 else []) + candidates, taken)
        slugs[row["wardCode"]] = slug
        taken.add(slug)
    return slugs


def _former_slugs(communes: list, slugs: dict[str, str], kept: dict[str, str]) -> dict[str, str]:
    """A former unit's code -> its slug; today's communes' slugs won first, so a unit's name is its
    slug only where no commune has it (but the one it went to) and no other former unit had it."""
    taken = set(slugs.values())
    units = {}  # a former unit's code -> (row, the slugs of the communes it went to)
    for row, former in communes:
        for old, _default, _split in former:
            units.setdefault(_unit_code(old), (old, []))[1].append(slugs[row["wardCode"]])
    name_count = Counter(slugify(_unit_name(old)) for old, _targets in units.values())
    unit_slugs = {code: kept[code] for code in units if kept.get(code)}
    taken_by_units = set(unit_slugs.values())
    for code, (old, targets) in units.items():
        if code in unit_slugs:
            continue
        base = slugify(_unit_name(old))
        district, province = slugify(old["districtShort"] or ""), slugify(old["provinceShort"] or "")
        candidates = [f"{base}-{district}", f"{base}-{district}-{province}", f"{base}-{code}"]
        if name_count[base] == 1 and (base not in taken or base in targets):
            candidates.insert(0, base)
        slug = _pick(candidates, taken_by_units | (taken - set(targets)))
        unit_slugs[code] = slug
        taken_by_units.add(slug)
    return unit_slugs


def _province(key: str, communes: list, slugs: dict[str, str], unit_slugs: dict[str, str]) -> dict:
    """A province as the file lists it: its code, name and communes, each with its former units."""
    mine = [(row, former) for row, former in communes if row["provinceKey"] == key]
    first = mine[0][0]
    listed = []
    for row, former in mine:
        entry = {
            "code": row["wardCode"],
            "slug": slugs[row["wardCode"]],
            "name": row["wardShort"],
            "kind": _kind(row["wardType"]),
            "former": [_former_unit(old, default, split, first, unit_slugs) for old, default, split in former],
        }
        listed.append(entry)
    return {"code": first["provinceCode"], "name": first["province"], "communes": listed}


def _former_unit(old: dict, default: bool, split: bool, first: dict, unit_slugs: dict[str, str]) -> dict:
    unit = {
        "code": _unit_code(old),
        "slug": unit_slugs[_unit_code(old)],
        "name": _unit_name(old),
        "kind": _kind(old["wardType"]) if old["wardShort"] else "huyen",
    }
    if old["wardShort"]:
        unit["district"] = old["district"]
    if old["province"] != first["province"]:
        unit["province"] = old["province"]
    if split and default:
        unit["default"] = True
    return unit


def _unit_code(old: dict) -> str:
    return old["wardCode"] or old["districtCode"]  # an island district that had no commune


def _unit_name(old: dict) -> str:
    return old["wardShort"] or old["districtShort"]


# --- writing ---------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[^\W\d_][\w .'()/-]*[\w.)]$|^[^\W\d_]$")
_RESOLVES = re.compile(r"^(?:y|n|yes|no|true|false|on|off|null|~)$", re.I)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if _PLAIN.match(text) and not _RESOLVES.match(text) and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _flow(mapping: dict) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in mapping.items()) + "}"


def dump(registry: dict, command: str, version: str) -> str:
    lines = [
        f"# GENERATED by `{command}` from {PACKAGE} {version} (MIT licence,",
        f"# {SOURCE_LINE}), built from the National Statistics Office's",
        "# lists of administrative units. Do not edit: re-run the command (it keeps every slug it wrote).",
        "# What no dataset holds (service centre, post office, population) is entered on the dashboard",
        "# and kept in the database. The format and the slug rules: content/README.md.",
        "provinces:",
    ]
    for province in registry["provinces"]:
        lines += [f"  - code: {_scalar(province['code'])}", f"    name: {_scalar(province['name'])}", "    communes:"]
        for commune in province["communes"]:
            lines.append(f"      - code: {_scalar(commune['code'])}")
            lines += [f"        {key}: {_scalar(commune[key])}" for key in ("slug", "name", "kind")]
            if commune["former"]:
                lines.append("        former:")
                lines += [f"          - {_flow(unit)}" for unit in commune["former"]]
    return "\n".join(lines) + "\n"


def write(path: Path, province_values: tuple[str, ...], everything: bool, data=None) -> dict:
    """Build the registry for the chosen provinces and write it to `path` (atomically)."""
    data = data or load_data()
    keys = choose_provinces(data[0], province_values, everything)
    registry = build(data, keys, previous_slugs(path))
    codes = [province["code"] for province in registry["provinces"]]  # however they were named
    command = f"flask province set {codes[0]}" if len(codes) == 1 else f"{__name__}.write for {len(codes)} provinces"
    version = importlib.metadata.version(PACKAGE)
    text = dump(registry, command, version)
    if yaml.safe_load(text) != registry:  # the writer above is small; make sure it says what it means
        raise click.ClickException("the generated YAML does not read back as written (a bug in the importer)")
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return registry
