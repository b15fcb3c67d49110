"""The long tail: typical objects of many other libraries, each through the save function its
users normally use (pickle.dump, joblib.dump, the library's own .save()/to_pickle)."""
import importlib
import warnings


def _imp(ctx, lib, module=None):
    try:
        return importlib.import_module(module or lib)
    except Exception as e:
        ctx.note(lib, '*', '-', 'not importable: %s: %s' % (type(e).__name__, e))
        return None


def generate(ctx):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for fn in [_xgboost, _statsmodels, _networkx, _sympy, _astropy, _matplotlib, _xarray, _pil, _shapely, _pint, _uncertainties,
                   _bio, _small_containers, _dates, _nltk, _gensim, _optuna, _skorch, _lmfit, _skimage, _misc, _geo, _dask_sparse,
                   _tables]:
            try:
                fn(ctx)
            except Exception as e:
                ctx.note(fn.__name__.strip('_'), '*', '-', 'generator failed: %s: %s' % (type(e).__name__, e))


def _data():
    import numpy as np
    rng = np.random.RandomState(0)
    X = rng.rand(50, 3)
    y = (X[:, 0] > 0.5).astype(int)
    return X, y


def _xgboost(ctx):
    xgb = _imp(ctx, 'xgboost')
    if not xgb:
        return
    X, y = _data()
    add = lambda n, b, s: ctx.add('xgboost', n, b, s)
    add('xgb_classifier', lambda: xgb.XGBClassifier(n_estimators=3, max_depth=2, use_label_encoder=False).fit(X, y)
        if xgb.__version__.startswith('1.') else xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(X, y), ['p4', 'p2', 'joblib', 'joblib-gzip'])
    add('xgb_regressor', lambda: xgb.XGBRegressor(n_estimators=3, max_depth=2).fit(X, X[:, 1]), ['p4', 'joblib'])
    add('booster', lambda: xgb.train({'max_depth': 2, 'objective': 'binary:logistic'}, xgb.DMatrix(X, label=y), num_boost_round=3), ['p4', 'p5', 'joblib-xz'])
    add('xgb_rf', lambda: xgb.XGBRFClassifier(n_estimators=3, max_depth=2).fit(X, y), ['p4'])


def _statsmodels(ctx):
    sm = _imp(ctx, 'statsmodels', 'statsmodels.api')
    if not sm:
        return
    import numpy as np
    X, y = _data()
    Xc = sm.add_constant(X)
    yr = X @ [1.0, 2.0, -1.0] + np.random.RandomState(1).rand(50) * 0.1

    def smsave(name, build, remove_data=False):
        try:
            res = build()
        except Exception as e:
            ctx.note('statsmodels', name, 'results.save', 'build failed: %s: %s' % (type(e).__name__, e))
            return
        ctx.custom('statsmodels', name, 'save%s' % ('-rd' if remove_data else ''), '.pickle',
                   'results.save(remove_data=%s)' % remove_data, lambda p: res.save(p, remove_data=remove_data),
                   ('statsmodels.iolib.smpickle.load_pickle', lambda p: sm.load(p)))
    smsave('ols_results', lambda: sm.OLS(yr, Xc).fit())
    smsave('ols_results', lambda: sm.OLS(yr, Xc).fit(), remove_data=True)
    smsave('logit_results', lambda: sm.Logit((X[:, 0] + np.random.RandomState(2).rand(50) > 1.0).astype(int), Xc).fit(disp=0))
    smsave('glm_poisson', lambda: sm.GLM(np.round(yr * 3).clip(0), Xc, family=sm.families.Poisson()).fit())
    smsave('wls_robust', lambda: sm.WLS(yr, Xc, weights=np.ones(50)).fit(cov_type='HC3'))
    smsave('rlm', lambda: sm.RLM(yr, Xc).fit())
    smsave('arima', lambda: __import__('statsmodels.tsa.arima.model', fromlist=['ARIMA']).ARIMA(np.cumsum(yr), order=(1, 1, 0)).fit())
    smsave('holt_winters', lambda: __import__('statsmodels.tsa.holtwinters', fromlist=['ExponentialSmoothing']).ExponentialSmoothing(np.cumsum(yr) + 10, trend='add').fit())
    smsave('formula_ols', lambda: _formula(sm, X, yr))
    ctx.add('statsmodels', 'ols_results_pickle', lambda: sm.OLS(yr, Xc).fit(), ['p2', 'joblib'])
    ctx.add('statsmodels', 'kde_univariate', lambda: sm.nonparametric.KDEUnivariate(yr).fit(), ['p4'])


