#!/usr/bin/env python3
"""Print every experiment name that the original experiments.py defines, one per line, in order.

The names come from loops and f-strings, so the file is executed rather than parsed: every module it
imports (torch, rust_circuit, interp, and the repository's own main and model) is replaced by a stub
that accepts any call, attribute or `|`, and `make_experiments()` is called; the keys of the dict it
returns are the names. Nothing of the original code is kept in this repository: the path is given.

    python3 scripts/original-names/experiment_names.py PATH/TO/experiments.py

Python 3 standard library only.
"""
import sys
import types

STUBBED = [
    "torch",
    "rust_circuit",
    "interp",
    "interp.circuit",
    "interp.circuit.causal_scrubbing",
    "interp.circuit.causal_scrubbing.dataset",
    "interp.circuit.causal_scrubbing.hypothesis",
    "main",
    "model",
]


class Stub:
    """Stands for every class, function, matcher and circuit the file touches: all of it only builds values."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return Stub()

    def __call__(self, *args, **kwargs):
        return Stub()

    def __or__(self, other):
        return Stub()

    __ror__ = __or__


def stub_module(name):
    module = types.ModuleType(name)
    # PEP 562: `from X import Name` asks the module's __getattr__; the class itself serves as a base class too.
    module.__getattr__ = lambda attr: Stub
    module.__path__ = []
    return module


def experiment_names(path):
    for name in STUBBED:
        sys.modules[name] = stub_module(name)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    scope = {"__name__": "original_experiments"}  # not "__main__": its argparse main() must not run
    exec(compile(source, path, "exec"), scope)
    return list(scope["make_experiments"]().keys())


def main(argv):
    if len(argv) != 2:
        print("usage: experiment_names.py PATH/TO/experiments.py", file=sys.stderr)
        return 2
    for name in experiment_names(argv[1]):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
