"""hardcoded-secret: a literal credential written in the flow.

A flow file lives in git and its compiled definition is stored by the platform: a token
written in it is leaked to everyone who can read either. Fires for

* a literal token, password or key in an http step's ``auth``;
* a literal ``Authorization``, ``X-API-Key`` (or other token/secret/key) header, and a
  literal ``api_key`` / ``token`` / ``password`` query parameter or URL ``user:password@``;
* a string anywhere in params, bodies, headers, queries, python inputs, pass results or
  python code that looks like a key: a known prefix (``sk-``, ``sk_live_``, ``ghp_``,
  ``github_pat_``, ``AKIA``, ``xoxb-``, ``AIza``, ``glpat-``, ``hf_``, ``r8_``, a private
  key block, a JWT) or a long high-entropy token; and a literal under a key named like
  ``password``, ``secret``, ``api_key`` or ``access_token`` (or containing one:
  ``db_password``, ``smtp_pass``, ``client_secret``, ``slack_token``);
* a Slack or Discord webhook URL (its path is the credential); a URL with a literal
  ``?token=`` / ``?key=`` value.

Templates are fine: take the secret from an input (``{{inputs.api_token}}``) or a step.

    steps:
      - id: notify
        http: POST https://hooks.example.com/done
        auth: {bearer: "sk-live-1234567890abcdefghij"}   # hardcoded-secret
    # instead:
        auth: {bearer: "{{inputs.hook_token}}"}
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Diagnostic, error
from flowdsl.check.python import code_span

if TYPE_CHECKING:
    from flowdsl.check.context import Context

RULE = codes.HARDCODED_SECRET

_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"sk-(?:proj-|ant-|live-)?[A-Za-z0-9_\-]{20,}"
    r"|(?:sk|rk|pk)_live_[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{22,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|r8_[A-Za-z0-9]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r")")

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key",
                             "apikey", "x-auth-token", "x-access-token", "cookie"})
_SECRET_KEYS = frozenset({"password", "passwd", "secret", "client_secret", "api_key", "apikey",
                          "api-key", "access_token", "auth_token", "token", "private_key",
                          "secret_key", "access_key", "webhook_secret", "bearer", "key"})
# Key names that say "this is a secret" whatever else they say (db_password, smtp_pass...).
_SECRET_KEY_PARTS = re.compile(r"(?:^|[_\-])(?:password|passwd|pwd|pass|passphrase|secret)(?:$|[_\-])"
                               r"|(?:password|passwd|secret)|[_\-](?:token|api_?key)$", re.I)
# Webhook URLs whose path is the credential.
_WEBHOOK = re.compile(
    r"https://(?P<kind>hooks\.slack\.com)/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{20,}"
    r"|https://(?:ptb\.|canary\.)?(?P<kind2>discord(?:app)?\.com)/api/webhooks/\d+/[A-Za-z0-9_\-]{20,}")
_AUTH_SECRET_FIELDS = frozenset({"token", "password", "key", "api_key", "bearer", "secret", "value"})
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]{32,}")
_URL_USER_PASSWORD = re.compile(r"[a-z][a-z0-9+.\-]*://([^/@\s{}]+):([^/@\s{}]+)@", re.I)
_URL_SECRET_PARAM = re.compile(
    r"[?&](api_key|apikey|key|token|access_token|secret)=([^&{}\s]{8,})", re.I)


def _redact(value: object) -> str:
    text = str(value)
    return text[:4] + "..." if len(text) > 8 else "..."


def _entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _high_entropy(word: str) -> bool:
    # Mixed case and digits, long, and close to random: hashes in hex and words do not pass.
    return (len(word) >= 32 and any(c.isdigit() for c in word) and any(c.islower() for c in word)
            and any(c.isupper() for c in word) and _entropy(word) >= 4.2)


def _literal_str(value: ir.Value | None) -> ir.Scalar | None:
    if isinstance(value, ir.Scalar) and isinstance(value.value, str) and value.template is None \
            and value.value.strip():
        return value
    return None


def _secret_key(name: str) -> bool:
    known = _KEY_NAMES.get(name)
    if known is None:
        known = name.lower() in _SECRET_KEYS or bool(_SECRET_KEY_PARTS.search(name))
        if len(_KEY_NAMES) >= 4096:  # a long-lived process stays bounded
            _KEY_NAMES.clear()
        _KEY_NAMES[name] = known
    return known


_KEY_NAMES: dict[str, bool] = {}  # key name -> whether it names a secret


def _header_is_secret(name: str) -> bool:
    low = name.lower()
    return low in _SECRET_HEADERS or any(w in low for w in ("token", "secret", "api-key", "apikey"))


# The shortest text any pattern above can match (xox?- and ten characters): anything shorter
# holds no secret, and most values (ids, sizes, short prompts) are shorter.
_SHORTEST = 15


def _secret_in(text: str) -> tuple[str, str] | None:
    """(what, the matched text) for the first secret-looking thing in ``text``: "key" (a
    known prefix), "Slack" / "Discord" (a webhook URL) or "token" (long and random-looking)."""
    m = _PREFIXED.search(text)
    if m is not None:
        return "key", m.group(0)
    w = _WEBHOOK.search(text)
    if w is not None:
        return "Slack" if w.group("kind") else "Discord", w.group(0)
    if "://" in text or text.startswith("data:"):
        return None  # URLs and data URIs are long and random-looking by nature
    for word in _TOKEN.findall(text):
        if _high_entropy(word):
            return "token", word
    return None


def _scalar_secret(scalar: ir.Scalar) -> tuple[str, str] | None:
    """:func:`_secret_in` of a string scalar's literal text, memoized by the string (flows
    repeat the same strings, and most are clean); a template's own references are skipped."""
    text = scalar.value
    assert isinstance(text, str)
    memo = _SCANNED if scalar.template is None else _SCANNED_TEMPLATES
    hit = memo.get(text, _MISSING)
    if hit is not _MISSING:
        return hit  # type: ignore[return-value]
    if scalar.template is not None:
        # Only the literal parts can hold a written secret.
        text = "".join(p for p in scalar.template.parts if isinstance(p, str))
    found = _secret_in(text) if len(text) >= _SHORTEST else None
    if len(memo) >= 8192:  # a long-lived process (the language server) stays bounded
        memo.clear()
    memo[scalar.value] = found  # type: ignore[index]
    return found