def _formula(sm, X, yr):
    import pandas as pd
    import statsmodels.formula.api as smf
    df = pd.DataFrame({'y': yr, 'a': X[:, 0], 'g': ['u', 'v'] * 25})
    return smf.ols('y ~ a + C(g)', df).fit()


def _networkx(ctx):
    nx = _imp(ctx, 'networkx')
    if not nx:
        return
    add = lambda n, b, s=('p2', 'p4'): ctx.add('networkx', n, b, list(s))
    add('graph_attrs', lambda: _graph(nx), ['p0', 'p2', 'p4', 'p5'])
    add('digraph', lambda: nx.gn_graph(10, seed=1))
    add('multigraph', lambda: nx.MultiDiGraph([(1, 2, {'w': 1}), (1, 2, {'w': 2}), (2, 3, {})]))
    add('generators', lambda: [nx.karate_club_graph(), nx.grid_2d_graph(3, 3), nx.complete_bipartite_graph(2, 3)])
    add('algorithm_results', lambda: {'pr': nx.pagerank(nx.karate_club_graph()), 'sp': dict(nx.shortest_path_length(nx.path_graph(4)))})
    if hasattr(nx, 'write_gpickle'):
        g = _graph(nx)
        ctx.custom('networkx', 'graph_attrs', 'gpickle', '.gpickle', 'nx.write_gpickle', lambda p: nx.write_gpickle(g, p),
                   ('nx.read_gpickle', lambda p: nx.read_gpickle(p)))


def _graph(nx):
    g = nx.Graph(name='demo')
    g.add_edge('a', 'b', weight=1.5)
    g.add_edge('b', 'c', label=('x', 1))
    g.nodes['a']['pos'] = (0.0, 1.0)
    return g


def _sympy(ctx):
    sp = _imp(ctx, 'sympy')
    if not sp:
        return
    x, y = sp.symbols('x y', real=True)
    add = lambda n, b, s=('p2', 'p4'): ctx.add('sympy', n, b, list(s))
    add('expressions', lambda: [sp.sin(x) ** 2 + sp.cos(y), sp.exp(-x ** 2) / sp.sqrt(sp.pi), sp.Integral(x ** 2, (x, 0, 1))], ['p0', 'p2', 'p4', 'p5'])
    add('numbers', lambda: [sp.Rational(3, 7), sp.Float('1.5', 30), sp.I, sp.oo, sp.pi, sp.E, sp.Integer(10) ** 50])
    add('matrix', lambda: sp.Matrix([[x, 1], [0, y]]))
    add('solve_results', lambda: {'roots': sp.solve(x ** 2 - 2, x), 'poly': sp.Poly(x ** 3 - x, x), 'series': sp.series(sp.sin(x), x, 0, 4)})
    add('sets_logic', lambda: [sp.Interval(0, 1), sp.FiniteSet(1, 2), sp.And(sp.Symbol('p'), sp.Not(sp.Symbol('q')))])


def _astropy(ctx):
    u = _imp(ctx, 'astropy', 'astropy.units')
    if not u:
        return
    from astropy.time import Time
    from astropy.table import Table
    from astropy.coordinates import SkyCoord
    import numpy as np
    add = lambda n, b, s=('p2', 'p4'): ctx.add('astropy', n, b, list(s))
    add('quantities', lambda: [3.0 * u.m / u.s, np.arange(3) * u.kg, (1 * u.deg).to(u.rad)], ['p0', 'p2', 'p4', 'p5'])
    add('units', lambda: [u.km, u.m / u.s ** 2, u.Unit('erg / (cm2 s)'), u.dimensionless_unscaled])
    add('time', lambda: Time(['2024-01-01T00:00:00', '2024-06-01T12:00:00'], scale='utc'))
    add('table', lambda: Table({'a': [1, 2], 'b': [1.5, 2.5] * u.m, 'c': ['x', 'y']}, meta={'name': 't'}))
    add('skycoord', lambda: SkyCoord(ra=10.5 * u.deg, dec=-20.1 * u.deg, frame='icrs'))
    add('constants_models', lambda: [__import__('astropy.constants', fromlist=['c']).c, __import__('astropy.modeling.models', fromlist=['Gaussian1D']).Gaussian1D(1, 0, 0.5)])


