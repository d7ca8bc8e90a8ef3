"""Every rule code, as a typed constant, in one leaf module.

A finding anywhere (the loader, the front end, the mocks reader, every rule) takes its code
from here, so a misspelt code fails at import time or in mypy, never in a user's SARIF file.
Each code is its own kebab-case id string (``SCHEMA == "schema"``), stable forever, with its
default severity and a one-line summary; the rule's documentation is the docstring of
``flowdsl/rules/<id_with_underscores>.py`` (a test checks every code has one).
"""

from __future__ import annotations

from typing import Final

from flowdsl.diagnostics import Severity


class Code(str):
    """A rule id that knows its default severity and summary."""

    severity: Severity
    summary: str

    def __new__(cls, rule_id: str, severity: Severity, summary: str) -> "Code":
        self = super().__new__(cls, rule_id)
        self.severity = severity
        self.summary = summary
        return self

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # Findings cross process boundaries (parallel check): a code unpickles as the
        # registered constant, not as a new object missing its severity.
        return (lookup, (str(self),))

    @property
    def module(self) -> str:
        """The module under ``flowdsl.rules`` that documents (and maybe checks) this code."""
        return self.replace("-", "_")


CODES: dict[str, Code] = {}


def lookup(rule_id: str) -> Code:
    """The registered code of an id (KeyError when there is none)."""
    return CODES[rule_id]


def _code(rule_id: str, severity: str, summary: str) -> Code:
    assert rule_id not in CODES, rule_id
    code = Code(rule_id, Severity(severity), summary)
    CODES[rule_id] = code
    return code


YAML_SYNTAX: Final = _code('yaml-syntax', 'error',
    'The file is not well-formed YAML/JSON (or is not a mapping).')
SCHEMA: Final = _code('schema', 'error',
    'Structure: unknown key, wrong field type, unknown step type.')
TEMPLATE_SYNTAX: Final = _code('template-syntax', 'error',
    'A {{...}} template that does not parse.')
CONDITION_SYNTAX: Final = _code('condition-syntax', 'error',
    'A condition that does not parse.')
DUPLICATE_ID: Final = _code('duplicate-id', 'error',
    'Two steps (or choice branches) share an id.')
UNDEFINED_REFERENCE: Final = _code('undefined-reference', 'error',
    'A reference to a step or input that does not exist.')
FORWARD_REFERENCE: Final = _code('forward-reference', 'error',
    'A reference to a step that runs later.')
PARALLEL_SIBLING_REFERENCE: Final = _code('parallel-sibling-reference', 'error',
    'A reference to a step in a sibling parallel branch.')
CONDITIONAL_REFERENCE: Final = _code('conditional-reference', 'error',
    'A reference to a step inside a choice branch that may not have run (the execution fails).')
DOLLAR_IN_TEMPLATE: Final = _code('dollar-in-template', 'error',
    '$.x written where {{x}} is meant.')
UNKNOWN_MODEL: Final = _code('unknown-model', 'error',
    'A model slug the catalog does not know.')
UNKNOWN_PARAM: Final = _code('unknown-param', 'error',
    "A param the model's schema does not define.")
MISSING_PARAM: Final = _code('missing-param', 'error',
    'A required model param is missing.')
PARAM_TYPE: Final = _code('param-type', 'error',
    'A literal param of the wrong JSON type.')
PARAM_VALUE: Final = _code('param-value', 'error',
    'A literal param outside its enum, range, length or pattern.')
REFERENCE_TYPE: Final = _code('reference-type', 'error',
    'A reference whose type cannot fit the param.')
MEDIA_TYPE: Final = _code('media-type', 'error',
    'A reference of one media kind fed to a param of another.')
CONDITION_OPERATOR: Final = _code('condition-operator', 'error',
    'An operator and value that do not fit together.')
PYTHON_SYNTAX: Final = _code('python-syntax', 'error',
    'Python code that does not compile.')
PYTHON_UNDEFINED_INPUT: Final = _code('python-undefined-input', 'error',
    'Python code reads an input the step does not declare.')
PYTHON_RESULT: Final = _code('python-result', 'warning',
    'Python code never assigns result.')
TEMPLATE_INJECTION: Final = _code('template-injection', 'error',
    'A template inside python code.')
HARDCODED_SECRET: Final = _code('hardcoded-secret', 'error',
    'A literal credential in the flow.')
LIMIT: Final = _code('limit', 'error',
    'A documented platform limit is exceeded.')
UNUSED_INPUT: Final = _code('unused-input', 'warning',
    'A declared input no step uses.')
CATALOG_LOCK: Final = _code('catalog-lock', 'warning',
    "A model's schema differs from the one pinned in flowdsl.lock.")
FALLBACK_MISMATCH: Final = _code('fallback-mismatch', 'warning',
    "A fallback model whose output type or media differs from the primary's.")
MOCKS: Final = _code("mocks", "error",
    "A mocks file (simulate --mocks) entry that does not fit the flow.")
ISOLATED_STEP: Final = _code("isolated-step", "warning",
    "A model or python step that reads no input and no step, and whose output nothing reads.")
LEGACY_EXPORT: Final = _code("legacy-export", "error",
    "A legacy console export given where a workflow is expected (run flowdsl import).")
