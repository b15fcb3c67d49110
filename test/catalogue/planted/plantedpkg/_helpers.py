import importlib
import os


def prepare(command):
    """One call deep: looks harmless."""
    return _launch(command.strip())


def _launch(command):
    """Two calls deep: runs a shell command."""
    return os.system(command)


def describe(point):
    return '(%s, %s)' % (point.x, point.y)


def apply(function, value):
    """Calls what it is given: safe or not depends on the caller."""
    return function(value)


def optional_backend(name):
    """Imports the module it is given: harmless when every caller names a fixed module."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