def _matplotlib(ctx):
    mpl = _imp(ctx, 'matplotlib')
    if not mpl:
        return
    mpl.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np
    add = lambda n, b, s=('p2', 'p4'): ctx.add('matplotlib', n, b, list(s))

    def fig():
        f, ax = plt.subplots(figsize=(2, 2))
        ax.plot(np.arange(5), np.arange(5) ** 2, 'r-', label='sq')
        ax.set_title('t')
        ax.legend()
        return f

    def fig2():
        f, axs = plt.subplots(1, 2, figsize=(3, 2))
        axs[0].imshow(np.eye(3), cmap='viridis')
        axs[1].bar([1, 2], [3, 4])
        axs[1].scatter([1, 2], [1, 2])
        return f
    add('figure_line', fig, ['p4', 'p5'])
    add('figure_image_bar', fig2, ['p4'])
    add('colormaps_norms', lambda: [mpl.colormaps['viridis'] if hasattr(mpl, 'colormaps') else plt.get_cmap('viridis'),
                                    mpl.colors.LinearSegmentedColormap.from_list('c', ['red', 'blue']), mpl.colors.Normalize(0, 1),
                                    mpl.colors.LogNorm(1, 10), mpl.colors.ListedColormap(['r', 'g'])])
    add('paths_transforms', lambda: [mpl.path.Path([(0, 0), (1, 1)]), mpl.transforms.Affine2D().rotate_deg(30), mpl.transforms.Bbox([[0, 0], [1, 1]])])
    add('markers_styles', lambda: [mpl.markers.MarkerStyle('o'), mpl.font_manager.FontProperties(size=9), dict(mpl.rcParams)])
    plt.close('all')


def _xarray(ctx):
    xr = _imp(ctx, 'xarray')
    if not xr:
        return
    import numpy as np
    import pandas as pd
    add = lambda n, b, s=('p2', 'p4'): ctx.add('xarray', n, b, list(s))
    add('dataarray', lambda: xr.DataArray(np.arange(6.).reshape(2, 3), dims=('x', 'y'), coords={'x': [10, 20]}, attrs={'units': 'm'}), ['p2', 'p4', 'p5', 'joblib'])
    add('dataset', lambda: xr.Dataset({'t': (('time',), np.arange(3.))}, coords={'time': pd.date_range('2024-01-01', periods=3)}), ['p4', 'p5'])
    add('dataset_cftime', lambda: xr.Dataset({'v': ('time', [1, 2])}, coords={'time': xr.cftime_range('2000-01-01', periods=2, calendar='noleap')}))


def _pil(ctx):
    Image = _imp(ctx, 'pil', 'PIL.Image')
    if not Image:
        return
    add = lambda n, b, s=('p2', 'p4'): ctx.add('pil', n, b, list(s))
    add('image_rgb', lambda: Image.new('RGB', (4, 4), (255, 0, 0)), ['p2', 'p4', 'p5'])
    add('image_modes', lambda: [Image.new('L', (3, 3), 7), Image.new('RGBA', (2, 2)), Image.new('P', (2, 2)), Image.new('F', (2, 2), 0.5)])
    add('image_png_loaded', lambda: _png(Image))


def _png(Image):
    import io
    b = io.BytesIO()
    Image.new('RGB', (3, 3), (0, 255, 0)).save(b, format='PNG')
    b.seek(0)
    im = Image.open(b)
    im.load()
    return im


