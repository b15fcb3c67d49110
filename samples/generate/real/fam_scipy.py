"""scipy: sparse matrices/arrays of every format, interpolators, spatial trees, frozen
distributions, optimize results, special objects; pickle.dump."""

P = ['p2', 'p4', 'p5']


def generate(ctx):
    try:
        import numpy as np
        import scipy
        import scipy.sparse as sp
    except ImportError as e:
        ctx.note('scipy', '*', '-', 'not importable: %s' % e)
        return
    add = lambda name, build, savers=('p4',): ctx.add('scipy', name, build, list(savers))
    rng = np.random.RandomState(0)
    dense = np.array([[0, 1.5, 0, 0], [2, 0, 0, 3], [0, 0, 0, 4.5]])
    for fmt in ('csr', 'csc', 'coo', 'bsr', 'dia', 'lil', 'dok'):
        add('sparse_%s_matrix' % fmt, lambda fmt=fmt: getattr(sp, fmt + '_matrix')(dense), P)
        if hasattr(sp, fmt + '_array'):
            add('sparse_%s_array' % fmt, lambda fmt=fmt: getattr(sp, fmt + '_array')(dense), P)
    add('sparse_random_int', lambda: sp.random(20, 10, density=0.1, format='csr', dtype='i8', random_state=1))
    add('sparse_eye_coo', lambda: sp.eye(5, format='coo', dtype='f4'), ['p2'])

    import scipy.interpolate as si
    x = np.linspace(0, 3, 8)
    y = np.sin(x)
    add('interp1d', lambda: si.interp1d(x, y, kind='cubic'), P)
    add('cubic_spline', lambda: si.CubicSpline(x, y), P)
    add('univariate_spline', lambda: si.UnivariateSpline(x, y, s=0.1))
    add('pchip_akima', lambda: [si.PchipInterpolator(x, y), si.Akima1DInterpolator(x, y)])
    add('bspline', lambda: si.make_interp_spline(x, y, k=3))
    add('rbf_interpolator', lambda: si.RBFInterpolator(rng.rand(10, 2), rng.rand(10)))
    add('regular_grid_interpolator', lambda: si.RegularGridInterpolator((x, x), np.outer(y, y)))
    add('ppoly', lambda: si.PPoly(np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([0.0, 1.0, 2.0])))
    add('linear_nd_interpolator', lambda: si.LinearNDInterpolator(rng.rand(10, 2), rng.rand(10)))

    import scipy.spatial as ss
    pts = rng.rand(30, 3)
    add('kdtree', lambda: ss.KDTree(pts), P)
    add('ckdtree', lambda: ss.cKDTree(pts), P)
    add('convex_hull', lambda: ss.ConvexHull(pts))
    add('delaunay', lambda: ss.Delaunay(pts[:, :2]))
    add('voronoi', lambda: ss.Voronoi(pts[:, :2]))
    add('rotation', lambda: __import__('scipy.spatial.transform', fromlist=['Rotation']).Rotation.from_euler('xyz', [10, 20, 30], degrees=True), P)
    add('distance_matrix', lambda: ss.distance.squareform(ss.distance.pdist(pts[:5])))

    import scipy.stats as st
    add('frozen_norm', lambda: st.norm(loc=1, scale=2), P)
    add('frozen_dists', lambda: [st.gamma(2.0), st.beta(2, 3), st.poisson(4), st.binom(10, 0.3), st.t(5), st.expon(scale=3),
                                 st.uniform(0, 1), st.lognorm(0.5), st.multivariate_normal([0, 0], [[1, 0], [0, 1]])])
    add('stats_results', lambda: _picklable([st.ttest_ind(rng.rand(10), rng.rand(10)), st.pearsonr(rng.rand(10), rng.rand(10)),
                                             st.linregress(rng.rand(10), rng.rand(10)), st.describe(rng.rand(10)),
                                             st.ks_2samp(rng.rand(10), rng.rand(10)), st.chi2_contingency([[3, 4], [5, 6]])]), P)
    add('gaussian_kde', lambda: st.gaussian_kde(rng.rand(50)))
    add('rv_discrete_custom', lambda: st.rv_discrete(values=([0, 1, 2], [0.2, 0.5, 0.3])))
    add('rv_histogram', lambda: st.rv_histogram(np.histogram(rng.rand(100), bins=5)))

    import scipy.optimize as so
    add('optimize_result', lambda: so.minimize(lambda v: ((v - 1) ** 2).sum(), np.zeros(3), method='BFGS'), P)
    add('optimize_result_lbfgsb', lambda: so.minimize(lambda v: ((v - 2) ** 2).sum(), np.zeros(2), method='L-BFGS-B'))
    add('optimize_root', lambda: so.root_scalar(lambda v: v ** 2 - 2, bracket=[0, 2]))
    add('least_squares', lambda: so.least_squares(lambda v: v - np.array([1.0, 2.0]), np.zeros(2)))
    add('linprog', lambda: so.linprog([-1, -2], A_ub=[[1, 1]], b_ub=[4], bounds=[(0, 3), (0, 3)]))
    add('bounds_constraints', lambda: [so.Bounds([0, 0], [1, 1]), so.LinearConstraint([[1, 1]], [0], [1])])

    import scipy.special as spc
    add('special_ufuncs', lambda: [spc.gamma, spc.erf, spc.expit, spc.logsumexp], P)
    add('signal_filters', lambda: __import__('scipy.signal', fromlist=['butter']).butter(4, 0.2, output='sos'))
    add('signal_lti', lambda: __import__('scipy.signal', fromlist=['lti']).lti([1], [1, 2, 1]))
    add('integrate_ode', lambda: __import__('scipy.integrate', fromlist=['solve_ivp']).solve_ivp(lambda t, y: -y, (0, 1), [1.0], t_eval=[0, 0.5, 1]))
    add('linalg_lu', lambda: __import__('scipy.linalg', fromlist=['lu']).lu(np.array([[4.0, 3], [6, 3]])))
    add('ndimage_label', lambda: __import__('scipy.ndimage', fromlist=['label']).label(np.eye(4)))
    add('cluster_linkage', lambda: __import__('scipy.cluster.hierarchy', fromlist=['linkage']).linkage(pts[:8], 'ward'))
    add('cluster_tree', lambda: __import__('scipy.cluster.hierarchy', fromlist=['to_tree']).to_tree(
        __import__('scipy.cluster.hierarchy', fromlist=['linkage']).linkage(pts[:6], 'single')))
    add('sparse_linalg_operator', lambda: __import__('scipy.sparse.linalg', fromlist=['aslinearoperator']).aslinearoperator(np.eye(3)))
    add('fft_plan_free', lambda: __import__('scipy.fft', fromlist=['fft']).fft(np.arange(8.0)))
    add('io_matlab_struct', lambda: __import__('scipy.io.matlab', fromlist=['mat_struct']).mat_struct())
    add('constants_dict', lambda: dict(list(__import__('scipy.constants', fromlist=['physical_constants']).physical_constants.items())[:5]))


def _picklable(items):
    """Keep the results this scipy version can pickle (some result classes hold a module reference)."""
    import pickle
    out = []
    for x in items:
        try:
            pickle.dumps(x)
            out.append(x)
        except Exception:
            pass
    return out
