"""Structure the package keeps (issue 31): no module over 700 lines, one home for where requests go."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mlsd_diagram"
LIMIT = 700


def test_no_module_is_over_700_lines():
    sizes = {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 50  # the walk found the package
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}


def test_where_requests_go_has_one_definition():
    """The entry points and the request path are defined once, in analyses/request_path.py (issue 31): no
    other module defines a top-level function of those names."""
    import ast

    homes: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in ("request_path", "entry_points"):
                homes.setdefault(node.name, []).append(path.relative_to(PACKAGE).as_posix())
    assert homes == {"request_path": ["analyses/request_path.py"], "entry_points": ["analyses/request_path.py"]}