def _shapely(ctx):
    geom = _imp(ctx, 'shapely', 'shapely.geometry')
    if not geom:
        return
    add = lambda n, b, s=('p2', 'p4'): ctx.add('shapely', n, b, list(s))
    add('geometries', lambda: [geom.Point(1, 2), geom.LineString([(0, 0), (1, 1)]), geom.Polygon([(0, 0), (1, 0), (1, 1)]),
                               geom.MultiPoint([(0, 0), (1, 1)]), geom.box(0, 0, 2, 2).buffer(0.5)], ['p0', 'p2', 'p4', 'p5'])
    add('geometry_collection', lambda: geom.GeometryCollection([geom.Point(0, 0), geom.LineString([(0, 0), (2, 2)])]))


def _pint(ctx):
    pint = _imp(ctx, 'pint')
    if not pint:
        return
    ureg = pint.get_application_registry()
    add = lambda n, b, s=('p2', 'p4'): ctx.add('pint', n, b, list(s))
    add('quantities', lambda: [ureg.Quantity(3.5, 'meter'), ureg.Quantity(2, 'kg * m / s**2'), ureg.Quantity(__import__('numpy').arange(3), 'second')], ['p2', 'p4', 'p5'])
    add('units_measurement', lambda: [ureg.Unit('km/h'), ureg.Measurement(1.0, 0.1, 's') if hasattr(ureg, 'Measurement') else ureg.Quantity(1, 's')])


def _uncertainties(ctx):
    unc = _imp(ctx, 'uncertainties')
    if not unc:
        return
    from uncertainties import unumpy
    add = lambda n, b, s=('p2', 'p4'): ctx.add('uncertainties', n, b, list(s))
    add('ufloats', lambda: _ufloats(unc), ['p0', 'p2', 'p4'])
    add('unumpy_array', lambda: unumpy.uarray([1.0, 2.0], [0.1, 0.2]))


def _ufloats(unc):
    a = unc.ufloat(1.0, 0.1, tag='a')
    b = unc.ufloat(2.0, 0.2)
    from uncertainties import umath
    return [a, b, a * b + 1, umath.sin(a)]


def _bio(ctx):
    Bio = _imp(ctx, 'biopython', 'Bio')
    if not Bio:
        return
    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord
    from Bio.SeqFeature import SeqFeature, FeatureLocation
    add = lambda n, b, s=('p2', 'p4'): ctx.add('biopython', n, b, list(s), lib_version_of='Bio')
    add('seq_records', lambda: [Seq('ACGTACGT'), SeqRecord(Seq('MKV'), id='p1', description='protein',
                                                            features=[SeqFeature(FeatureLocation(0, 2), type='domain')])], ['p2', 'p4', 'p5'])
    add('alignment_matrix', lambda: __import__('Bio.Align', fromlist=['substitution_matrices']).substitution_matrices.load('BLOSUM62'))
    add('pdb_structure', lambda: _pdb())


def _pdb():
    import io
    from Bio.PDB import PDBParser
    pdb = ('ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\n'
           'ATOM      2  CA  ALA A   1      11.639   6.071  -5.147  1.00  0.00           C\nEND\n')
    return PDBParser(QUIET=True).get_structure('x', io.StringIO(pdb))


