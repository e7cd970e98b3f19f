"""The located YAML stage: our words for every syntax error, the same with either parser.

libyaml and PyYAML's pure-Python parser word the same mistake differently (and reword it
between releases); the messages here are the project's, at one position.
"""

from __future__ import annotations

import gc
import threading

import pytest
import yaml
from mlsd_testing import YAML_LOADERS

import mlsd_diagram
from mlsd_diagram import BlueprintError
from mlsd_diagram.blueprint import loader as blueprint_loader
from mlsd_diagram.blueprint.located import parse, yaml_loader

# text -> the one located error, without the file name.
SYNTAX_ERRORS = {
    "a: {x: 1\n": "2:1: error: invalid YAML: expected ',' or '}' in the {...} mapping opened on line 1",
    "a: [1, 2\n": "2:1: error: invalid YAML: expected ',' or ']' in the [...] list opened on line 1",
    "a: {b: c: d}\n": "1:9: error: invalid YAML: expected ',' or '}' in the {...} mapping opened on line 1",
    "a:\n  b: 1\n   c: 2\n": "3:5: error: invalid YAML: ':' is not allowed here; quote text that contains ': ', "
    "or check the indentation",
    "a: b: c\n": "1:5: error: invalid YAML: ':' is not allowed here; quote text that contains ': ', or check the "
    "indentation",
    "a:\n    b: 1\n  c: 2\n": "3:3: error: invalid YAML: expected a key of the mapping that starts on line 1; check "
    "the indentation",
    "a:\n  - 1\n  b: 2\n": "3:3: error: invalid YAML: expected a '- ' item of the list that starts on line 2; check "
    "the indentation",
    "a: 1\n, b\n": "2:1: error: invalid YAML: expected a key of the mapping that starts on line 1; check the "
    "indentation",
    "{a: 1}\nb: 2\n": "2:1: error: invalid YAML: unexpected text after the end of the document",
    "a: [- 1]\n": "1:5: error: invalid YAML: expected a value here",
    "a:\n\tb: 1\n": "2:1: error: invalid YAML: this line is indented with a tab; YAML is indented with spaces",
    "a: |\n  x\n\ty\n": "3:1: error: invalid YAML: this line is indented with a tab; YAML is indented with spaces",
    "a:\n  b c\n\t d\n": "3:1: error: invalid YAML: this line is indented with a tab; YAML is indented with spaces",
    "a: @x\n": "1:4: error: invalid YAML: '@' cannot start a value; quote the text",
    "a: `x`\n": "1:4: error: invalid YAML: '`' cannot start a value; quote the text",
    "a: 1\nb\nc: 2\n": "3:1: error: invalid YAML: expected ':' after the key on line 2",
    "a: b\n- c\n": "2:1: error: invalid YAML: expected a key of the mapping that starts on line 1; check the "
    "indentation",
    "a: &\n": "1:5: error: invalid YAML: an anchor ('&') or alias ('*') needs a name of letters, digits, '-' or '_'",
    "a: * x\n": "1:5: error: invalid YAML: an anchor ('&') or alias ('*') needs a name of letters, digits, '-' or '_'",
    "a: !<x y\n": "1:7: error: invalid YAML: invalid tag; blueprints hold plain data and need no tags",
    "a: !x!y z\n": "1:4: error: invalid YAML: invalid tag; blueprints hold plain data and need no tags",
    'a: "abc\n': "2:1: error: invalid YAML: the quoted text opened on line 1 is not closed",
    "a: 'abc\n": "2:1: error: invalid YAML: the quoted text opened on line 1 is not closed",
    'a: "abc\n---\n"\n': "2:1: error: invalid YAML: the quoted text opened on line 1 is not closed",
    'a: "a\\qb"\n': "1:6: error: invalid YAML: unknown escape '\\q' in double-quoted text; write '\\\\' for a "
    "backslash, or use single quotes",
    'a: "\\xZZ"\n': "1:7: error: invalid YAML: invalid escape in double-quoted text: '\\x', '\\u' and '\\U' take "
    "2, 4 and 8 hexadecimal digits",
    "a: |0\n  x\n": "1:5: error: invalid YAML: invalid '|' or '>' header: only '+', '-', a digit 1-9 and a comment "
    "may follow it",
    "a: |x\n  x\n": "1:5: error: invalid YAML: invalid '|' or '>' header: only '+', '-', a digit 1-9 and a comment "
    "may follow it",
    "%FOO bar\n---\na: 1\n": "1:5: error: invalid YAML: invalid or unsupported '%' directive",
    "%YAML 1.1\n%F-O1 x\n---\na: 1\n": "2:6: error: invalid YAML: invalid or unsupported '%' directive",
    "%YAML 2.0\n---\na: 1\n": "1:1: error: invalid YAML: invalid or unsupported '%' directive",
    # A ':' right before ',', ']' or '}': libyaml refuses it, PyYAML's parser would read an empty value.
    "a: {b:, c: d}\n": "1:6: error: invalid YAML: a ':' inside {...} or [...] needs a space after it; write "
    "'key: value', or quote the text",
    "a: [b:]\n": "1:6: error: invalid YAML: a ':' inside {...} or [...] needs a space after it; write 'key: value', "
    "or quote the text",
    "a: {b :}\n": "1:7: error: invalid YAML: a ':' inside {...} or [...] needs a space after it; write 'key: value', "
    "or quote the text",
    "a: b\x01\n": "1:5: error: control character U+0001 is not allowed; a blueprint is plain text",
    "a: é\n\x07c: 1\n": "2:1: error: control character U+0007 is not allowed; a blueprint is plain text",
}
# Words of libyaml's and PyYAML's own messages: none may reach ours.
LIBRARY_WORDS = (
    "did not find",
    "could not find",
    "but found",
    "but got",
    "while parsing",
    "while scanning",
    "<block",
    "<stream",
    "token",
    "scalar",
)


