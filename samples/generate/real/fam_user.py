"""user-class: pickles holding instances of classes (or references to functions) defined in the
user's own code: the module `mymodels` next to this script, or `__main__` (the script itself)."""
import sys
import warnings

USER = 'user-class'


def generate(ctx):
    import mymodels as mm
    main = sys.modules['__main__']
    add = lambda lib, n, b, s, v=None: ctx.add(lib, n, b, list(s), label=USER, lib_version_of=v)
    add('stdlib', 'user_point', lambda: mm.Point(1, 2), ['p0', 'p2', 'p4', 'p5'])
    add('stdlib', 'user_slotted', lambda: mm.Slotted(1, 'b'), ['p2', 'p4'])
    add('stdlib', 'user_dataclass', lambda: [mm.TrainConfig(), mm.FrozenTag('k', 1)], ['p0', 'p2', 'p4', 'p5'])
    add('stdlib', 'user_enum_flag', lambda: [mm.Color.RED, mm.Perm.R | mm.Perm.W], ['p2', 'p4'])
    add('stdlib', 'user_namedtuple', lambda: mm.Pair(1, 2), ['p0', 'p4'])
    add('stdlib', 'user_dict_subclass', lambda: mm.Registry(a=1), ['p2', 'p4'])
    add('stdlib', 'user_reduce_state', lambda: [mm.WithReduce(3), mm.WithState()], ['p2', 'p4'])
    add('stdlib', 'user_function_ref', lambda: {'fn': mm.preprocess}, ['p2', 'p4'])
    add('stdlib', 'main_classes', lambda: [main.MainPoint(1, 2), main.MainConfig(lr=0.1)], ['p0', 'p2', 'p4', 'p5'])
    try:
        import numpy as np
        add('numpy', 'user_in_object_array', lambda: np.array([mm.Point(0, 0), mm.Point(1, 1)], dtype=object), ['p4', 'npy'])
        add('numpy', 'user_in_npz', lambda: {'cfg': np.array(mm.TrainConfig(), dtype=object)}, ['npz'])
    except ImportError:
        pass
    try:
        import numpy as np
        import joblib
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer, StandardScaler
        from sklearn.linear_model import LogisticRegression
        X = np.random.RandomState(0).rand(30, 4)
        y = (X[:, 0] > 0.5).astype(int)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            add('sklearn', 'user_transformer_pipeline', lambda: make_pipeline(mm.ColumnDropper((1,)), StandardScaler(), LogisticRegression()).fit(X, y),
                ['p4', 'joblib', 'joblib-c3'])
            add('sklearn', 'user_classifier', lambda: mm.MajorityClassifier().fit(X, y), ['p4', 'joblib'])
            add('sklearn', 'function_transformer_user_fn', lambda: make_pipeline(FunctionTransformer(mm.preprocess), LogisticRegression()).fit(X, y),
                ['p4', 'joblib'])
    except ImportError as e:
        ctx.note('sklearn', 'user', '-', 'not importable: %s' % e)
    try:
        import torch
        torch.manual_seed(0)
        add('torch', 'user_module_whole', lambda: mm.TinyNet(), ['torch-zip-p2', 'torch-legacy-p2', 'torch-zip-p4'])
        add('torch', 'user_module_checkpoint', lambda: {'model': mm.TinyNet(), 'config': mm.TrainConfig(), 'epoch': 1}, ['torch-zip-p2'])
        add('torch', 'user_dataset', lambda: mm.MyDataset(4), ['torch-zip-p2'])
    except ImportError:
        pass
    try:
        import pandas as pd
        add('pandas', 'user_objects_in_frame', lambda: pd.DataFrame({'p': [mm.Point(0, 1), mm.Point(2, 3)], 'c': [mm.Color.RED, mm.Color.GREEN]}),
            ['pd-none', 'pd-gzip'])
    except ImportError:
        pass
    if hasattr(mm, 'AttrsRecord'):
        add('attrs', 'user_attrs_class', lambda: mm.AttrsRecord('x', 1.5), ['p2', 'p4'], 'attr')
    if hasattr(mm, 'UserModel'):
        add('pydantic', 'user_pydantic_model', lambda: mm.UserModel(id=1, tags=['a']), ['p2', 'p4'])
    try:
        import dill  # noqa: F401
        add('dill', 'user_classes_by_ref', lambda: [mm.Point(1, 2), mm.TrainConfig()], ['dill-p4'])
    except ImportError:
        pass
