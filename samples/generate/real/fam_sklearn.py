"""scikit-learn: a broad set of fitted estimators (small data), pickle.dump at several protocols
and joblib.dump with every compression joblib supports; plus imbalanced-learn and sklearn-pandas."""
import warnings


def _data():
    import numpy as np
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    yr = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.rand(60)
    y3 = (X[:, 0] * 3).astype(int)
    return X, y, yr, y3


def _estimators():
    import numpy as np
    from sklearn import (calibration, cluster, compose, covariance, cross_decomposition, decomposition, discriminant_analysis,
                         dummy, ensemble, feature_extraction, feature_selection, gaussian_process, impute, isotonic,
                         kernel_approximation, kernel_ridge, linear_model, manifold, mixture, model_selection,
                         multiclass, multioutput, naive_bayes, neighbors, neural_network, pipeline, preprocessing,
                         random_projection, semi_supervised, svm, tree)
    X, y, yr, y3 = _data()
    fit = lambda est, *a: est.fit(*a)
    E = []
    c = lambda n, f: E.append((n, f))
    c('logistic_regression', lambda: fit(linear_model.LogisticRegression(max_iter=200), X, y))
    c('linear_regression', lambda: fit(linear_model.LinearRegression(), X, yr))
    c('ridge_lasso_enet', lambda: [fit(linear_model.Ridge(), X, yr), fit(linear_model.Lasso(alpha=0.01), X, yr),
                                   fit(linear_model.ElasticNet(alpha=0.01), X, yr)])
    c('sgd_classifier', lambda: fit(linear_model.SGDClassifier(random_state=0), X, y3))
    c('sgd_regressor', lambda: fit(linear_model.SGDRegressor(random_state=0), X, yr))
    c('perceptron_pa', lambda: [fit(linear_model.Perceptron(), X, y), fit(linear_model.PassiveAggressiveClassifier(), X, y)])
    c('bayesian_ridge_ard', lambda: [fit(linear_model.BayesianRidge(), X, yr), fit(linear_model.ARDRegression(), X, yr)])
    c('huber_ransac_theilsen', lambda: [fit(linear_model.HuberRegressor(), X, yr), fit(linear_model.RANSACRegressor(random_state=0), X, yr),
                                        fit(linear_model.TheilSenRegressor(random_state=0), X, yr)])
    c('logistic_cv', lambda: fit(linear_model.LogisticRegressionCV(cv=3, max_iter=200), X, y))
    c('decision_tree_classifier', lambda: fit(tree.DecisionTreeClassifier(max_depth=3, random_state=0), X, y3))
    c('decision_tree_regressor', lambda: fit(tree.DecisionTreeRegressor(max_depth=3, random_state=0), X, yr))
    c('extra_tree', lambda: fit(tree.ExtraTreeClassifier(random_state=0), X, y))
    c('random_forest_classifier', lambda: fit(ensemble.RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0), X, y))
    c('random_forest_regressor', lambda: fit(ensemble.RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0), X, yr))
    c('extra_trees', lambda: fit(ensemble.ExtraTreesClassifier(n_estimators=5, max_depth=3, random_state=0), X, y))
    c('gradient_boosting_classifier', lambda: fit(ensemble.GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0), X, y))
    c('gradient_boosting_regressor', lambda: fit(ensemble.GradientBoostingRegressor(n_estimators=5, max_depth=2, random_state=0), X, yr))
    c('hist_gradient_boosting_classifier', lambda: fit(ensemble.HistGradientBoostingClassifier(max_iter=5, random_state=0), X, y3))
    c('hist_gradient_boosting_regressor', lambda: fit(ensemble.HistGradientBoostingRegressor(max_iter=5, random_state=0), X, yr))
    c('adaboost_bagging', lambda: [fit(ensemble.AdaBoostClassifier(n_estimators=5, random_state=0), X, y),
                                   fit(ensemble.BaggingRegressor(n_estimators=3, random_state=0), X, yr)])
    c('isolation_forest', lambda: fit(ensemble.IsolationForest(n_estimators=5, random_state=0), X))
    c('voting_stacking', lambda: [fit(ensemble.VotingClassifier([('lr', linear_model.LogisticRegression()), ('nb', naive_bayes.GaussianNB())]), X, y),
                                  fit(ensemble.StackingRegressor([('r', linear_model.Ridge()), ('t', tree.DecisionTreeRegressor(max_depth=2))], cv=3), X, yr)])
    c('svc', lambda: fit(svm.SVC(probability=True, random_state=0), X, y))
    c('svr_linear_svc', lambda: [fit(svm.SVR(), X, yr), fit(svm.LinearSVC(dual=True, max_iter=2000), X, y), fit(svm.LinearSVR(dual=True), X, yr)])
    c('one_class_svm', lambda: fit(svm.OneClassSVM(), X))
    c('kneighbors_classifier', lambda: fit(neighbors.KNeighborsClassifier(3), X, y))
    c('kneighbors_regressor_balltree', lambda: fit(neighbors.KNeighborsRegressor(3, algorithm='ball_tree'), X, yr))
    c('kdtree', lambda: neighbors.KDTree(X, leaf_size=5))
    c('balltree', lambda: neighbors.BallTree(X, leaf_size=5, metric='manhattan'))
    c('nearest_neighbors_lof', lambda: [fit(neighbors.NearestNeighbors(n_neighbors=2), X), fit(neighbors.LocalOutlierFactor(novelty=True), X),
                                        fit(neighbors.KernelDensity(), X), fit(neighbors.NearestCentroid(), X, y)])
    c('kmeans', lambda: fit(cluster.KMeans(n_clusters=3, n_init=3, random_state=0), X))
    c('minibatch_kmeans', lambda: fit(cluster.MiniBatchKMeans(n_clusters=3, n_init=3, random_state=0), X))
    c('dbscan_agglomerative', lambda: [fit(cluster.DBSCAN(eps=0.3), X), fit(cluster.AgglomerativeClustering(n_clusters=2), X),
                                       fit(cluster.Birch(n_clusters=2), X), fit(cluster.MeanShift(), X)])
    c('spectral_affinity', lambda: [fit(cluster.SpectralClustering(n_clusters=2, random_state=0), X), fit(cluster.AffinityPropagation(random_state=0), X)])
    c('pca', lambda: fit(decomposition.PCA(n_components=2), X))
    c('decompositions', lambda: [fit(decomposition.TruncatedSVD(2), X), fit(decomposition.NMF(2, max_iter=500, init='nndsvd'), X),
                                 fit(decomposition.FastICA(2, random_state=0, whiten='unit-variance'), X), fit(decomposition.KernelPCA(2), X),
                                 fit(decomposition.IncrementalPCA(2), X), fit(decomposition.FactorAnalysis(2), X),
                                 fit(decomposition.LatentDirichletAllocation(2, random_state=0), X)])
    c('manifold', lambda: [fit(manifold.Isomap(n_components=2), X), fit(manifold.LocallyLinearEmbedding(n_components=2), X)])
    c('gaussian_mixture', lambda: fit(mixture.GaussianMixture(2, random_state=0), X))
    c('bayesian_gaussian_mixture', lambda: fit(mixture.BayesianGaussianMixture(n_components=2, random_state=0), X))
    c('naive_bayes', lambda: [fit(naive_bayes.GaussianNB(), X, y), fit(naive_bayes.MultinomialNB(), X, y), fit(naive_bayes.BernoulliNB(), X, y),
                              fit(naive_bayes.ComplementNB(), X, y), fit(naive_bayes.CategoricalNB(), (X * 3).astype(int), y)])
    c('mlp_classifier', lambda: fit(neural_network.MLPClassifier((5,), max_iter=50, random_state=0), X, y))
    c('mlp_regressor', lambda: fit(neural_network.MLPRegressor((5,), max_iter=50, random_state=0), X, yr))
    c('bernoulli_rbm', lambda: fit(neural_network.BernoulliRBM(n_components=2, random_state=0), X))
    c('lda_qda', lambda: [fit(discriminant_analysis.LinearDiscriminantAnalysis(), X, y), fit(discriminant_analysis.QuadraticDiscriminantAnalysis(), X, y)])
    c('gaussian_process', lambda: fit(gaussian_process.GaussianProcessRegressor(
        kernel=gaussian_process.kernels.RBF() + gaussian_process.kernels.WhiteKernel(), random_state=0), X[:20], yr[:20]))
    c('gaussian_process_classifier', lambda: fit(gaussian_process.GaussianProcessClassifier(random_state=0), X[:20], y[:20]))
    c('calibrated_classifier', lambda: fit(calibration.CalibratedClassifierCV(svm.LinearSVC(dual=True), cv=3), X, y))
    c('isotonic', lambda: fit(isotonic.IsotonicRegression(), X[:, 0], yr))
    c('kernel_ridge_approx', lambda: [fit(kernel_ridge.KernelRidge(kernel='rbf'), X, yr), fit(kernel_approximation.RBFSampler(random_state=0), X),
                                      fit(kernel_approximation.Nystroem(n_components=5, random_state=0), X)])
    c('preprocessing', lambda: [fit(preprocessing.StandardScaler(), X), fit(preprocessing.MinMaxScaler(), X), fit(preprocessing.RobustScaler(), X),
                                fit(preprocessing.MaxAbsScaler(), X), fit(preprocessing.Normalizer(), X), fit(preprocessing.Binarizer(), X),
                                fit(preprocessing.QuantileTransformer(n_quantiles=10), X), fit(preprocessing.PowerTransformer(), X),
                                fit(preprocessing.PolynomialFeatures(2), X), fit(preprocessing.KBinsDiscretizer(3, encode='ordinal'), X),
                                fit(preprocessing.SplineTransformer(), X)])
    c('encoders', lambda: [fit(preprocessing.OneHotEncoder(handle_unknown='ignore'), [['a', 1], ['b', 2]]),
                           fit(preprocessing.OrdinalEncoder(), [['x'], ['y']]), fit(preprocessing.LabelEncoder(), ['cat', 'dog', 'cat']),
                           fit(preprocessing.LabelBinarizer(), [1, 2, 3]), fit(preprocessing.MultiLabelBinarizer(), [{'a', 'b'}, {'c'}])])
    c('function_transformer_numpy', lambda: fit(preprocessing.FunctionTransformer(np.log1p, inverse_func=np.expm1), X))
    c('imputers', lambda: [fit(impute.SimpleImputer(strategy='median'), X), fit(impute.KNNImputer(), X), fit(impute.MissingIndicator(), X)])
    c('feature_selection', lambda: [fit(feature_selection.SelectKBest(feature_selection.f_classif, k=2), X, y),
                                    fit(feature_selection.VarianceThreshold(), X),
                                    fit(feature_selection.RFE(linear_model.LogisticRegression(), n_features_to_select=2), X, y),
                                    fit(feature_selection.SelectFromModel(linear_model.Lasso(alpha=0.01)), X, yr),
                                    fit(feature_selection.SelectPercentile(feature_selection.mutual_info_classif, percentile=50), X, y)])
    c('text_vectorizers', lambda: _text(feature_extraction))
    c('dict_vectorizer_hasher', lambda: [fit(feature_extraction.DictVectorizer(), [{'a': 1, 'b': 2}, {'c': 3}]),
                                         feature_extraction.FeatureHasher(n_features=8)])
    c('pipeline', lambda: fit(pipeline.make_pipeline(preprocessing.StandardScaler(), decomposition.PCA(2), linear_model.LogisticRegression()), X, y))
    c('column_transformer', lambda: _column_transformer(compose, preprocessing, pipeline, impute, linear_model))
    c('feature_union', lambda: fit(pipeline.FeatureUnion([('pca', decomposition.PCA(1)), ('svd', decomposition.TruncatedSVD(2))]), X))
    c('transformed_target', lambda: fit(compose.TransformedTargetRegressor(regressor=linear_model.LinearRegression(), func=np.log1p, inverse_func=np.expm1), X, np.abs(yr)))
    c('grid_search_cv', lambda: fit(model_selection.GridSearchCV(svm.SVC(), {'C': [0.1, 1.0], 'kernel': ['linear', 'rbf']}, cv=3), X, y))
    c('randomized_search_cv', lambda: fit(model_selection.RandomizedSearchCV(tree.DecisionTreeClassifier(random_state=0),
                                                                             {'max_depth': [1, 2, 3], 'min_samples_leaf': [1, 2]}, n_iter=3, cv=3, random_state=0), X, y))
    c('halving_grid_search', lambda: _halving(model_selection, X, y))
    c('cv_splitters', lambda: [model_selection.KFold(3, shuffle=True, random_state=0), model_selection.StratifiedKFold(3),
                               model_selection.TimeSeriesSplit(3), model_selection.ShuffleSplit(2, random_state=0),
                               model_selection.GroupKFold(2), model_selection.RepeatedKFold(n_splits=2, n_repeats=2, random_state=0)])
    c('multiclass_multioutput', lambda: [fit(multiclass.OneVsRestClassifier(linear_model.LogisticRegression()), X, y3),
                                         fit(multiclass.OneVsOneClassifier(svm.LinearSVC(dual=True)), X, y3),
                                         fit(multioutput.MultiOutputRegressor(linear_model.Ridge()), X, np.c_[yr, yr]),
                                         fit(multioutput.ClassifierChain(linear_model.LogisticRegression()), X, np.c_[y, 1 - y])])
    c('cross_decomposition', lambda: [fit(cross_decomposition.PLSRegression(2), X, yr), fit(cross_decomposition.CCA(1), X, yr)])
    c('covariance', lambda: [fit(covariance.EmpiricalCovariance(), X), fit(covariance.LedoitWolf(), X), fit(covariance.MinCovDet(random_state=0), X),
                             fit(covariance.EllipticEnvelope(random_state=0), X)])
    c('random_projection', lambda: [fit(random_projection.GaussianRandomProjection(2, random_state=0), X),
                                    fit(random_projection.SparseRandomProjection(2, random_state=0), X)])
    c('semi_supervised', lambda: [fit(semi_supervised.LabelPropagation(), X, np.where(np.arange(60) % 3, -1, y)),
                                  fit(semi_supervised.SelfTrainingClassifier(svm.SVC(probability=True)), X, np.where(np.arange(60) % 3, -1, y))])
    c('dummy', lambda: [fit(dummy.DummyClassifier(), X, y), fit(dummy.DummyRegressor(strategy='median'), X, yr)])
    c('metrics_scorers', lambda: __import__('sklearn.metrics', fromlist=['make_scorer']).make_scorer(
        __import__('sklearn.metrics', fromlist=['f1_score']).f1_score, average='macro'))
    c('tsne_embedding', lambda: fit(manifold.TSNE(n_components=2, perplexity=5, random_state=0, init='random'), X[:20]))
    return E


