"""The house's structure, measured: no import circles, few imports inside functions (each with its
reason), no function too branchy or too long, no module too big. The figures are the goals of
"A simpler house, measured like for like"; `python tests/test_structure.py` prints today's values."""

import ast
import io
import subprocess
import tokenize
from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "guide"
MAX_COMPLEXITY = 15
MAX_FUNCTION_LINES = 50
MAX_MODULE_CODE_LINES = 300
MAX_LOCAL_IMPORTS = 5


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, ast.stmt, bool]]:
    """(module imported, statement, inside a function?) for each of our modules a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if _is_package(path) else name.rpartition(".")[0]
    local = {
        id(node)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(fn)
        if isinstance(node, ast.Import | ast.ImportFrom)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target in known and target != name:
                found.append((target, node, id(node) in local))
    return found


def circles() -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), imports inside functions counted."""
    known = modules()
    graph = {name: {target for target, _, _ in imports_of(name, path, known)} for name, path in known.items()}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in graph:
        if name not in index:
            visit(name)
    return groups


def local_imports() -> list[tuple[str, int, str]]:
    """(file, line, the reason given in a comment on the line or the one above) of imports inside functions."""
    found = []
    for path in modules().values():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    here, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
                    reason = here.partition("#")[2].strip() or (above[1:].strip() if above.startswith("#") else "")
                    found.append((str(path.relative_to(PACKAGE.parent)), node.lineno, reason))
    return sorted(set(found))


def branchy_functions() -> list[tuple[str, str, int]]:
    found = []
    for path in modules().values():
        for block in cc_visit(path.read_text(encoding="utf-8")):
            for item in [block, *getattr(block, "methods", [])]:
                if item.complexity > MAX_COMPLEXITY and not hasattr(item, "methods"):
                    found.append((str(path.relative_to(PACKAGE.parent)), item.fullname, item.complexity))
    return sorted(set(found))


def long_functions() -> list[tuple[str, str, int]]:
    found = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append((str(path.relative_to(PACKAGE.parent)), node.name, length))
    return sorted(found)


def code_lines(path: Path) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    source = path.read_text(encoding="utf-8")
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    lines = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def big_modules() -> list[tuple[str, int]]:
    sizes = [(str(path.relative_to(PACKAGE.parent)), code_lines(path)) for path in modules().values()]
    return sorted((name, size) for name, size in sizes if size > MAX_MODULE_CODE_LINES)


def test_no_merge_left_its_conflict_markers():
    """A template with <<<<<<< in it renders, so only a look at every tracked text file finds one."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    marked = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".py", ".html", ".md", ".yaml", ".po", ".css", ".js", ".txt", ".conf", ".sh", ".toml"}:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            marked += [f"{name}:{n}" for n, line in enumerate(lines, 1) if line.startswith(("<<<<<<< ", ">>>>>>> "))]
    assert marked == []


def test_no_import_circles():
    assert circles() == []


def test_few_imports_inside_functions_each_with_its_reason():
    found = local_imports()
    assert len(found) <= MAX_LOCAL_IMPORTS, found
    assert [place for place in found if not place[2]] == [], "an import inside a function says why in a comment"


def test_no_function_too_branchy():
    assert branchy_functions() == []


def test_no_function_too_long():
    assert long_functions() == []


def test_no_module_too_big():
    assert big_modules() == []


def test_the_measures_see_what_they_measure(tmp_path):
    """The measuring functions find a circle, a branchy function and a long one when there is one."""
    branchy = "def f(x):\n" + "".join(f"    if x == {n}:\n        return {n}\n" for n in range(20)) + "    return 0\n"
    assert cc_visit(branchy)[0].complexity > MAX_COMPLEXITY
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Doc\nstring."""\n\n# a comment\nx = 1\n\n\ndef f():\n    """Doc."""\n    return (\n        x\n    )\n'
    )
    assert code_lines(sample) == 5


if __name__ == "__main__":
    print("import circles:", circles())
    print("imports inside functions:", len(local_imports()))
    for place in local_imports():
        print("   ", *place)
    print("functions with complexity >", MAX_COMPLEXITY, branchy_functions())
    print("functions longer than", MAX_FUNCTION_LINES, "lines:", long_functions())
    print("modules over", MAX_MODULE_CODE_LINES, "code lines:", big_modules())