@pytest.mark.parametrize("loader", YAML_LOADERS)
@pytest.mark.parametrize("text", list(SYNTAX_ERRORS), ids=range(len(SYNTAX_ERRORS)))
def test_syntax_errors_are_in_our_words(text, loader):
    tree, errors = parse(text, "t.yaml", loader=loader)
    assert tree is None
    assert [str(e) for e in errors] == ["t.yaml:" + SYNTAX_ERRORS[text]]
    assert not any(word in errors[0].message for word in LIBRARY_WORDS)


@pytest.mark.parametrize(
    "text", ["a: {b: , c: d}\n", "a: {'b':, c: d}\n", "a: b:,c\n", "a: [b:c, d]\n", "a: {b:\n  }\n", "a:\n  - 1 - 2\n"]
)
def test_both_parsers_read_the_same_data(text):
    trees = [
        parse(text, "t.yaml", loader=name)[0]
        for name in ("c", "python")
        if hasattr(yaml, "CSafeLoader") or name == "python"
    ]
    assert all(tree is not None for tree in trees)
    assert all(tree.data == trees[0].data for tree in trees)


def test_yaml_loader_is_chosen_by_name_or_environment(monkeypatch):
    assert yaml_loader("python") is yaml.SafeLoader
    monkeypatch.setenv("MLSD_YAML_LOADER", "python")
    assert yaml_loader() is yaml.SafeLoader
    if yaml.__with_libyaml__:
        assert yaml_loader("c") is yaml.CSafeLoader
        monkeypatch.setenv("MLSD_YAML_LOADER", "c")
        assert yaml_loader() is yaml.CSafeLoader
    with pytest.raises(ValueError, match="unknown YAML loader 'ruamel'; use one of: c, python"):
        yaml_loader("ruamel")


BLUEPRINT = """\
mlsd: 1
name: t
components:
  app: {kind: client_app}
  svc: {kind: online_service}
  mon: {kind: drift_detector}
flows:
"""


@pytest.mark.parametrize("loader", YAML_LOADERS)
def test_duplicate_keys_keep_the_first_value_and_reading_goes_on(loader):
    text = BLUEPRINT + "  - {from: app, to: svc, mode: request, mode: stream}\n"
    tree, errors = parse(text, "t.yaml", loader=loader)
    assert tree.data["flows"][0]["mode"] == "request"
    assert [str(e) for e in errors] == ["t.yaml:8:41: error: duplicate key 'mode' (first defined on line 8)"]


def _errors(text: str) -> list[str]:
    with pytest.raises(BlueprintError) as info:
        mlsd_diagram.loads(text, "t.yaml")
    return [str(d) for d in info.value.diagnostics]


def test_comma_in_plain_text_gets_one_hint_per_cut_value():
    text = BLUEPRINT + "  - {from: svc, to: mon, mode: telemetry, data: latency, errors, score distribution}\n"
    assert _errors(text) == [
        "t.yaml:8:58: error: unknown field 'errors' in flow 0; the comma after 'latency' ends the value in a {...} "
        'mapping: quote the text (data: "latency, errors, score distribution")'
    ]


def test_comma_hint_applies_to_any_error_at_the_cut_key():
    # 'tags' is a real field: the error is about its value (null), and the hint still says why.
    text = BLUEPRINT + "  - {from: svc, to: mon, mode: telemetry, data: latency, tags}\n"
    assert _errors(text) == [
        "t.yaml:8:58: error: 'tags' should be a list, got nothing (null); the comma after 'latency' ends the value "
        'in a {...} mapping: quote the text (data: "latency, tags")'
    ]


@pytest.mark.parametrize(
    "entry", ['data: "latency", errors', "data: 5, errors", "data: latency, errors: x", "data: [latency], errors"]
)
def test_no_comma_hint_unless_plain_text_was_cut(entry):
    text = BLUEPRINT + f"  - {{from: svc, to: mon, mode: telemetry, {entry}}}\n"
    errors = _errors(text)
    assert [e for e in errors if "unknown field 'errors' in flow 0" in e]
    assert not [e for e in errors if "comma" in e]


@pytest.fixture()
def pausing():
    """The collector pauses as the `mlsd` command turns them on (cli/process.py); off again after."""
    blueprint_loader.pause_collector_while_loading(True)
    yield
    blueprint_loader.pause_collector_while_loading(False)


def test_gc_is_left_alone_by_a_library_load():
    gc.disable()
    try:
        with blueprint_loader.collector_paused():
            gc.enable()  # the host's own choice, made inside a load, is not undone by it
        assert gc.isenabled()
    finally:
        gc.enable()


def test_gc_pause_is_shared_by_concurrent_loads(pausing):
    assert gc.isenabled()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with blueprint_loader.collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with blueprint_loader.collector_paused():
            second_in.set()
            first_out.wait(5)
            seen["while second still loads"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"while second still loads": False}
    assert gc.isenabled()


def test_gc_pause_leaves_a_disabled_collector_disabled(pausing):
    gc.disable()
    try:
        with blueprint_loader.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