def _text(feature_extraction):
    docs = ['the quick brown fox', 'jumps over the lazy dog', 'the dog barks', 'a fox and a dog']
    t = feature_extraction.text
    return [t.CountVectorizer().fit(docs), t.TfidfVectorizer(ngram_range=(1, 2), stop_words='english').fit(docs),
            t.HashingVectorizer(n_features=16), t.TfidfTransformer().fit(t.CountVectorizer().fit_transform(docs)),
            t.CountVectorizer(analyzer='char_wb', ngram_range=(2, 3)).fit(docs)]


def _column_transformer(compose, preprocessing, pipeline, impute, linear_model):
    import pandas as pd
    df = pd.DataFrame({'age': [20, 30, None, 50, 40, 25], 'city': ['a', 'b', 'a', 'c', 'b', 'a'], 'x': [1.0, 2, 3, 4, 5, 6]})
    y = [0, 1, 0, 1, 1, 0]
    ct = compose.ColumnTransformer([
        ('num', pipeline.make_pipeline(impute.SimpleImputer(), preprocessing.StandardScaler()), ['age', 'x']),
        ('cat', preprocessing.OneHotEncoder(handle_unknown='ignore'), ['city'])], remainder='drop')
    return pipeline.Pipeline([('ct', ct), ('clf', linear_model.LogisticRegression())]).fit(df, y)


