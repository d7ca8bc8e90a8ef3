"""Steps into IR, in both dialects.

A step with a ``type:`` key is in the engine's form (``params``, ``timeout_seconds``,
``condition_met_branch``...); any other step is in the flowdsl form, where the kind is the
key it uses (``model``, ``http``, ``python``, ``parallel``, ``if``, ``pass``). Both build the
same IR, so either may appear anywhere, in either kind of file.
"""

from __future__ import annotations

import functools

from flowdsl import codes
from flowdsl import ir
from flowdsl.diagnostics import Severity
from flowdsl.frontend.condition_node import read_condition
from flowdsl.frontend.nodes import Reader, kind_name
from flowdsl.frontend.load import YMap, YNode, YScalar, YSeq
from flowdsl.suggest import did_you_mean
from flowdsl.catalog.names import normalize_name

STEP_TYPES = ("model", "http", "python", "parallel", "choice", "pass")
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

# flowdsl form
KIND_KEYS = ("model", "http", "python", "parallel", "if", "pass")
COMMON_KEYS = ("id", "name", "timeout", "timeout_seconds", "retry", "continue_on_error")
FLOW_KEYS: dict[str, tuple[str, ...]] = {
    "model": ("model", "version", "with", "params", "fallback"),
    "http": ("http", "headers", "query", "body", "auth", "follow_redirects", "validate_ssl"),
    "python": ("python", "with"),
    "parallel": ("parallel",),
    "if": ("if", "then", "else"),
    "pass": ("pass", "result_path"),
}
# engine form
# Levels of nested step lists (the top-level `steps` is 1; each parallel or if/choice branch
# adds one). Real flows nest two or three; every later stage (checker, compiler, simulator)
# walks steps recursively, so the reader stops here and those stages never see deeper.
# YAML nesting (MAX_DEPTH, 128) allows about 42 levels of steps, so this limit is reachable.
MAX_STEP_DEPTH = 32

ENGINE_COMMON = ("id", "step_id", "type", "name", "continue_on_error", "timeout_seconds", "retry")
ENGINE_KEYS: dict[str, tuple[str, ...]] = {
    "model": ("model", "version", "params", "fallback"),
    "http": ("url", "method", "headers", "query_params", "body", "auth", "timeout",
             "follow_redirects", "validate_ssl"),
    "python": ("code", "inputs"),
    "parallel": ("branches",),
    "choice": ("condition", "condition_met_branch", "default_branch"),
    "pass": ("result", "result_path"),
}
# Each kind's allowed keys, ordered (for did-you-mean) with constant-time membership.
_FLOW_ALLOWED = {kind: dict.fromkeys(COMMON_KEYS + keys) for kind, keys in FLOW_KEYS.items()}
_ENGINE_ALLOWED = {kind: dict.fromkeys(ENGINE_COMMON + keys) for kind, keys in ENGINE_KEYS.items()}
RETRY_KEYS = {"attempts": "max_attempts", "backoff": "backoff_multiplier", "delay": "initial_delay_s",
              "on": "retry_on", "max_attempts": "max_attempts", "backoff_multiplier": "backoff_multiplier",
              "initial_delay_seconds": "initial_delay_s", "retry_on": "retry_on"}


@functools.cache
def _doc_aliases() -> dict[str, str]:
    """The docs' model aliases (``Flux Kontext``), as written and normalized -> slug."""
    from flowdsl.catalog.bundled import bundled_aliases
    out: dict[str, str] = {}
    for alias, slug in bundled_aliases().items():
        out[alias] = slug
        out.setdefault(normalize_name(alias), slug)
    return out


def doc_alias(name: str) -> str:
    """The slug a docs alias in ``model:`` stands for (the README promises they resolve);
    anything else unchanged, for unknown-model to judge."""
    aliases = _doc_aliases()
    if name in aliases:
        return aliases[name]
    if " " in name.strip() or name.lower() != name:
        return aliases.get(normalize_name(name), name)
    return name


