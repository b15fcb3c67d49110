"""Sample registry shared by the generator modules."""
import collections

Sample = collections.namedtuple('Sample', 'file data category technique description ref expect intended register_only offsets')

SAMPLES = []


def add(file, data, category, technique, description, ref='', expect=None, intended=(), register_only=False, offsets=None):
    """Register one sample. `intended`: 'module name' strings CPython's find_class must see.

    register_only: the file already exists (copied verbatim); only add it to the manifest.
    offsets: start offsets of later pickles to record (default: follow repeated loads).
    """
    if any(s.file == file for s in SAMPLES):
        raise ValueError('duplicate sample ' + file)
    SAMPLES.append(Sample(file, bytes(data), category, technique, description, ref, expect or {}, tuple(intended), register_only, offsets))
