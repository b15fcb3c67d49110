import importlib
import os


class SafePoint:
    """Safe in version 1; here only its __init__ runs a command (callOnly)."""

    def __init__(self, x=0, y=0):
        self.x = x
        self.y = y
        os.system('echo %s' % x)

    def __setstate__(self, state):
        self.__dict__.update(state)


class Launcher:
    """Only __init__ ran a command in version 1; here __setstate__ does too (no callOnly any more)."""

    def __init__(self, command='true'):
        self.command = command
        os.system(command)

    def __setstate__(self, state):
        self.__dict__.update(state)
        os.system(self.command)


class Loader:
    """As in version 1: imports a module named by its argument in __init__ (callOnly in both)."""

    def __init__(self, name):
        self.module = importlib.import_module(name)
