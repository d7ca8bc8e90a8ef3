"""reference-type: a reference whose type cannot fit the param it fills.

A value that is exactly one template (``"{{inputs.n}}"``) keeps the referenced type at run
time; a template embedded in text (``"{{inputs.n}} seconds"``) is a string. Types come from
the inputs' schemas, the catalog's model output types (``.output`` is the whole output,
``.primary`` its first item) and pass steps' literal results. Fires only when both the
value's type and the param's type are known: an array into a string param, a string input
into an integer param, an input whose ``enum`` allows values the param's ``enum`` rejects.
An input whose declared ``minimum``/``maximum`` lets through values outside the param's
range (3..20 into a param that takes 5..15) fires too. Anywhere (params, text, conditions, outputs), a field read from a model output known to be
a URL string or an array (``{{gen.output.url}}``) fires too: it resolves to nothing.

    inputs:
      seconds: {type: string}
    steps:
      - id: clip
        model: veo-3
        with: {prompt: a wave, duration: "{{inputs.seconds}}"}   # reference-type: string
                                                                  #   into integer param
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl import ir
from flowdsl.check import types
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.models import templated_args

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.REFERENCE_TYPE


def check(ctx: "Context") -> Iterator[Diagnostic]:
    yield from _fields_of_known_outputs(ctx)
    for arg in templated_args(ctx):
        ty = arg.type
        if not ty.known:
            continue
        accepted = _accepted(arg.schema)
        if not types.fits(ty, accepted):
            assert accepted is not None
            whole = arg.scalar.template is not None and arg.scalar.template.whole
            source = (arg.scalar.template.refs[0].text() if whole and arg.scalar.template
                      else "text with an embedded template")
            wanted = " or ".join(sorted(accepted))
            hint = None
            if ty.json == "array" and "string" in accepted and whole and arg.scalar.template:
                ref = arg.scalar.template.refs[0]
                if ref.path == ("output",):
                    hint = f"use {{{{{ref.root}.primary}}}} for the first item"
            elif not whole and accepted & {"integer", "number", "boolean"}:
                hint = "only a value that is exactly one template keeps the referenced type"
            yield error(RULE, f'{arg.call.where}: "{arg.name}" takes {wanted}, but {source} '
                        f"is {ty.describe()}", arg.span, step=arg.call.step_id, hint=hint)
            continue
        # Only an input's declared bounds can be wider than the param's (cheap test first).
        template = arg.scalar.template
        if (ty.minimum is not None or ty.maximum is not None) and template is not None \
                and template.whole and template.refs[0].is_input:
            wide = _wider_range(ty, arg.schema)
            if wide is not None:
                yield error(RULE, f'{arg.call.where}: "{arg.name}" takes {wide[1]}, but '
                            f"{template.refs[0].text()} allows {wide[0]}", arg.span,
                            step=arg.call.step_id,
                            hint=f"narrow the input to {wide[1]} (minimum/maximum in inputs:)")
        if not ty.enum:
            continue
        enum = arg.schema.get("enum")
        if isinstance(enum, list):
            bad = [v for v in ty.enum if v not in enum]
            if bad:
                shown = ", ".join(repr(v) for v in bad[:5])
                yield error(RULE, f'{arg.call.where}: "{arg.name}" accepts '
                            f'{", ".join(repr(v) for v in enum[:8])}, but the referenced '
                            f"input may be {shown}", arg.span, step=arg.call.step_id)


# id(schema) -> (schema, the types it accepts): param schemas live in the catalog and are met
# again in every flow; holding the schema keeps its id unique while it is cached here.
_ACCEPTED: dict[int, tuple[object, frozenset[str] | None]] = {}


def _accepted(schema: dict[str, object]) -> frozenset[str] | None:
    hit = _ACCEPTED.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    accepted = types.schema_types(schema)
    if len(_ACCEPTED) >= 4096:  # a long-lived process sees many catalogs: stay bounded
        _ACCEPTED.clear()
    _ACCEPTED[id(schema)] = (schema, accepted)
    return accepted


def _fields_of_known_outputs(ctx: "Context") -> Iterator[Diagnostic]:
    """``{{gen.output.url}}`` where the model's output is known to be a URL string or an
    array: the field does not exist and the reference resolves to nothing at run time."""
    for use in ctx.refs():
        ref = use.ref
        path = ref.path
        if len(path) < 2 or path[0] not in ("output", "primary") or ref.root == "inputs":
            continue
        info = ctx.symbols.get(ref.root)
        if info is None or not isinstance(info.step, ir.ModelStep):
            continue
        whole = ctx.type_of(ir.Ref(ref.root, ref.path[:1], ref.span, ref.syntax))
        if whole.json not in ("string", "array"):
            continue  # unknown, or an object: fields may exist
        field = ref.path[1]
        if whole.json == "array" and field.isdigit():
            continue  # an index into the list
        shown = ref.text()
        short = f"{{{{{ref.root}.{ref.path[0]}}}}}" if ref.syntax == "template" else f"$.{ref.root}.{ref.path[0]}"
        if whole.json == "array":
            first = f"{{{{{ref.root}.primary}}}}" if ref.syntax == "template" else f"$.{ref.root}.primary"
            hint = f"use {first} for the first item" if ref.path[0] == "output" else f"use {short}"
        else:
            hint = f"use {short}: it is the URL itself"
        yield error(RULE, f'{shown}: the {ref.path[0]} of model "{info.step.model}" is '
                    f'{whole.describe()}, which has no field "{field}" (it resolves to nothing '
                    "at run time)", ref.span, step=use.step, hint=hint)


def _show(lo: float | None, hi: float | None) -> str:
    def n(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)
    if lo is not None and hi is not None:
        return f"{n(lo)}..{n(hi)}"
    return f"at least {n(lo)}" if lo is not None else f"at most {n(hi)}" if hi is not None else "any number"


def _wider_range(ty: types.Type, schema: dict[str, object]) -> tuple[str, str] | None:
    """(the input's range, the param's) when the input declares a bound that lets through
    values the param rejects; None otherwise (undeclared bounds are not guessed)."""
    p_lo, p_hi = types.bound(schema, "minimum"), types.bound(schema, "maximum")
    low = ty.minimum is not None and p_lo is not None and ty.minimum < p_lo
    high = ty.maximum is not None and p_hi is not None and ty.maximum > p_hi
    if not (low or high):
        return None
    return _show(ty.minimum, ty.maximum), _show(p_lo, p_hi)
