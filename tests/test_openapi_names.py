"""Every request and response schema of the API has its own name in the OpenAPI document.

django-ninja names a component after its class: two classes called ``StatusIn`` in two modules became
one component, so the document described one operation's body with the other's fields (schemathesis
found it: ``POST …/tasks/from-template`` answered what the document said it would not). This test fails
when two schema classes of the API share a name.
"""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema


def test_no_two_api_schemas_share_a_name():
    import importlib
    import inspect
    import pkgutil

    import huodong

    seen: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.walk_packages(huodong.__path__, "huodong."):
        name = module_info.name
        if ".api" not in name and not name.endswith(".api") or ".tests" in name:
            continue
        module = importlib.import_module(name)
        for _attr, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls is not Schema and cls.__module__ == name:
                seen[cls.__name__].add(name)
    clashes = {k: sorted(v) for k, v in seen.items() if len(v) > 1}
    assert not clashes, clashes