def read_retry(r: Reader, node: YNode | None, step: str | None) -> ir.Retry | None:
    m = r.mapping(node, "retry", step)
    if m is None:
        return None
    r.check_keys(m, RETRY_KEYS, "retry", step)
    fields: dict[str, object] = {"max_attempts": None, "backoff_multiplier": None,
                                 "initial_delay_s": None, "retry_on": None}
    for key, val in m.items:
        target = RETRY_KEYS.get(str(key.value))
        if target == "max_attempts":
            n = r.number(val, "retry attempts", step, integer=True, minimum=1)
            fields[target] = int(n) if n is not None else None
        elif target == "backoff_multiplier":
            fields[target] = r.number(val, "retry backoff", step, minimum=1)
        elif target == "initial_delay_s":
            fields[target] = r.duration(val, "retry delay", step)
        elif target == "retry_on":
            seq = r.sequence(val, "retry on", step)
            if seq is not None:
                names = [r.string(i, "retry on entry", step) for i in seq.items]
                fields[target] = tuple(n for n in names if n is not None)
    return ir.Retry(span=m.span, **fields)  # type: ignore[arg-type]


class StepReader:
    def __init__(self, r: Reader, definition: bool) -> None:
        self.r = r
        # True for engine definition files: there a step without `type` is worth a warning.
        self.definition = definition
        self.depth = 0  # step lists being read, outermost first
        self.too_deep = False  # the step-nesting finding is given once per file

    # lists ------------------------------------------------------------------
    def steps(self, node: YNode | None, what: str, step: str | None = None) -> tuple[ir.Step, ...]:
        seq = self.r.sequence(node, what, step)
        if seq is None:
            return ()
        if self.depth >= MAX_STEP_DEPTH:
            # Not read: what it declares and reads is noted so no "no step X" cascade follows.
            self.r.broken.add(seq)
            if not self.too_deep and seq.items:
                self.too_deep = True
                self.r.report(codes.LIMIT, f"steps are nested more than {MAX_STEP_DEPTH} levels deep "
                              "(parallel and if branches); the steps below this point are not checked",
                              seq.items[0].span, step=step,
                              hint="move the inner part into its own flow or flatten the branches")
            return ()
        self.depth += 1
        try:
            out = []
            for item in seq.items:
                s = self.step(item)
                if s is not None:
                    out.append(s)
            return tuple(out)
        finally:
            self.depth -= 1

    # one step -----------------------------------------------------------------
    def step(self, node: YNode) -> ir.Step | None:
        result = self._step(node)
        if result is None:
            self.r.broken.add(node)
        return result

    def _step(self, node: YNode) -> ir.Step | None:
        r = self.r
        m = r.mapping(node, "a step", None)
        if m is None:
            return None
        get = m.by_key.get
        id_node, step_id_node = get("id"), get("step_id")
        if id_node is None:
            id_node = step_id_node
        elif step_id_node is not None:
            r.report(codes.SCHEMA, 'a step has both "id" and "step_id"; keep one', step_id_node.span)
        if id_node is None:
            r.report(codes.SCHEMA, "step has no id: every step needs a unique `id`", m.span,
                     hint="add `id: <name>` (letters, digits, _ and -)")
            return None
        sid = r.string(id_node, "step id", None, allow_numbers=True)
        if sid is None:
            return None
        if not sid.strip():
            r.report(codes.SCHEMA, "step id is empty", id_node.span)
            return None
        if get("type") is not None:
            return self.engine_step(m, sid, id_node)
        return self.flow_step(m, sid, id_node)

    def common(self, m: YMap, sid: str, id_node: YNode, engine: bool, http: bool) -> ir.StepCommon:
        r, get = self.r, m.by_key.get
        name_node = get("name")
        name = r.string(name_node, "step name", sid) if name_node is not None else None
        coe_node = get("continue_on_error")
        coe = r.boolean(coe_node, "continue_on_error", sid) if coe_node is not None else None
        timeout_s: float | None = None
        timeout_node = get("timeout_seconds")
        if timeout_node is not None:
            n = r.number(timeout_node, "timeout_seconds", sid, minimum=0)
            timeout_s = float(n) if n is not None else None
        if get("timeout") is not None:
            timeout_node = get("timeout")
            if engine and http:
                ms = r.number(timeout_node, "http timeout (milliseconds)", sid, minimum=0)
                timeout_s = ms / 1000.0 if ms is not None else None
            elif not engine:
                timeout_s = r.duration(timeout_node, "timeout", sid)
        retry = read_retry(r, get("retry"), sid)
        return ir.StepCommon(sid, id_node.span, m.span, name, coe, timeout_s,
                             timeout_node.span if timeout_node is not None else None, retry)

    # flowdsl form ---------------------------------------------------------------
    def flow_step(self, m: YMap, sid: str, id_node: YNode) -> ir.Step | None:
        r = self.r
        get = m.by_key.get
        kinds = [k for k in KIND_KEYS if get(k) is not None]
        if not kinds:
            # A misspelt kind key ("modle") is the likely cause: name it, with a suggestion.
            every = set(COMMON_KEYS).union(*FLOW_KEYS.values(), ("type",))
            unknown = [k for k, _ in m.items if k.value not in every]
            if unknown:
                for k in unknown:
                    r.report(codes.SCHEMA, f'unknown key "{k.value}" in step "{sid}"'
                             f"{did_you_mean(str(k.value), sorted(every))}", k.span, step=sid)
                return None
            r.report(codes.SCHEMA, f'step "{sid}" has no kind: give it one of '
                     + ", ".join(f"`{k}`" for k in KIND_KEYS)
                     + " (or an engine `type`)", id_node.span, step=sid)
            return None
        if len(kinds) > 1:
            r.report(codes.SCHEMA, f'step "{sid}" has more than one kind ({", ".join(kinds)}); '
                     "a step does one thing", m.span, step=sid)
            return None
        kind = kinds[0]
        if kind == "model" and self.definition:
            r.report(codes.SCHEMA, f'step "{sid}" has no "type"; the engine expects "type": "model"',
                     id_node.span, step=sid, severity=Severity.WARNING)
        r.check_keys(m, _FLOW_ALLOWED[kind], f'{"choice" if kind == "if" else kind} step "{sid}"', sid)
        common = self.common(m, sid, id_node, engine=False, http=kind == "http")
        if kind == "model":
            return self.model(m, common, params_key="with" if m.get("with") is not None else "params")
        if kind == "http":
            return self.flow_http(m, common)
        if kind == "python":
            return self.python(m, common, code_key="python", inputs_key="with")
        if kind == "parallel":
            return self.flow_parallel(m, common)
        if kind == "if":
            return self.flow_choice(m, common)
        return self.pass_step(m, common, result_key="pass")

    def model(self, m: YMap, common: ir.StepCommon, params_key: str) -> ir.ModelStep | None:
        r, sid = self.r, common.id
        model_node = m.get("model")
        model = r.string(model_node, "model", sid)
        if model is None or model_node is None:
            if model_node is None:
                r.report(codes.SCHEMA, f'model step "{sid}" has no "model"', common.id_span, step=sid)
            return None
        version_node = m.get("version")
        version = r.string(version_node, "model version", sid, allow_numbers=True) if version_node else None
        params = r.map_value(m.get(params_key), f"{params_key} of model step", sid)
        fallback = self.fallback(m.get("fallback"), sid)
        return ir.ModelStep(common, doc_alias(model), model_node.span, params, version, fallback)

    def fallback(self, node: YNode | None, sid: str) -> ir.Fallback | None:
        r = self.r
        m = r.mapping(node, "fallback", sid)
        if m is None:
            return None
        r.check_keys(m, ("model", "version", "with", "params", "enabled"), "fallback", sid)
        model_node = m.get("model")
        if model_node is None:
            r.report(codes.SCHEMA, 'fallback has no "model"', m.span, step=sid)
            return None
        model = r.string(model_node, "fallback model", sid)
        if model is None:
            return None
        key = "with" if m.get("with") is not None else "params"
        params = r.map_value(m.get(key), f"{key} of fallback", sid)
        enabled_node = m.get("enabled")
        enabled = r.boolean(enabled_node, "fallback enabled", sid) if enabled_node is not None else None
        version_node = m.get("version")
        version = r.string(version_node, "fallback version", sid, allow_numbers=True) if version_node else None
        return ir.Fallback(doc_alias(model), model_node.span, params, m.span, enabled, version)

    def flow_http(self, m: YMap, common: ir.StepCommon) -> ir.HttpStep | None:
        r, sid = self.r, common.id
        node = m.get("http")
        assert node is not None
        if not isinstance(node, YScalar) or not isinstance(node.value, str) or not node.value.strip():
            r.report(codes.SCHEMA, f'http must be "METHOD URL" or a URL, found {kind_name(node)}',
                     node.span, step=sid)
            return None
        text = node.value.strip()
        method, _, rest = text.partition(" ")
        lead = len(node.value) - len(node.value.lstrip())
        if not rest and (method.upper() in HTTP_METHODS
                         or (method.isalpha() and "." not in method and "/" not in method)):
            # `http: POST` alone: a method and no URL (it would otherwise become the URL).
            r.report(codes.SCHEMA, f'http "{text}" has no URL: write "{method.upper()} https://..."'
                     if method.upper() in HTTP_METHODS else
                     f'http "{text}" is not a URL: write "METHOD https://..." or a URL',
                     node.span, step=sid, hint=f'http: "{method.upper() if method.upper() in HTTP_METHODS else "GET"} https://example.com/path"')
            return None
        if rest and method.upper() in HTTP_METHODS or (rest and method.isalpha() and method.isupper()):
            url_text = rest.strip()
            method_span = r.locate(node, lead, len(method))
            if method.upper() not in HTTP_METHODS:
                r.report(codes.SCHEMA, f'unknown http method "{method}"{did_you_mean(method.upper(), HTTP_METHODS)}',
                         method_span, step=sid, hint="methods: " + ", ".join(HTTP_METHODS))
        else:
            method, url_text, method_span = "GET", text, node.span
        url_offset = node.value.find(url_text)
        url_span = r.locate(node, url_offset, len(url_text))
        url_scalar = r.scalar(YScalar(url_text, url_span, node.style, node.start, node.end), sid)
        # The URL's templates were located inside the original node; keep their spans.
        url = ir.Scalar(url_text, url_span, url_scalar.template)
        return self._http(m, common, url, method.upper(), method_span, query_key="query")

    def _http(self, m: YMap, common: ir.StepCommon, url: ir.Scalar, method: str,
              method_span: ir.Span, query_key: str) -> ir.HttpStep:
        r, sid = self.r, common.id
        headers = r.map_value(m.get("headers"), "headers", sid)
        query = r.map_value(m.get(query_key), query_key, sid)
        body_node = m.get("body")
        body = r.value(body_node, sid) if body_node is not None else None
        auth = self.auth(m.get("auth"), sid)
        fr = m.get("follow_redirects")
        vs = m.get("validate_ssl")
        return ir.HttpStep(common, url, method, method_span, headers, query, body, auth,
                           r.boolean(fr, "follow_redirects", sid) if fr is not None else None,
                           r.boolean(vs, "validate_ssl", sid) if vs is not None else None)

    def auth(self, node: YNode | None, sid: str) -> ir.HttpAuth | None:
        """``{bearer: T}``, ``{basic: {username, password}}``, ``{api_key: K, header: H}``
        or the engine's ``{type, token, username, password, ...}``."""
        r = self.r
        m = r.mapping(node, "auth", sid)
        if m is None:
            return None
        fields = r.map_value(m, "auth", sid)
        assert fields is not None
        type_node = m.get("type")
        if type_node is not None:
            t = r.string(type_node, "auth type", sid)
            if t is not None and t not in ("basic", "bearer", "api_key"):
                r.report(codes.SCHEMA, f'unknown auth type "{t}"{did_you_mean(t, ("basic", "bearer", "api_key"))}',
                         type_node.span, step=sid)
            rest = ir.MapValue(tuple(e for e in fields.entries if e[0].name != "type"), fields.span)
            r.check_keys(m, ("type", "token", "username", "password", "key", "api_key", "header",
                             "header_name", "in", "name", "value"), "auth", sid)
            return ir.HttpAuth(t or "", rest, m.span)
        shorthand = [k for k in ("bearer", "basic", "api_key") if m.get(k) is not None]
        if len(shorthand) != 1:
            r.report(codes.SCHEMA, "auth must be one of {bearer: TOKEN}, {basic: {username, password}}, "
                     "{api_key: KEY} or the engine's {type: ..., ...}", m.span, step=sid)
            return None
        kind = shorthand[0]
        r.check_keys(m, (kind, "header"), "auth", sid)
        inner = m.get(kind)
        assert inner is not None
        if kind == "basic":
            bm = r.mapping(inner, "basic auth", sid)
            if bm is None:
                return None
            r.check_keys(bm, ("username", "password"), "basic auth", sid)
            val = r.map_value(bm, "basic auth", sid)
            assert val is not None
            return ir.HttpAuth("basic", val, m.span)
        key = "token" if kind == "bearer" else "key"
        entries: list[tuple[ir.Key, ir.Value]] = [(ir.Key(key, m.key_span(kind)), r.value(inner, sid))]
        header = m.get("header")
        if header is not None:
            entries.append((ir.Key("header", header.span), r.value(header, sid)))
        return ir.HttpAuth(kind, ir.MapValue(tuple(entries), m.span), m.span)

    def python(self, m: YMap, common: ir.StepCommon, code_key: str, inputs_key: str) -> ir.PythonStep | None:
        r, sid = self.r, common.id
        code_node = m.get(code_key)
        if code_node is None:
            r.report(codes.SCHEMA, f'python step "{sid}" has no "{code_key}"', common.id_span, step=sid)
            return None
        if not isinstance(code_node, YScalar) or not isinstance(code_node.value, str):
            r.report(codes.SCHEMA, f"python code must be a string (use a `|` block), found {kind_name(code_node)}",
                     code_node.span, step=sid)
            return None
        inputs = r.map_value(m.get(inputs_key), "python inputs", sid)
        return ir.PythonStep(common, r.code_block(code_node), inputs)

    def branch(self, node: YNode, sid: str, what: str) -> ir.Branch | None:
        """A parallel branch: ``{name, steps}``, or a single step as a one-step branch."""
        r = self.r
        m = r.mapping(node, what, sid)
        if m is None:
            return None
        if m.get("steps") is None and (m.get("id") is not None or m.get("step_id") is not None):
            s = self.step(m)
            return ir.Branch((s,) if s else (), m.span)
        r.check_keys(m, ("name", "steps"), what, sid)
        name_node = m.get("name")
        name = r.string(name_node, "branch name", sid) if name_node is not None else None
        if m.get("steps") is None:
            r.report(codes.SCHEMA, f'{what} has no "steps"', m.span, step=sid)
        return ir.Branch(self.steps(m.get("steps"), "branch steps", sid), m.span, name)

    def flow_parallel(self, m: YMap, common: ir.StepCommon) -> ir.ParallelStep | None:
        seq = self.r.sequence(m.get("parallel"), "parallel", common.id)
        if seq is None:
            return None
        if not seq.items:
            self.r.report(codes.SCHEMA, "parallel needs at least one branch", seq.span, step=common.id)
        branches = [self.branch(b, common.id, "parallel branch") for b in seq.items]
        return ir.ParallelStep(common, tuple(b for b in branches if b is not None))

    def choice_branch(self, node: YNode | None, sid: str, what: str, engine: bool) -> ir.Branch | None:
        r = self.r
        if node is None:
            return None
        if isinstance(node, YSeq) and not engine:
            return ir.Branch(self.steps(node, what, sid), node.span)
        m = r.mapping(node, what, sid)
        if m is None:
            return None
        id_keys = ("step_id",) if engine else ("id", "step_id")
        r.check_keys(m, ("name", "steps") + id_keys, what, sid)
        name_node = m.get("name")
        name = r.string(name_node, "branch name", sid) if name_node is not None else None
        bid_node = m.get("step_id") if m.get("step_id") is not None else m.get("id")
        bid = r.string(bid_node, "branch step_id", sid) if bid_node is not None else None
        return ir.Branch(self.steps(m.get("steps"), f"{what} steps", sid), m.span, name, bid,
                         bid_node.span if bid_node is not None else None)

    def flow_choice(self, m: YMap, common: ir.StepCommon) -> ir.ChoiceStep | None:
        sid = common.id
        cond_node = m.get("if")
        assert cond_node is not None
        condition = read_condition(self.r, cond_node, sid)
        then = self.choice_branch(m.get("then"), sid, "then", engine=False)
        if then is None:
            self.r.report(codes.SCHEMA, f'choice step "{sid}" has no "then" branch', common.id_span, step=sid)
            then = ir.Branch((), m.span)
        otherwise = self.choice_branch(m.get("else"), sid, "else", engine=False)
        return ir.ChoiceStep(common, condition, then, otherwise)

    def pass_step(self, m: YMap, common: ir.StepCommon, result_key: str) -> ir.PassStep:
        r, sid = self.r, common.id
        node = m.get(result_key)
        result = r.value(node, sid) if node is not None else None
        rp_node = m.get("result_path")
        rp = r.string(rp_node, "result_path", sid) if rp_node is not None else None
        return ir.PassStep(common, result, rp)

    # engine form ---------------------------------------------------------------
    def engine_step(self, m: YMap, sid: str, id_node: YNode) -> ir.Step | None:
        r = self.r
        type_node = m.get("type")
        stype = r.string(type_node, "step type", sid)
        if stype is None:
            return None
        if stype not in STEP_TYPES:
            assert type_node is not None
            r.report(codes.SCHEMA, f'unknown step type "{stype}"{did_you_mean(stype, STEP_TYPES)}',
                     type_node.span, step=sid, hint="types: " + ", ".join(STEP_TYPES))
            return None
        r.check_keys(m, _ENGINE_ALLOWED[stype], f'{stype} step "{sid}"', sid)
        common = self.common(m, sid, id_node, engine=True, http=stype == "http")
        if stype == "model":
            return self.model(m, common, params_key="params")
        if stype == "http":
            url_node = m.get("url")
            if url_node is None:
                r.report(codes.SCHEMA, f'http step "{sid}" has no "url"', id_node.span, step=sid)
                return None
            if r.string(url_node, "url", sid) is None:
                return None
            assert isinstance(url_node, YScalar)
            url = r.scalar(url_node, sid)
            method_node = m.get("method")
            method = "GET"
            method_span = url_node.span
            if method_node is not None:
                mv = r.string(method_node, "method", sid)
                method_span = method_node.span
                if mv is not None:
                    if mv.upper() not in HTTP_METHODS:
                        r.report(codes.SCHEMA, f'unknown http method "{mv}"{did_you_mean(mv.upper(), HTTP_METHODS)}',
                                 method_node.span, step=sid)
                    method = mv.upper()
            return self._http(m, common, url, method, method_span, query_key="query_params")
        if stype == "python":
            return self.python(m, common, code_key="code", inputs_key="inputs")
        if stype == "parallel":
            seq = r.sequence(m.get("branches"), "branches", sid)
            if seq is None:
                r.report(codes.SCHEMA, f'parallel step "{sid}" has no "branches"', id_node.span, step=sid) \
                    if m.get("branches") is None else None
                return None
            branches = []
            for b in seq.items:
                bm = r.mapping(b, "parallel branch", sid)
                if bm is None:
                    continue
                r.check_keys(bm, ("name", "steps"), "parallel branch", sid)
                name_node = bm.get("name")
                name = r.string(name_node, "branch name", sid) if name_node is not None else None
                branches.append(ir.Branch(self.steps(bm.get("steps"), "branch steps", sid), bm.span, name))
            return ir.ParallelStep(common, tuple(branches))
        if stype == "choice":
            cond_node = m.get("condition")
            condition = None
            if cond_node is None:
                r.report(codes.SCHEMA, f'choice step "{sid}" has no "condition"', id_node.span, step=sid)
            else:
                condition = read_condition(r, cond_node, sid)
            then = self.choice_branch(m.get("condition_met_branch"), sid, "condition_met_branch", engine=True)
            if then is None:
                r.report(codes.SCHEMA, f'choice step "{sid}" has no "condition_met_branch"', id_node.span, step=sid)
                then = ir.Branch((), m.span)
            otherwise = self.choice_branch(m.get("default_branch"), sid, "default_branch", engine=True)
            return ir.ChoiceStep(common, condition, then, otherwise)
        return self.pass_step(m, common, result_key="result")
