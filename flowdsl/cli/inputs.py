"""Workflow inputs on the command line, shared by ``simulate`` and ``trigger`` so both read
them the same way: ``-i/--input NAME=VALUE`` (repeatable; VALUE read as the input's declared
type) and ``--inputs-file F`` (JSON or YAML: a mapping of input name to value, or for
``trigger`` a list of such mappings, one execution each).

The typing and validation rules are the simulator's (:mod:`flowdsl.simulate.inputs`): one
set of rules for what an input is. Every problem is an ``InputError`` with a one-line
message; the commands print it and exit 2.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

import click

from flowdsl import ir
from flowdsl.simulate.inputs import (InputError, as_mapping, coerce, parse_pairs, prepare,
                                     read_inputs_doc)

__all__ = ["InputError", "check_pairs", "input_options", "inputs_for_run", "inputs_for_trigger",
           "read_inputs_doc", "read_trigger_file"]

F = TypeVar("F", bound=Callable[..., Any])


def input_options(*, many: bool) -> Callable[[F], F]:
    """The ``-i/--input`` and ``--inputs-file`` options (parameters ``pairs``, ``inputs_file``)."""
    what = ("Inputs as a JSON or YAML file: one mapping of input name to value, or a list of "
            "them (one execution each; sent 10 per request, the API's limit).") if many else \
        "Inputs as a JSON or YAML mapping of input name to value."

    def deco(f: F) -> F:
        f = click.option("--inputs-file", "inputs_file", type=click.Path(dir_okay=False), help=what)(f)
        f = click.option("-i", "--input", "pairs", multiple=True, metavar="NAME=VALUE",
                         help="A workflow input (repeatable); VALUE is read as the input's declared type "
                              "(a string input stays text: -i script=2024 is \"2024\").")(f)
        return f
    return deco


def inputs_for_run(wf: ir.Workflow, pairs: tuple[str, ...], inputs_file: str | None) -> dict[str, Any]:
    """One run's inputs (``simulate``): the file, then ``-i`` over it, defaults applied, validated."""
    given = as_mapping(read_inputs_doc(inputs_file), inputs_file) if inputs_file else {}
    given.update(parse_pairs(pairs, wf))
    return prepare(wf, given)


def check_pairs(pairs: tuple[str, ...]) -> None:
    """Each ``-i`` is NAME=VALUE (checked before any request: the flow's schema comes later)."""
    for pair in pairs:
        name, sep, _ = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--input {pair!r}: expected NAME=VALUE")


def read_trigger_file(inputs_file: str | None, *, max_items: int = 10_000) -> tuple[list[dict[str, Any]], bool]:
    """(the entries of ``--inputs-file``, whether it held a list): one mapping, or a
    non-empty list of mappings; no file is one empty entry."""
    if not inputs_file:
        return [{}], False
    data = read_inputs_doc(inputs_file)
    if not isinstance(data, list):
        return [as_mapping(data, inputs_file)], False
    if not data:
        raise InputError(f"the inputs file {inputs_file} holds an empty list: nothing to trigger")
    if len(data) > max_items:
        raise InputError(f"the inputs file {inputs_file} holds {len(data)} inputs; at most {max_items}")
    return [as_mapping(d, inputs_file, f" (entry {n})") for n, d in enumerate(data, 1)], True


def inputs_for_trigger(wf: ir.Workflow | None, pairs: tuple[str, ...], items: list[dict[str, Any]],
                       source: str | None = None) -> list[dict[str, Any]]:
    """The inputs of each execution to start (``trigger``): each entry of ``items`` (from
    :func:`read_trigger_file`) with the ``-i`` pairs over it, typed and validated against
    ``wf``'s input schema when the flow is known (else each VALUE is text). Defaults are not
    filled in: the API applies them, and what is sent is what the execution echoes back."""
    check_pairs(pairs)
    if wf is not None:
        overrides = parse_pairs(pairs, wf)
    else:
        overrides = {name.strip(): coerce(None, name.strip(), text)
                     for name, _, text in (p.partition("=") for p in pairs)}
    out: list[dict[str, Any]] = []
    for n, item in enumerate(items, 1):
        values = {**item, **overrides}
        if wf is not None:
            try:
                prepare(wf, values)  # validates (on a copy with defaults); values are sent as given
            except InputError as exc:
                raise InputError(f"{exc} (entry {n} of {source})" if len(items) > 1 else str(exc)) from None
        out.append(values)
    return out
