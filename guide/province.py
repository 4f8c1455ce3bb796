"""The province a deployment serves: its map and settings, kept outside git.

`flask province set "Thanh Hóa"` writes both into the instance folder, as the service user:
`communes.yaml`, the registry from the official lists (see guide/communes/importer.py), and
`province.yaml`, what differs between provinces and no dataset holds (its own public service portal).
Without them the shipped example is used, content/communes.yaml and content/province.yaml (Đắk
Lắk), so a fresh clone serves a working site and `git pull` never meets a deployment's change.

Guides and wizard texts name no province. `{province}` in them becomes the province's name in the
page's language ("tỉnh Thanh Hóa", "Thanh Hóa province"), `{online_fee}` what the province decided
about fees online (or that the portal shows the fee), `{or_province_portal}` (written after a link to
the national portal) " or [its own portal](/ra/cong-dvc-tinh)" where it has one and nothing where it
has none, and the link key `cong-dvc-tinh` goes to the province's own portal, or to the national one.
"""

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .communes import Province, Registry, importer, load_registry
from .content import ContentError, Link, Problem
from .content.schema import MapOf, Record, Text, read_written, read_yaml

REGISTRY_NAME = "communes.yaml"
SETTINGS_NAME = "province.yaml"
PORTAL_KEY = "cong-dvc-tinh"  # the link key guides use for "the province's public service portal"
HTTPS = re.compile(r"^https://[^/\s?#]+\.[^/\s?#]+(/\S*)?$")

SETTINGS = Record(
    {
        "portal": Record(
            {
                "url": Text(pattern=HTTPS, message="the portal's url must be an https:// address, not {value!r}"),
                "label": MapOf(Text(numbers=True)),
            },
            required=("url",),
            called="the portal",
        ),
        "online_fee": MapOf(Text(numbers=True), at_least=1),
    },
    unknown="a province's settings hold `portal: {url: https://…, label: {vi: …}}` and `online_fee: {vi: …}`",
)
# What `{online_fee}` says where the province has decided nothing of its own about fees online.
NO_FEE_DECISION = {
    "vi": "Cổng dịch vụ công cho biết lệ phí (nếu có) trước khi bạn trả.",
    "en": "The portal shows the fee, if there is one, before you pay.",
}


@dataclass(frozen=True)
class Settings:
    province: Province | None  # None: a registry of several provinces, or none named
    portal_url: str | None = None  # its own public service portal, if it has one
    portal_label: dict[str, str] = field(default_factory=dict)
    online_fee: dict[str, str] = field(default_factory=dict)  # a decision of the province's, per language

    def words(self, language: str) -> dict[str, str]:
        """What each placeholder says in `language` (Vietnamese's words for a language without its own)."""
        fee = self.online_fee or NO_FEE_DECISION
        return {
            "province": province_name(self.province, language),
            "online_fee": fee.get(language) or fee.get("vi") or next(iter(fee.values())),
            "or_province_portal": self.or_portal(language),
        }

    def or_portal(self, language: str) -> str:
        """After a link to the national portal: " or [the province's portal](…)" where it has one;
        nothing where it has none (its key would go to the national portal again)."""
        if not self.portal_url:
            return ""
        link = self.links()[0]
        label = link.label.get(language) or link.label["vi"]
        return f" {'or' if language == 'en' else 'hoặc'} [{label}](/ra/{PORTAL_KEY})"

    def links(self) -> list[Link]:
        """The province's own portal under the key guides use for it; without one, links.yaml's
        entry for that key (the national portal) stands."""
        if not self.portal_url:
            return []
        default = {"vi": f"Cổng Dịch vụ công {province_name(self.province, 'vi')}"}
        default["en"] = f"{province_name(self.province, 'en')}'s public service portal"
        return [Link(PORTAL_KEY, self.portal_url, {**default, **self.portal_label})]


def province_name(province: Province | None, language: str) -> str:
    """The province in running text: "tỉnh Đắk Lắk", "thành phố Huế"; "Đắk Lắk province" in English."""
    if province is None:
        return "your province" if language == "en" else "tỉnh"
    if language == "en":
        return f"{province.short} {'city' if province.kind == 'thanh-pho' else 'province'}"
    return f"{'thành phố' if province.kind == 'thanh-pho' else 'tỉnh'} {province.short}"


def files_in_use(instance: Path, content: Path) -> tuple[Path, Path]:
    """The registry and the settings the app reads: the deployment's own once `province set` has
    written them, else the shipped example."""
    if (instance / REGISTRY_NAME).exists():
        return instance / REGISTRY_NAME, instance / SETTINGS_NAME
    return content / REGISTRY_NAME, content / SETTINGS_NAME


def load(province_dir: Path, content_dir: Path) -> tuple[Registry, Settings]:
    """The registry and settings in use; raise ContentError naming every problem, and for the
    instance folder's own files how to get going again (the site cannot start to rewrite them)."""
    registry_path, settings_path = files_in_use(province_dir, content_dir)
    try:
        registry = load_registry(registry_path)
        return registry, read_settings(settings_path, registry)
    except ContentError as error:
        if registry_path.parent != province_dir:
            raise
        how = "correct it, or move it out of the folder and run `flask --app wsgi province set` again"
        raise ContentError([*error.problems, Problem(province_dir, f"written by `province set`: {how}")]) from None


