"""A planted package for the catalogue tests: seven gadgets (two of them only when called), one unverified class,
two safe classes."""
from .models import (Callback, Evaluator, Hooked, Launcher, Loader, NewLauncher, Runner, SafePoint, Sorter,
                     StateLauncher)

__all__ = ['Callback', 'Evaluator', 'Hooked', 'Launcher', 'Loader', 'NewLauncher', 'Runner', 'SafePoint', 'Sorter',
           'StateLauncher']
__version__ = '1.0'
