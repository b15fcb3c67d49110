"""The libraries the catalogue covers: name -> top-level packages (import names).

`name` is the catalogue file name (src/names/catalogue/<name>.json) and, where the corpus has one,
the `library` of samples/real/manifest.json. `packages` are the module prefixes that belong to it
(a dotted prefix such as `ruamel.yaml` is allowed). `support: True` marks libraries that are
catalogued mainly because the others call into them (their functions join the call graph).

Adding a library is one line here (or `extract.py --package NAME` for a package of your own).
"""

LIBRARIES = [
    # name, packages, support
    ('arrow', ['arrow'], False),
    ('asteval', ['asteval'], True),
    ('astropy', ['astropy'], False),
    ('attrs', ['attr', 'attrs'], False),
    ('babel', ['babel'], False),
    ('bidict', ['bidict'], False),
    ('biopython', ['Bio'], False),
    ('bitarray', ['bitarray'], False),
    ('boltons', ['boltons'], False),
    ('cachetools', ['cachetools'], False),
    ('cftime', ['cftime'], False),
    ('cloudpickle', ['cloudpickle'], False),
    ('cycler', ['cycler'], True),
    ('dask', ['dask'], False),
    ('dateutil', ['dateutil'], False),
    ('decorator', ['decorator'], True),
    ('dill', ['dill'], False),
    ('emcee', ['emcee'], False),
    ('erfa', ['erfa'], True),
    ('frozendict', ['frozendict'], False),
    ('fsspec', ['fsspec'], True),
    ('gensim', ['gensim'], False),
    ('geopandas', ['geopandas'], False),
    ('igraph', ['igraph'], False),
    ('imblearn', ['imblearn'], False),
    ('intervaltree', ['intervaltree'], False),
    ('isodate', ['isodate'], False),
    ('joblib', ['joblib'], False),
    ('llvmlite', ['llvmlite'], True),
    ('lmfit', ['lmfit'], False),
    ('matplotlib', ['matplotlib', 'mpl_toolkits'], False),
    ('more_itertools', ['more_itertools'], True),
    ('mpmath', ['mpmath'], False),
    ('multidict', ['multidict'], False),
    ('natsort', ['natsort'], False),
    ('networkx', ['networkx'], False),
    ('nltk', ['nltk'], False),
    ('numba', ['numba'], False),
    ('numpy', ['numpy'], False),
    ('optuna', ['optuna'], False),
    ('ordered_set', ['ordered_set'], False),
    ('packaging', ['packaging'], True),
    ('pandas', ['pandas'], False),
    ('patsy', ['patsy'], True),
    ('pendulum', ['pendulum'], False),
    ('pil', ['PIL'], False),
    ('pint', ['pint'], False),
    ('pomegranate', ['pomegranate'], False),
    ('pydantic', ['pydantic'], False),
    ('pydantic_core', ['pydantic_core'], True),
    ('pyparsing', ['pyparsing'], True),
    ('pyproj', ['pyproj'], False),
    ('pyrsistent', ['pyrsistent', 'pvectorc'], False),
    ('pytz', ['pytz'], False),
    ('pytz_deprecation_shim', ['pytz_deprecation_shim'], True),
    ('rdflib', ['rdflib'], False),
    ('ruamel.yaml', ['ruamel.yaml'], False),
    ('scipy', ['scipy'], False),
    ('seaborn', ['seaborn'], False),
    ('shapely', ['shapely'], False),
    ('six', ['six'], True),
    ('skimage', ['skimage'], False),
    ('sklearn', ['sklearn'], False),
    ('sklearn_pandas', ['sklearn_pandas'], False),
    ('skorch', ['skorch'], False),
    ('sortedcontainers', ['sortedcontainers'], False),
    ('sparse', ['sparse'], False),
    ('statsmodels', ['statsmodels'], False),
    ('sympy', ['sympy'], False),
    ('tables', ['tables'], False),
    ('threadpoolctl', ['threadpoolctl'], True),
    ('toolz', ['toolz', 'tlz'], False),
    ('torch', ['torch'], False),
    ('torchaudio', ['torchaudio'], False),
    ('torchvision', ['torchvision'], False),
    ('tqdm', ['tqdm'], False),
    ('typing_extensions', ['typing_extensions'], True),
    ('tzlocal', ['tzlocal'], False),
    ('uncertainties', ['uncertainties'], False),
    ('xarray', ['xarray'], False),
    ('xgboost', ['xgboost'], False),
    ('yarl', ['yarl'], False),
]

BY_NAME = {name: (packages, support) for name, packages, support in LIBRARIES}


def library_of(module):
    """The catalogued library a module belongs to (longest package prefix), or None."""
    best = None
    for name, packages, _support in LIBRARIES:
        for p in packages:
            if module == p or module.startswith(p + '.'):
                if best is None or len(p) > best[1]:
                    best = (name, len(p))
    return best[0] if best else None
