"""The code's shape: no import loops, and each layer imports only from the layers below it.

Imports are read from the source with ``ast``, those inside functions
included: a loop hidden from Python by a function-level import is still a loop.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("articles", "newsroom")

# Bottom up. A module belongs to the layer of its longest matching prefix.
LAYERS = [
    ("helpers", ["newsroom", "articles.text", "articles.compiled", "articles.slugs", "articles.origin", "articles.images", "articles.richtext",
                 "articles.routes"]),
    ("models", ["articles.models"]),
    ("services", ["articles.publishing", "articles.search", "articles.cache", "articles.importing", "articles.entities",
                  "articles.library", "articles.relations", "articles.reading", "articles.representation", "articles.webhooks", "articles.orgchart"]),
    ("receivers", ["articles.signals", "articles.notifications"]),
    ("middleware", ["articles.middleware", "newsroom.middleware", "newsroom.health"]),
    ("interfaces", ["articles.api", "articles.views", "articles.admin", "articles.feeds", "articles.sitemaps", "articles.templating",
                    "articles.orgchart_svg",
                    "articles.context_processors", "articles.urls", "articles.management", "articles.apps",
                    "articles.migrations", "newsroom.urls", "newsroom.settings", "newsroom.wsgi", "newsroom.asgi"]),
]


def project_modules():
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            modules[".".join(parts)] = (path, is_package)
    return modules


def imports_of(name, path, is_package, modules):
    """The project modules ``name`` imports, anywhere in its file."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from x import y" imports the module x.y when there is one, else a name from x.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph():
    modules = project_modules()
    return {name: imports_of(name, path, is_package, modules) for name, (path, is_package) in modules.items()}


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan), each as a list of names."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module):
    best = max(((prefix, rank) for rank, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
                if module == prefix or module.startswith(prefix + ".")), key=lambda pair: len(pair[0]), default=None)
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS in tests/test_layers.py"
    return best[1]


def test_no_module_imports_another_that_imports_it_back():
    graph = import_graph()
    loops = cycles(graph)
    described = [" -> ".join(loop) + f" ({'; '.join(f'{a} imports {b}' for a in loop for b in sorted(graph[a]) if b in loop)})"
                 for loop in loops]
    assert not loops, "import loops: " + " | ".join(described)


def test_each_layer_imports_only_from_its_own_and_the_layers_below():
    upward = []
    for module, targets in sorted(import_graph().items()):
        for target in sorted(targets):
            if layer_of(target) > layer_of(module):
                upward.append(f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})")
    assert not upward, "imports that run up the layers: " + "; ".join(upward)


def test_the_cycle_finder_finds_a_loop_hidden_in_a_function():
    """The checker itself: a loop made of a top-level import and a function-level one is caught."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder, "a.py"), Path(folder, "b.py")
        a.write_text("import pkg.b\n")
        b.write_text("def later():\n    from pkg import a\n")
        modules = {"pkg.a": (a, False), "pkg.b": (b, False)}
        graph = {name: imports_of(name, path, is_package, modules) for name, (path, is_package) in modules.items()}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