def read_settings(path: Path, registry: Registry) -> Settings:
    """The province's settings; a missing file is a province with no settings of its own."""
    province = registry.province
    if not path.exists():
        return Settings(province)
    document = read_yaml(path, SETTINGS)
    if not document.ok:
        raise ContentError(document.problems())
    portal = (document.data or {}).get("portal") or {}
    return Settings(province, portal.get("url"), portal.get("label") or {}, document.data.get("online_fee") or {})


def written_province(path: Path) -> tuple[str, str, int] | None:
    """(code, name, communes) of the registry at `path`, if there is one."""
    data = read_written(path)
    provinces = [p for p in data.get("provinces") or () if isinstance(p, dict)] if isinstance(data, dict) else []
    if not provinces or not provinces[0].get("code"):
        return None  # nothing readable is set up there: nothing to replace
    first = provinces[0]
    return str(first["code"]), str(first.get("name")), sum(len(p.get("communes") or ()) for p in provinces)


def settings_text(portal: str | None, online_fee: dict[str, str]) -> str:
    """province.yaml as `province set` writes it: what is set, and how to set the rest."""
    lines = [
        "# What differs between provinces and no dataset holds (guide/province.py). Written by",
        "# `flask province set`; edit here or re-run it with --portal. Reload the site after a change.",
        "# portal: the province's own public service portal (https); without one, the national portal.",
        "# online_fee: what the province decided about fees online, e.g. {vi: …, en: …}, from its decision.",
    ]
    if portal:
        lines.append(f"portal: {{url: {json.dumps(portal)}}}")
    if online_fee:
        lines.append("online_fee:")
        lines += [f"  {code}: {json.dumps(text, ensure_ascii=False)}" for code, text in online_fee.items()]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@click.group("province")
def province_cli():
    """The province this site serves: its map and settings, in the instance folder."""


@province_cli.command("set")
@click.argument("name")
@click.option("--portal", help="the province's own public service portal, https://…")
@click.option("--yes", is_flag=True, help="replace the map of another province already set")
@click.option(
    "--into", type=click.Path(file_okay=False, path_type=Path), help="another folder (content/: the shipped example)"
)
@with_appcontext
def set_command(name: str, portal: str | None, yes: bool, into: Path | None):
    """Set the site up for a province (code or name, accents optional), from the official lists.
    Safe to re-run: every slug written before is kept, so printed links and QR codes keep working."""
    if portal is not None and not HTTPS.match(portal):
        raise click.BadParameter(f"{portal!r} is not an https:// address", param_hint="--portal")
    folder = into or Path(current_app.config["PROVINCE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    data = importer.load_data()
    key = importer.choose_provinces(data[0], (name,), False)[0]
    code = next(row["provinceCode"] for row in data[0] if row["provinceKey"] == key)
    before = written_province(folder / REGISTRY_NAME)
    if before and before[0] != code and not yes:
        raise click.ClickException(
            f"this site is set up for {before[1]} ({before[2]} communes). Setting it up for another province "
            "replaces that map (commune pages, links and QR codes of the old communes stop answering): "
            "run again with --yes to do so"
        )
    registry = importer.write(folder / REGISTRY_NAME, (code,), False, data)
    same = before is not None and before[0] == code
    portal = _write_settings(folder / SETTINGS_NAME, portal, same)
    load(folder, current_app.config["CONTENT_DIR"])  # what the app will read: refuse now, not at the reload
    click.echo(summary(registry, folder, portal, replaced=before if before and not same else None))


def _write_settings(path: Path, portal: str | None, same_province: bool) -> str | None:
    """Write the settings for a new province, or a new portal; keep what the province left
    otherwise. Returns the portal in use."""
    kept = _kept_settings(path) if same_province else {}
    if portal or not same_province or not path.exists():
        _write(path, settings_text(portal or _portal(kept), kept.get("online_fee") or {}))
    return portal or _portal(kept)


def _kept_settings(path: Path) -> dict:
    kept = read_written(path)
    return kept if isinstance(kept, dict) else {}


def _portal(settings: dict) -> str | None:
    portal = settings.get("portal")
    return portal.get("url") if isinstance(portal, dict) else None


def summary(registry: dict, folder: Path, portal: str | None, replaced: tuple | None) -> str:
    province = registry["provinces"][0]
    communes = province["communes"]
    listed = [unit["code"] for commune in communes for unit in commune["former"]]
    split = {code for code in set(listed) if listed.count(code) > 1}
    lines = [
        f"{province['name']}: {len(communes)} communes, {len(set(listed))} former units"
        f" ({len(split)} split between communes), written to {folder / REGISTRY_NAME}",
        f"settings: {folder / SETTINGS_NAME} (portal: {portal or 'the national portal'})",
    ]
    if replaced:
        lines.append(f"replaced {replaced[1]} ({replaced[2]} communes)")
    lines.append("reload the site to serve it: sudo systemctl reload guide (or restart `make run`)")
    return "\n".join(lines)