def _small_containers(ctx):
    for lib, mod, objs in [
        ('sortedcontainers', 'sortedcontainers', lambda m: [m.SortedList([3, 1, 2]), m.SortedDict({'b': 1, 'a': 2}), m.SortedSet('hello'),
                                                            m.SortedKeyList([1, 2], key=abs)]),
        ('bidict', 'bidict', lambda m: [m.bidict({'a': 1}), m.frozenbidict({'x': 'y'}), m.OrderedBidict([(1, 2)])]),
        ('multidict', 'multidict', lambda m: [m.MultiDict([('a', 1), ('a', 2)]), m.CIMultiDict({'Content-Type': 'x'}), m.istr('Header')]),
        ('intervaltree', 'intervaltree', lambda m: [m.IntervalTree([m.Interval(0, 5, 'a'), m.Interval(3, 9, 'b')]), m.Interval(1, 2)]),
        ('yarl', 'yarl', lambda m: [m.URL('https://example.org/a?b=c#d'), m.URL('/relative')]),
        ('frozendict', 'frozendict', lambda m: m.frozendict({'a': 1})),
        ('boltons', 'boltons.dictutils', lambda m: [m.OrderedMultiDict([('a', 1), ('a', 2)]), __import__('boltons.setutils', fromlist=['IndexedSet']).IndexedSet([3, 1])]),
        ('toolz', 'toolz', lambda m: [m.curry(max, 5), m.compose(abs, int), m.juxt(min, max)]),
        ('cachetools', 'cachetools', lambda m: [m.LRUCache(maxsize=4), m.TTLCache(maxsize=2, ttl=60), m.LFUCache(3)]),
        ('pyrsistent', 'pyrsistent', lambda m: [m.pmap({'a': 1}), m.pvector([1, 2]), m.pset([1]), m.freeze({'x': [1, {'y': 2}]})]),
        ('bitarray', 'bitarray', lambda m: [m.bitarray('10110'), m.frozenbitarray('001')]),
        ('ordered_set', 'ordered_set', lambda m: m.OrderedSet(['b', 'a'])),
        ('mpmath', 'mpmath', lambda m: [m.mpf('1.5'), m.mpc(1, 2)]),
        ('natsort', 'natsort', lambda m: [m.ns.IGNORECASE | m.ns.FLOAT, m.ns.REAL, m.ns.PATH]),
        ('babel', 'babel', lambda m: [m.Locale.parse('de_DE'), __import__('babel.numbers', fromlist=['format_decimal']).format_decimal(1.5, locale='en')]),
        ('ruamel.yaml', 'ruamel.yaml', lambda m: _ruamel(m)),
        ('rdflib', 'rdflib', lambda m: [m.URIRef('http://example.org/a'), m.Literal(42), m.Literal('x', lang='en'), m.BNode('b1'), _rdf_graph(m)]),
        ('igraph', 'igraph', lambda m: m.Graph.Famous('Petersen')),
        ('cftime', 'cftime', lambda m: [m.DatetimeNoLeap(2000, 2, 28), m.Datetime360Day(2001, 2, 30), m.DatetimeGregorian(1582, 10, 15)]),
        ('pomegranate', 'pomegranate', lambda m: m.NormalDistribution(0, 1) if hasattr(m, 'NormalDistribution') else None),
        ('attrs', 'attr', lambda m: [m.Factory(list), m.NOTHING]),
        ('pydantic', 'pydantic', lambda m: [m.SecretStr('hunter2'), m.AnyUrl('https://x.org/p') if hasattr(m.AnyUrl, 'build') and not m.VERSION.startswith('1') else m.HttpUrl.build(scheme='https', host='x.org')]),
        ('seaborn', 'seaborn', lambda m: m.color_palette('deep', 4)),
        ('emcee', 'emcee', lambda m: _emcee(m)),
        ('pyproj', 'pyproj', lambda m: [m.CRS.from_epsg(4326), m.Transformer.from_crs(4326, 3857)]),
        ('patsy', 'patsy', lambda m: m.dmatrix('x + I(x**2)', {'x': __import__('numpy').array([1.0, 2.0, 3.0])})),
        ('tqdm', 'tqdm', lambda m: m.tqdm(range(3), disable=True)),
    ]:
        m = _imp(ctx, lib, mod)
        if m is None:
            continue
        savers = ['p2', 'p4']
        if lib in ('sortedcontainers', 'bidict', 'intervaltree', 'cachetools', 'mpmath', 'pyrsistent'):
            savers = ['p0', 'p2', 'p4', 'p5']
        ctx.add(lib, 'objects', lambda m=m, objs=objs: objs(m), savers, lib_version_of={'attrs': 'attr', 'ruamel.yaml': 'ruamel.yaml'}.get(lib, mod.split('.')[0]))


def _ruamel(m):
    y = m.YAML()
    import io
    return y.load(io.StringIO('a: 1  # c\nb: [x, y]\n'))


def _rdf_graph(m):
    g = m.Graph()
    g.add((m.URIRef('http://e.org/s'), m.RDFS.label, m.Literal('s')))
    return g