_MISSING = object()
# string -> what _secret_in found, for plain strings and for strings holding a template
_SCANNED: dict[str, tuple[str, str] | None] = {}
_SCANNED_TEMPLATES: dict[str, tuple[str, str] | None] = {}


def _scan_string(ctx: "Context", scalar: ir.Scalar, step: str) -> Diagnostic | None:
    found = _scalar_secret(scalar)
    if found is None:
        return None
    what, matched = found
    if what == "key":
        return error(RULE, f"a literal credential ({_redact(matched)}) is written in the flow",
                     ctx.locate_in(scalar, matched), step=step,
                     hint="pass it as an input ({{inputs.NAME}}) and keep it out of git")
    if what == "token":
        return error(RULE, f"a literal that looks like a key ({_redact(matched)}) is written "
                     "in the flow", ctx.locate_in(scalar, matched), step=step,
                     hint="pass it as an input ({{inputs.NAME}}) and keep it out of git")
    return error(RULE, f"a {what} webhook URL (its path is the "
                 "credential) is written in the flow", ctx.locate_in(scalar, matched),
                 step=step, hint="pass the URL as an input ({{inputs.webhook_url}}) and keep "
                                 "it out of git")


def _http(ctx: "Context", step: ir.HttpStep, flagged: set[int]) -> Iterator[Diagnostic]:
    sid = step.common.id
    if step.auth is not None:
        for key, value in step.auth.fields.entries:
            lit = _literal_str(value)
            if lit is not None and key.name.lower() in _AUTH_SECRET_FIELDS:
                flagged.add(id(lit))
                yield error(RULE, f"http auth {key.name} is a literal ({_redact(lit.value)})",
                            lit.span, step=sid,
                            hint=f'take it from an input: "{{{{inputs.{key.name}}}}}"')
            elif isinstance(value, ir.MapValue):  # {basic: {username, password}}
                pw = _literal_str(value.get("password"))
                if pw is not None:
                    flagged.add(id(pw))
                    yield error(RULE, "http auth password is a literal", pw.span, step=sid,
                                hint='take it from an input: "{{inputs.password}}"')
    if step.headers is not None:
        for key, value in step.headers.entries:
            lit = _literal_str(value)
            if lit is not None and _header_is_secret(key.name):
                flagged.add(id(lit))
                yield error(RULE, f"header {key.name} is a literal ({_redact(lit.value)})",
                            lit.span, step=sid,
                            hint=f'take it from an input: "{"Bearer " if key.name.lower() == "authorization" else ""}{{{{inputs.token}}}}"')
    if step.query is not None:
        for key, value in step.query.entries:
            lit = _literal_str(value)
            if lit is not None and key.name.lower() in _SECRET_KEYS:
                flagged.add(id(lit))
                yield error(RULE, f"query parameter {key.name} is a literal ({_redact(lit.value)})",
                            lit.span, step=sid, hint="take it from an input: \"{{inputs.key}}\"")
    url = step.url
    if isinstance(url.value, str):
        m = _URL_USER_PASSWORD.match(url.value)
        if m:
            flagged.add(id(url))
            yield error(RULE, "the URL carries a literal user:password", ctx.locate_in(
                url, m.group(2)), step=sid, hint="use auth: {basic: {...}} with inputs")
        q = _URL_SECRET_PARAM.search(url.value)
        if q and id(url) not in flagged:
            flagged.add(id(url))
            yield error(RULE, f"the URL carries a literal {q.group(1)}",
                        ctx.locate_in(url, q.group(2)), step=sid,
                        hint="take it from an input: {{inputs.NAME}}")


