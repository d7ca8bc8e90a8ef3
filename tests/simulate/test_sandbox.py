"""The python sandbox: a separate process, only the declared inputs, no network, no files
outside its temporary directory, no new processes, a time limit."""

from __future__ import annotations

import pytest

from flowdsl.simulate.sandbox import PythonRunner

from tests.simulate.helpers import PYTHON


def test_result_and_inputs() -> None:
    r = PYTHON.run("import json, math\nresult = {'x': math.floor(inputs['v'] * 2), 'j': json.dumps([1])}", {"v": 2.6})
    assert r.ok and r.output == {"x": 5, "j": "[1]"}


@pytest.mark.parametrize("code, needle", [
    ("import socket\nsocket.socket()", "network"),
    ("import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9')", "network"),
    ("open('/etc/hostname').read()", "outside its temporary directory"),
    ("import os\nopen(os.path.expanduser('~/.flowdsl-sandbox-test'), 'w')", "outside its temporary directory"),
    ("import subprocess\nsubprocess.run(['true'])", "starting processes"),
    ("import os\nos.system('true')", "starting processes"),
])
def test_blocked(code: str, needle: str) -> None:
    r = PYTHON.run(code, {})
    assert not r.ok and r.error == "PermissionError" and needle in r.cause


def test_own_temporary_directory_and_empty_environment() -> None:
    r = PYTHON.run("import os\nopen('scratch.txt', 'w').write('ok')\n"
                   "result = [open('scratch.txt').read(), sorted(k for k in os.environ if 'KEY' in k or 'TOKEN' in k)]",
                   {})
    assert r.ok and r.output == ["ok", []]


def test_errors_and_logs() -> None:
    bad = PYTHON.run("x = 1\nresult = inputs['missing']", {})
    assert not bad.ok and bad.error == "KeyError" and bad.cause.endswith("(line 2)")
    syntax = PYTHON.run("def f(:\n  pass", {})
    assert syntax.error == "SyntaxError"
    not_json = PYTHON.run("print('hello')\nresult = {1, 2}", {})
    assert not not_json.ok and "not JSON" in not_json.cause and not_json.logs == "hello\n"
    unset = PYTHON.run("x = 1", {})
    assert unset.ok and unset.output is None and unset.result_set is False


def test_time_limit_and_cache() -> None:
    runner = PythonRunner(time_limit_s=1)
    slow = runner.run("while True:\n    pass", {})
    assert slow.timed_out and slow.error == "timeout"
    runner.run("result = 1", {"a": 1})
    runner.run("result = 1", {"a": 1})
    assert runner.runs == 2  # the second identical call came from the cache