def _emcee(m):
    import numpy as np
    b = m.backends.Backend()
    b.reset(4, 2)
    b.grow(3, None)
    return b


def _dates(ctx):
    import datetime
    add = lambda lib, n, b, s=('p2', 'p4'), v=None: ctx.add(lib, n, b, list(s), lib_version_of=v)
    du = _imp(ctx, 'dateutil', 'dateutil.tz')
    if du:
        from dateutil import relativedelta, rrule, parser
        add('dateutil', 'tz_objects', lambda: [du.gettz('Europe/Berlin'), du.tzutc(), du.tzoffset('X', 3600), du.tzlocal(),
                                               datetime.datetime(2024, 3, 31, 2, 30, tzinfo=du.gettz('Europe/Berlin'))], ['p0', 'p2', 'p4', 'p5'], 'dateutil')
        add('dateutil', 'relativedelta_rrule', lambda: [relativedelta.relativedelta(months=+1, weekday=relativedelta.FR(-1)),
                                                        rrule.rrule(rrule.WEEKLY, count=3, dtstart=datetime.datetime(2024, 1, 1)),
                                                        parser.parse('2024-05-17T10:00:00+02:00')], ['p2', 'p4'], 'dateutil')
    pytz = _imp(ctx, 'pytz')
    if pytz:
        add('pytz', 'timezones', lambda: [pytz.utc, pytz.timezone('America/New_York'), pytz.timezone('Asia/Kolkata').localize(datetime.datetime(2024, 1, 1)),
                                          pytz.FixedOffset(90)], ['p0', 'p2', 'p4', 'p5'])
    arrow = _imp(ctx, 'arrow')
    if arrow:
        add('arrow', 'arrow_objects', lambda: [arrow.Arrow(2024, 5, 17, 10, tzinfo='Europe/Paris'), arrow.get('2020-01-01T00:00:00+00:00')], ['p2', 'p4', 'p5'])
    pendulum = _imp(ctx, 'pendulum')
    if pendulum:
        add('pendulum', 'pendulum_objects', lambda: [pendulum.datetime(2024, 5, 17, tz='Europe/Paris'), pendulum.duration(days=3, hours=2),
                                                     pendulum.date(2024, 1, 1), pendulum.timezone('Asia/Tokyo')], ['p2', 'p4', 'p5'])
        add('pendulum', 'pendulum_interval', lambda: (pendulum.interval if hasattr(pendulum, 'interval') else pendulum.period)(
            pendulum.datetime(2024, 1, 1), pendulum.datetime(2024, 2, 1)))
    isodate = _imp(ctx, 'isodate')
    if isodate:
        add('isodate', 'durations', lambda: [isodate.parse_duration('P1Y2M3DT4H'), isodate.parse_datetime('2024-01-01T10:00:00Z')])
    tzlocal = _imp(ctx, 'tzlocal')
    if tzlocal:
        add('tzlocal', 'local_zone', lambda: tzlocal.get_localzone())


def _nltk(ctx):
    nltk = _imp(ctx, 'nltk')
    if not nltk:
        return
    add = lambda n, b, s=('p2', 'p4'): ctx.add('nltk', n, b, list(s))
    train = [({'last': 'a'}, 'female'), ({'last': 'k'}, 'male'), ({'last': 'e'}, 'female'), ({'last': 'o'}, 'male')]
    add('naive_bayes_classifier', lambda: nltk.NaiveBayesClassifier.train(train), ['p2', 'p4', 'p5'])
    add('tree_freqdist', lambda: [nltk.Tree.fromstring('(S (NP I) (VP (V saw) (NP him)))'), nltk.FreqDist('abracadabra'),
                                  nltk.ConditionalFreqDist([('a', 1), ('a', 2), ('b', 1)])])
    add('taggers', lambda: _taggers(nltk))
    add('stemmers_tokenizers', lambda: [nltk.stem.PorterStemmer(), nltk.stem.SnowballStemmer('english'), nltk.tokenize.TreebankWordTokenizer(),
                                        nltk.tokenize.RegexpTokenizer(r'\w+')])
    add('ngram_lm', lambda: _lm(nltk))