def check(ctx: "Context") -> Iterator[Diagnostic]:
    # One loop, no generator per value: this rule reads every scalar of the flow.
    for step in ctx.steps():
        sid = step.common.id
        flagged: set[int] = set()
        if isinstance(step, ir.HttpStep):
            yield from _http(ctx, step, flagged)
        elif isinstance(step, ir.PythonStep):
            for number, start, matched in _code_secrets(step.code.text):
                yield error(RULE, f"python code holds a literal credential ({_redact(matched)})",
                            code_span(step.code, number, start, len(matched)),
                            step=sid, hint="pass it in through the step's inputs")
        for placed in ctx.values(step):
            # A literal under a key named like a secret...
            if not isinstance(placed.value, ir.Scalar):
                for key, lit in _keyed(placed.value, []):
                    if lit.template is not None or not isinstance(lit.value, str) \
                            or id(lit) in flagged:
                        continue
                    text = lit.value.strip()
                    if len(text) >= 8 and " " not in text:
                        flagged.add(id(lit))
                        yield error(RULE, f'"{key.name}" holds a literal secret '
                                    f"({_redact(text)})", lit.span, step=sid,
                                    hint="pass it as an input ({{inputs.NAME}}) and keep it out "
                                         "of git")
            # ...then any string that looks like a key, wherever it is.
            for scalar in placed.scalars:
                string = scalar.value
                if isinstance(string, str) and len(string) >= _SHORTEST \
                        and (not flagged or id(scalar) not in flagged):
                    d = _scan_string(ctx, scalar, sid)
                    if d is not None:
                        flagged.add(id(scalar))
                        yield d


def _keyed(value: ir.Value,
           out: list[tuple[ir.Key, ir.Scalar]]) -> list[tuple[ir.Key, ir.Scalar]]:
    """Each scalar that is a mapping key's value under a key named like a secret, with its
    key, in source order."""
    if isinstance(value, ir.MapValue):
        names = _KEY_NAMES
        for key, item in value.entries:
            if isinstance(item, ir.Scalar):
                secret = names.get(key.name)  # _secret_key, without a call for known names
                if secret is None:
                    secret = _secret_key(key.name)
                if secret:
                    out.append((key, item))
            else:
                _keyed(item, out)
    elif isinstance(value, ir.ListValue):
        for item in value.items:
            if not isinstance(item, ir.Scalar):
                _keyed(item, out)
    return out


@lru_cache(maxsize=1024)
def _code_secrets(code: str) -> tuple[tuple[int, int, str], ...]:
    """(line, column, text) of the first key-shaped literal on each line of python code,
    shared by every step with the same code."""
    if _PREFIXED.search(code) is None:
        return ()  # no pattern spans lines, so no line matches either
    found = []
    for number, line in enumerate(code.splitlines(), start=1):
        m = _PREFIXED.search(line)
        if m:
            found.append((number, m.start(), m.group(0)))
    return tuple(found)
