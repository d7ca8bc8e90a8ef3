"""Every command's exit codes, as data: one table keyed by command name ("catalog show" for a
subcommand), rendered into each command's ``--help`` by :func:`epilog`.

The table is pure data so that a command module owned elsewhere (plan/deploy/trigger in
``remote_cmds``) can use ``epilog=epilog("plan")`` without importing anything else; a command
that declares no epilog gets its entry attached by the group (see ``cli.main.LazyGroup``).
Codes 2 and 3 mean the same for every command and are appended to each entry.
"""

from __future__ import annotations

from typing import Final

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1  # findings with errors, or a failed operation
EXIT_USAGE: Final = 2  # bad flag, missing/unreadable file, bad value
EXIT_INTERNAL: Final = 3  # a bug in flowdsl, never a user mistake
EXIT_INTERRUPTED: Final = 130  # Ctrl-C (128 + SIGINT, as shells report it)

COMMON: Final[dict[int, str]] = {
    EXIT_USAGE: "bad usage: unknown option, bad value, missing or unreadable file",
    EXIT_INTERNAL: "internal error (a bug in flowdsl; please report it)",
}

_CHECK: Final = {
    0: "no errors (warnings allowed unless --strict)",
    1: "errors found, or warnings with --strict",
}

# command -> {code: meaning}; COMMON is added unless the command gives the code its own meaning.
EXIT_CODES: Final[dict[str, dict[int, str]]] = {
    "flowdsl": {0: "success", 1: "findings with errors, or a failed operation (see each command)",
                EXIT_INTERRUPTED: "interrupted (Ctrl-C)"},
    "check": _CHECK,
    "lint": _CHECK,
    "compile": {0: "compiled (warnings, if any, are printed on stderr)",
                1: "not compiled: the flow has errors"},
    "import": {0: "imported",
               1: "the source has errors (printed; the flow is still written), "
                  "or the file could not be imported"},
    "fmt": {0: "nothing to change, or files reformatted",
            1: "with --check: a file would change; or a file could not be formatted"},
    "graph": {0: "drawn (problems in the flow, if any, are printed on stderr)",
              1: "the file has no steps to draw"},
    "rules": {0: "printed", 2: "no such RULE, or bad usage"},
    "schema": {0: "printed", 1: "the schema file is missing from the installation"},
    "catalog": {0: "success", 1: "see the subcommand"},
    "catalog list": {0: "listed"},
    "catalog show": {0: "shown", 1: "no such model"},
    "catalog search": {0: "at least one model matches", 1: "no model matches"},
    "catalog sync": {0: "everything is in sync",
                     1: "a schema changed (no --update), a model failed, or one is missing"},
    "simulate": {0: "the run completed (with --runs: at least one run did)",
                 1: "the run failed, or the flow has errors (printed)"},
    "emulator": {0: "stopped with Ctrl-C", 1: "could not start (e.g. the port is in use)"},
    "lsp": {0: "the editor closed the connection",
            1: "the language server's packages are not installed (pip install 'flowdsl[lsp]')"},
    "plan": {0: "no changes",
             1: "an error (a flow could not be planned, the API is unreachable, a request failed)",
             2: "changes to deploy; also bad usage or no API key (the message says which)"},
    "deploy": {0: "done, or nothing to do",
               1: "a flow failed or was refused (error findings, locked, stale plan), "
                  "or a request failed",
               2: "bad usage or no API key"},
    "trigger": {0: "every execution completed (or was queued, without --wait)",
                1: "an execution failed or was refused, or a request failed",
                2: "bad usage, no API key, or invalid inputs (nothing was sent)"},
}


def codes_for(command: str) -> dict[int, str]:
    """The full {code: meaning} of ``command`` (empty if it is not in the table)."""
    own = EXIT_CODES.get(command)
    if own is None:
        return {}
    merged = dict(own)
    for code, meaning in COMMON.items():
        merged.setdefault(code, meaning)
    return dict(sorted(merged.items()))


def epilog(command: str) -> str:
    """The "Exit codes:" section of ``command``'s --help ('' if it is not in the table).
    ``\\b`` keeps click from re-wrapping the lines into one paragraph."""
    codes = codes_for(command)
    if not codes:
        return ""
    width = max(len(str(code)) for code in codes)
    return "\b\nExit codes:\n" + "\n".join(f"  {code:>{width}}  {meaning}" for code, meaning in codes.items())