def _taggers(nltk):
    data = [[('the', 'DT'), ('dog', 'NN'), ('runs', 'VBZ')], [('a', 'DT'), ('cat', 'NN'), ('sleeps', 'VBZ')]]
    default = nltk.DefaultTagger('NN')
    uni = nltk.UnigramTagger(data, backoff=default)
    return [uni, nltk.BigramTagger(data, backoff=uni)]


def _lm(nltk):
    from nltk.lm import MLE
    from nltk.lm.preprocessing import padded_everygram_pipeline
    train, vocab = padded_everygram_pipeline(2, [['a', 'b', 'c'], ['a', 'c']])
    lm = MLE(2)
    lm.fit(train, vocab)
    return lm


def _gensim(ctx):
    gensim = _imp(ctx, 'gensim')
    if not gensim:
        return
    from gensim.models import Word2Vec, TfidfModel
    from gensim.corpora import Dictionary
    sents = [['the', 'cat', 'sat'], ['the', 'dog', 'ran'], ['a', 'cat', 'ran']] * 5
    w2v = Word2Vec(sents, vector_size=4, min_count=1, window=2, seed=1, workers=1, epochs=2)
    d = Dictionary(sents)
    tfidf = TfidfModel([d.doc2bow(s) for s in sents])
    ctx.custom('gensim', 'word2vec', 'save', '.model', 'Word2Vec.save (utils.SaveLoad, pickle p4)', lambda p: w2v.save(p),
               ('Word2Vec.load', lambda p: Word2Vec.load(p)))
    ctx.custom('gensim', 'dictionary', 'save', '.dict', 'Dictionary.save', lambda p: d.save(p), ('Dictionary.load', lambda p: Dictionary.load(p)))
    ctx.custom('gensim', 'tfidf', 'save', '.model', 'TfidfModel.save', lambda p: tfidf.save(p), ('TfidfModel.load', lambda p: TfidfModel.load(p)))
    ctx.add('gensim', 'keyedvectors', lambda: w2v.wv, ['p4'])


def _optuna(ctx):
    optuna = _imp(ctx, 'optuna')
    if not optuna:
        return
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def study():
        s = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0), study_name='s')
        s.optimize(_objective, n_trials=4)
        return s
    ctx.add('optuna', 'study_in_memory', study, ['p4', 'joblib'])
    ctx.add('optuna', 'trials_and_distributions', lambda: [study().best_trial, optuna.distributions.FloatDistribution(0, 1) if hasattr(optuna.distributions, 'FloatDistribution') else optuna.distributions.UniformDistribution(0, 1)], ['p2', 'p4'])
    ctx.add('optuna', 'samplers', lambda: [optuna.samplers.TPESampler(seed=1), optuna.samplers.RandomSampler(seed=2), optuna.pruners.MedianPruner()], ['p4'])


def _objective(trial):
    x = trial.suggest_float('x', -2, 2)
    return (x - 1) ** 2


def _skorch(ctx):
    skorch = _imp(ctx, 'skorch')
    if not skorch:
        return
    import numpy as np
    import torch
    X, y = _data()
    X = X.astype('float32')

    def net():
        torch.manual_seed(0)
        n = skorch.NeuralNetClassifier(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(dim=-1)), max_epochs=2, lr=0.1,
                                       train_split=None, verbose=0)
        n.fit(X, y.astype(np.int64))
        return n
    n = None
    try:
        n = net()
    except Exception as e:
        ctx.note('skorch', 'net', '-', 'build failed: %s: %s' % (type(e).__name__, e))
        return
    ctx.add('skorch', 'neural_net_classifier', lambda: n, ['p4', 'joblib'])
    ctx.custom('skorch', 'neural_net_classifier', 'save_params', '.pt', 'net.save_params (torch.save zip)', lambda p: n.save_params(f_params=p),
               ('torch.load(weights_only=False)', lambda p: torch.load(p, weights_only=False)))