def _halving(model_selection, X, y):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV
    from sklearn.tree import DecisionTreeClassifier
    return HalvingGridSearchCV(DecisionTreeClassifier(random_state=0), {'max_depth': [1, 2, 3, 4]}, cv=3, random_state=0).fit(X, y)


# which estimators get which savers (everything gets pickle p4 + joblib.dump)
EXTRA_PROTOCOLS = {'logistic_regression', 'random_forest_classifier', 'hist_gradient_boosting_classifier', 'pipeline',
                   'column_transformer', 'grid_search_cv', 'text_vectorizers', 'kdtree', 'svc', 'mlp_classifier', 'kmeans',
                   'gaussian_mixture', 'isotonic', 'naive_bayes', 'calibrated_classifier', 'preprocessing'}
ALL_COMPRESSIONS = {'random_forest_classifier', 'pipeline', 'hist_gradient_boosting_regressor', 'grid_search_cv', 'column_transformer',
                    'text_vectorizers', 'balltree', 'gradient_boosting_classifier'}


def generate(ctx):
    try:
        import sklearn  # noqa: F401
        import joblib  # noqa: F401
    except ImportError as e:
        ctx.note('sklearn', '*', '-', 'not importable: %s' % e)
        return
    from corpus import JOBLIB_ALL
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for name, build in _estimators():
            savers = ['p4', 'joblib']
            if name in EXTRA_PROTOCOLS:
                savers += ['p2', 'p5', 'p0']
            if name in ALL_COMPRESSIONS:
                savers += [s for s in JOBLIB_ALL if s != 'joblib']
            ctx.add('sklearn', name, build, savers)
        _imblearn(ctx)
        _sklearn_pandas(ctx)


