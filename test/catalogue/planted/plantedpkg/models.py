import importlib
import os

from ._helpers import apply, describe, optional_backend, prepare


class SafePoint:
    """Safe: its constructor, state and hash only store and compare numbers."""

    def __init__(self, x=0, y=0):
        self.x = x
        self.y = y

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._label = describe(self)

    def __eq__(self, other):
        return isinstance(other, SafePoint) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))


class Runner:
    """Gadget: __setstate__ -> prepare -> _launch -> os.system."""

    def __init__(self, command='true'):
        self.command = command

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.status = prepare(self.command)


class Evaluator:
    """Gadget: pickles as eval(expression)."""

    def __init__(self, expression):
        self.expression = expression

    def __reduce__(self):
        return (eval, (self.expression,))


class Loader:
    """Gadget: imports a module named by its argument."""

    def __init__(self, name):
        self.module = importlib.import_module(name)


class Hooked:
    """Unverified: __setstate__ calls a value taken from the state."""

    def __setstate__(self, state):
        state['callback'](state.get('argument'))


class Callback:
    """Gadget: hands os.system to a helper that calls its parameter."""

    def __setstate__(self, state):
        self.__dict__.update(state)
        apply(os.system, self.command)


class Sorter:
    """Safe: hands a harmless function to the same helper."""

    def __setstate__(self, state):
        self.values = apply(sorted, state.get('values', ()))


class Launcher:
    """Gadget when called: __init__ runs a command; rebuilt (NEWOBJ + BUILD) it only stores its state."""

    def __init__(self, command='true'):
        self.command = command
        os.system(command)

    def __setstate__(self, state):
        self.__dict__.update(state)


class StateLauncher:
    """Gadget either way: __init__ and __setstate__ both run a command."""

    def __init__(self, command='true'):
        self.command = command
        os.system(command)

    def __setstate__(self, state):
        self.__dict__.update(state)
        os.system(self.command)


class NewLauncher:
    """Gadget either way: __new__ (which NEWOBJ runs too) runs a command."""

    def __new__(cls, command='true'):
        os.system(command)
        return super().__new__(cls)

    def __init__(self, command='true'):
        self.command = command


class Accelerated:
    """Safe: imports an optional backend the library names itself, through a helper."""

    def __setstate__(self, state):
        self.backend = optional_backend('json.decoder')
        self.__dict__.update(state)


class ConfigWriter:
    """Gadget: writes a fixed file (the path is constant, what it writes is not)."""

    def __setstate__(self, state):
        with open('/tmp/planted-config', 'w') as fh:
            fh.write(str(state))


class NamedBackend:
    """Gadget: imports the backend its state names, through the same helper."""

    def __setstate__(self, state):
        self.backend = optional_backend(state['backend'])