def _lmfit(ctx):
    lmfit = _imp(ctx, 'lmfit')
    if not lmfit:
        return
    import numpy as np
    x = np.linspace(0, 5, 20)
    yv = 3 * np.exp(-x / 2) + 0.01 * np.random.RandomState(0).rand(20)
    add = lambda n, b, s=('p2', 'p4'): ctx.add('lmfit', n, b, list(s))
    add('parameters', lambda: _params(lmfit), ['p2', 'p4', 'p5'])
    add('model_result', lambda: lmfit.models.ExponentialModel().fit(yv, x=x, amplitude=1, decay=1), ['p4', 'joblib'])
    add('minimizer_result', lambda: lmfit.minimize(_resid, _params(lmfit), args=(x, yv)), ['p4'])


def _params(lmfit):
    p = lmfit.Parameters()
    p.add('amp', value=1.0, min=0)
    p.add('decay', value=1.0, vary=True)
    p.add('half', expr='decay * 0.5')
    return p


def _resid(p, x, y):
    import numpy as np
    return p['amp'] * np.exp(-x / p['decay']) - y


def _skimage(ctx):
    sk = _imp(ctx, 'skimage')
    if not sk:
        return
    import numpy as np
    from skimage import transform, measure, feature
    add = lambda n, b, s=('p2', 'p4'): ctx.add('skimage', n, b, list(s))
    add('transforms', lambda: [transform.AffineTransform(scale=(2, 2), rotation=0.1), transform.SimilarityTransform(translation=(1, 2)),
                               transform.ProjectiveTransform(np.eye(3)), transform.PolynomialTransform()], ['p2', 'p4', 'p5'])
    add('regionprops', lambda: measure.regionprops(measure.label(np.eye(5, dtype=int))))
    add('features', lambda: {'hog': feature.hog(np.eye(16), pixels_per_cell=(8, 8), cells_per_block=(1, 1)),
                             'glcm': feature.graycomatrix(np.eye(4, dtype=np.uint8), [1], [0]) if hasattr(feature, 'graycomatrix') else None})


def _misc(ctx):
    # numba dispatchers are code-carrying (family 'code'); here only plain-data objects
    pass


def _geo(ctx):
    gpd = _imp(ctx, 'geopandas')
    if not gpd:
        return
    from shapely.geometry import Point
    def gdf():
        return gpd.GeoDataFrame({'name': ['a', 'b'], 'geometry': [Point(0, 0), Point(1, 1)]}, crs='EPSG:4326')
    ctx.add('geopandas', 'geodataframe', gdf, ['pd-none', 'pd-gzip', 'p4'])
    ctx.add('geopandas', 'geoseries', lambda: gdf().geometry, ['pd-none', 'p2'])


def _dask_sparse(ctx):
    da = _imp(ctx, 'dask', 'dask.array')
    if da:
        import dask
        ctx.add('dask', 'dask_array', lambda: da.arange(10, chunks=5) * 2 + 1, ['p4'])
        ctx.add('dask', 'dask_delayed', lambda: dask.delayed(sum)([1, 2, 3]), ['p4'])
        ctx.add('dask', 'dask_dataframe', lambda: __import__('dask.dataframe', fromlist=['from_pandas']).from_pandas(
            __import__('pandas').DataFrame({'a': range(4)}), npartitions=2), ['p4'])
    sparse = _imp(ctx, 'sparse')
    if sparse:
        import numpy as np
        ctx.add('sparse', 'coo_gcxs', lambda: [sparse.COO.from_numpy(np.eye(3)), sparse.GCXS.from_numpy(np.eye(3)) if hasattr(sparse, 'GCXS') else None,
                                               sparse.DOK((2, 2))], ['p2', 'p4'])


def _tables(ctx):
    tables = _imp(ctx, 'tables')
    if not tables:
        return
    import pandas as pd
    df = pd.DataFrame({'o': [{'a': 1}, [1, 2]], 'x': [1, 2]})

    def dump(p):
        df.to_hdf(p, key='df', mode='w', format='fixed')
    ctx.custom('tables', 'hdf5_object_column', 'to_hdf', '.h5', 'DataFrame.to_hdf format=fixed (object column pickled by PyTables)', dump,
               ('pd.read_hdf', lambda p: pd.read_hdf(p, 'df')))
