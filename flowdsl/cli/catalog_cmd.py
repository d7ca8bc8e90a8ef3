"""``flowdsl catalog``: list, show and search model schemas (bundled snapshot + local cache).

``catalog sync`` (fetch schemas from the API into the cache) lives in
``flowdsl.cli.sync_cmd`` and is attached lazily: without that module the group simply has
no ``sync`` subcommand.

Exit codes: 0 success; 1 unknown model (``show``) or nothing found (``search``);
2 usage error (see :mod:`flowdsl.cli.exit_codes`). ``--format json`` (alias ``--json``) on
list, show and search prints the same facts as data.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from typing import Any

import click

from flowdsl.catalog import ModelSpec, load_catalog
from flowdsl.catalog.layered import LayeredCatalog
from flowdsl.cli.common import OneLineErrorsGroup, fail, format_option
from flowdsl.cli.exit_codes import EXIT_FINDINGS, epilog

# name -> "module:attribute", imported only when the subcommand is used.
LAZY_COMMANDS: dict[str, str] = {"sync": "flowdsl.cli.sync_cmd:sync"}


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class _CatalogGroup(OneLineErrorsGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [n for n, target in LAZY_COMMANDS.items() if _module_exists(target.split(":")[0])]
        return sorted(set(super().list_commands(ctx)) | set(lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in LAZY_COMMANDS:
            return command
        module, attr = LAZY_COMMANDS[cmd_name].split(":")
        if not _module_exists(module):
            return None
        found: click.Command | None = getattr(importlib.import_module(module), attr, None)
        if found is not None and not found.epilog:
            found.epilog = epilog(f"catalog {cmd_name}") or None
        return found


@click.group(cls=_CatalogGroup, epilog=epilog("catalog"))
def catalog() -> None:
    """Model schemas: the bundled snapshot, overlaid by the local cache (catalog sync)."""


_no_cache = click.option("--no-cache", is_flag=True, help="Use the bundled snapshot only.")
_format = format_option("text", "json")


def _catalog(no_cache: bool) -> LayeredCatalog:
    return load_catalog(cache=not no_cache)


def _summary(spec: ModelSpec) -> dict[str, Any]:
    schema = spec.request_schema or {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else None
    return {
        "slug": spec.slug,
        "title": spec.title,
        "version": spec.version,
        "output_type": spec.output_type,
        "output_media": spec.output_media,
        "params": None if props is None else len(props),
        "schema_complete": spec.schema_complete,
        "source": spec.source,
        "origin": spec.origin,
        "aliases": list(spec.aliases),
    }


def _full(spec: ModelSpec) -> dict[str, Any]:
    out = _summary(spec)
    del out["params"]
    out.update(
        {
            "description": spec.description,
            "request_schema": spec.request_schema,
            "param_media": dict(spec.param_media),
            "duration_s": list(spec.duration_s) if spec.duration_s else None,
            "cost_usd": spec.cost_usd,
        }
    )
    return out


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _dash(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def _params_label(spec: ModelSpec) -> str:
    summary = _summary(spec)
    if summary["params"] is None:
        return "?"
    return f"{summary['params']}{'' if spec.schema_complete else '+'}"


@catalog.command("list", epilog=epilog("catalog list"))
@_format
@_no_cache
def list_cmd(fmt: str, no_cache: bool) -> None:
    """List every known model (params: count, + when the list may be partial, ? unknown)."""
    cat = _catalog(no_cache)
    specs = [s for s in (cat.get(slug) for slug in cat.slugs()) if s is not None]
    if fmt == "json":
        click.echo(json.dumps([_summary(s) for s in specs], indent=2, ensure_ascii=False))
        return
    rows = [["SLUG", "MEDIA", "OUTPUT", "PARAMS", "SOURCE", "TITLE"]]
    for s in specs:
        source = s.source if s.source != "bundled" else (s.origin or "bundled")
        rows.append([s.slug, _dash(s.output_media), _dash(s.output_type), _params_label(s), source, s.title])
    click.echo(_table(rows))
    note = "complete list" if cat.complete else "not the platform's full list; run `flowdsl catalog sync`"
    click.echo(f"\n{len(specs)} models ({note})")


def _constraints(prop: dict[str, Any]) -> str:
    parts = []
    if "enum" in prop:
        parts.append("one of " + ", ".join(json.dumps(v, ensure_ascii=False) for v in prop["enum"]))
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if lo is not None and hi is not None:
        parts.append(f"{lo}..{hi}")
    elif lo is not None:
        parts.append(f">= {lo}")
    elif hi is not None:
        parts.append(f"<= {hi}")
    for key, label in (("minLength", "min length"), ("maxLength", "max length"), ("pattern", "pattern")):
        if key in prop:
            parts.append(f"{label} {prop[key]}")
    return "; ".join(parts)


def _type_label(prop: dict[str, Any]) -> str:
    typ = prop.get("type")
    if isinstance(typ, list):
        return "|".join(str(t) for t in typ)
    if typ == "array" and isinstance(prop.get("items"), dict) and prop["items"].get("type"):
        return f"array<{prop['items']['type']}>"
    return str(typ) if typ else "any"


def _render_spec(spec: ModelSpec) -> str:
    lines = [f"{spec.slug}  {spec.title}".rstrip()]
    if spec.description:
        lines.append(f"  {spec.description}")
    duration = f"{spec.duration_s[0]:g}-{spec.duration_s[1]:g} s" if spec.duration_s else "-"
    cost = f"${spec.cost_usd:g}" if spec.cost_usd is not None else "-"
    source = spec.source + (f" ({spec.origin})" if spec.origin else "")
    facts = [
        ("version", _dash(spec.version)),
        ("output", f"{_dash(spec.output_type)} ({_dash(spec.output_media)})"),
        ("source", source),
        ("aliases", ", ".join(spec.aliases) or "-"),
        ("duration", duration),
        ("cost", cost),
    ]
    width = max(len(k) for k, _ in facts)
    lines += [f"  {k.ljust(width)}  {v}" for k, v in facts]
    schema = spec.request_schema or {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else None
    if props is None:
        lines.append("\nparams unknown (the bundled catalog only knows the name; try `flowdsl catalog sync`)")
        return "\n".join(lines)
    required = set(schema.get("required") or [])
    rows = [["PARAM", "TYPE", "REQUIRED", "DEFAULT", "CONSTRAINTS", "MEDIA", "DESCRIPTION"]]
    for name, prop in props.items():
        prop = prop if isinstance(prop, dict) else {}
        default = json.dumps(prop["default"], ensure_ascii=False) if "default" in prop else "-"
        rows.append([
            name,
            _type_label(prop),
            "yes" if name in required else ("?" if not spec.schema_complete and not required else "no"),
            default,
            _constraints(prop) or "-",
            spec.param_media.get(name, "-"),
            str(prop.get("description") or ""),
        ])
    lines.append("")
    lines.append(_table(rows))
    if not spec.schema_complete:
        lines.append("\n(partial schema: the model may take more params than listed)")
    return "\n".join(lines)


@catalog.command("show", epilog=epilog("catalog show"))
@click.argument("slug")
@_format
@_no_cache
def show_cmd(slug: str, fmt: str, no_cache: bool) -> None:
    """Show one model's schema (SLUG may be an alias such as "Flux Max")."""
    from flowdsl.suggest import closest

    cat = _catalog(no_cache)
    spec = cat.get(slug)
    if spec is None:
        resolved = cat.resolve_alias(slug)
        spec = cat.get(resolved) if resolved else None
    if spec is None:
        best = closest(slug, cat.slugs())
        hint = f' (did you mean "{best}"?)' if best else ""
        fail(f'unknown model "{slug}"{hint}', EXIT_FINDINGS)
    if fmt == "json":
        click.echo(json.dumps(_full(spec), indent=2, ensure_ascii=False))
    else:
        click.echo(_render_spec(spec))


@catalog.command("search", epilog=epilog("catalog search"))
@click.argument("text", nargs=-1, required=True)
@_format
@_no_cache
def search_cmd(text: tuple[str, ...], fmt: str, no_cache: bool) -> None:
    """Find models whose slug, alias, title or description contains every word of TEXT."""
    cat = _catalog(no_cache)
    found = cat.search(" ".join(text))
    if fmt == "json":
        # An empty list is still the answer (exit 1 says nothing matched).
        click.echo(json.dumps([_summary(s) for s in found], indent=2, ensure_ascii=False))
    elif found:
        rows = [["SLUG", "MEDIA", "OUTPUT", "PARAMS", "TITLE"]]
        rows += [[s.slug, _dash(s.output_media), _dash(s.output_type), _params_label(s), s.title] for s in found]
        click.echo(_table(rows))
    else:
        fail(f'no model matches "{" ".join(text)}"', EXIT_FINDINGS)
    if not found:
        raise SystemExit(EXIT_FINDINGS)
