"""Version 2 of the planted package (a second generation for the merge rules of `callOnly`)."""
from .models import Launcher, Loader, SafePoint

__all__ = ['Launcher', 'Loader', 'SafePoint']
__version__ = '2.0'