def _imblearn(ctx):
    try:
        import imblearn  # noqa: F401
        from imblearn import over_sampling, under_sampling, pipeline as ipipe, ensemble as iens, combine
        from sklearn.linear_model import LogisticRegression
    except ImportError as e:
        ctx.note('imblearn', '*', '-', 'not importable: %s' % e)
        return
    X, y, _yr, _y3 = _data()
    y = (X[:, 0] > 0.8).astype(int)
    add = lambda name, build, savers=('p4', 'joblib'): ctx.add('imblearn', name, build, list(savers))
    add('smote', lambda: over_sampling.SMOTE(random_state=0).fit(X, y), ['p4', 'joblib', 'joblib-gzip'])
    add('random_under_sampler', lambda: under_sampling.RandomUnderSampler(random_state=0).fit(X, y))
    add('adasyn_borderline', lambda: [over_sampling.ADASYN(random_state=0).fit(X, y), over_sampling.BorderlineSMOTE(random_state=0).fit(X, y)])
    add('imb_pipeline', lambda: ipipe.make_pipeline(over_sampling.RandomOverSampler(random_state=0), LogisticRegression()).fit(X, y), ['p2', 'p4', 'joblib-xz'])
    add('balanced_random_forest', lambda: iens.BalancedRandomForestClassifier(n_estimators=3, random_state=0).fit(X, y))
    add('balanced_bagging', lambda: iens.BalancedBaggingClassifier(n_estimators=3, random_state=0).fit(X, y))
    add('smote_tomek_enn', lambda: [combine.SMOTETomek(random_state=0).fit(X, y), combine.SMOTEENN(random_state=0).fit(X, y)])
    add('near_miss_tomek', lambda: [under_sampling.NearMiss().fit(X, y), under_sampling.TomekLinks().fit(X, y)])


def _sklearn_pandas(ctx):
    try:
        import sklearn_pandas
        import pandas as pd
        from sklearn.preprocessing import StandardScaler, LabelBinarizer
    except ImportError as e:
        ctx.note('sklearn_pandas', '*', '-', 'not importable: %s' % e)
        return
    df = pd.DataFrame({'pet': ['cat', 'dog', 'dog', 'fish'], 'children': [4., 6, 3, 3], 'salary': [90., 24, 44, 27]})

    def build():
        m = sklearn_pandas.DataFrameMapper([('pet', LabelBinarizer()), (['children'], StandardScaler()), ('salary', None)], df_out=True)
        m.fit(df)
        return m
    ctx.add('sklearn_pandas', 'dataframe_mapper', build, ['p4', 'joblib', 'joblib-lz4'])
    ctx.add('sklearn_pandas', 'gen_features', lambda: sklearn_pandas.gen_features(columns=[['children'], ['salary']], classes=[StandardScaler]), ['p4'])
