"""A stand-in for a user's own module: classes and functions defined outside any library.
Pickles that contain instances of these are labelled `user-class`."""
import dataclasses
import enum
import typing


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class Slotted:
    __slots__ = ('a', 'b')

    def __init__(self, a, b):
        self.a, self.b = a, b


@dataclasses.dataclass
class TrainConfig:
    lr: float = 0.01
    layers: tuple = (16, 8)
    name: str = 'run'


@dataclasses.dataclass(frozen=True)
class FrozenTag:
    key: str
    value: int


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


class Pair(typing.NamedTuple):
    left: int
    right: int


class Registry(dict):
    """A dict subclass with extra state."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.frozen = False


class WithReduce:
    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return (WithReduce, (self.value,))


class WithState:
    def __init__(self):
        self.cache = {'k': 1}

    def __getstate__(self):
        return {'cache': dict(self.cache), 'v': 2}

    def __setstate__(self, st):
        self.__dict__.update(st)


def preprocess(X):
    """A plain user function, pickled by reference (mymodels.preprocess)."""
    return X * 2


def make_sklearn_classes():
    from sklearn.base import BaseEstimator, TransformerMixin, ClassifierMixin

    class ColumnDropper(BaseEstimator, TransformerMixin):
        def __init__(self, columns=()):
            self.columns = columns

        def fit(self, X, y=None):
            self.n_features_in_ = X.shape[1]
            return self

        def transform(self, X):
            import numpy as np
            keep = [i for i in range(X.shape[1]) if i not in self.columns]
            return np.asarray(X)[:, keep]

    class MajorityClassifier(BaseEstimator, ClassifierMixin):
        def fit(self, X, y):
            import numpy as np
            vals, counts = np.unique(y, return_counts=True)
            self.classes_ = vals
            self.majority_ = vals[counts.argmax()]
            return self

        def predict(self, X):
            import numpy as np
            return np.full(len(X), self.majority_)
    return ColumnDropper, MajorityClassifier


try:
    ColumnDropper, MajorityClassifier = make_sklearn_classes()
    ColumnDropper.__qualname__ = ColumnDropper.__name__ = 'ColumnDropper'
    MajorityClassifier.__qualname__ = MajorityClassifier.__name__ = 'MajorityClassifier'
    ColumnDropper.__module__ = MajorityClassifier.__module__ = __name__
except ImportError:
    pass

try:
    import torch

    class TinyNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(4, 3)
            self.act = torch.nn.ReLU()
            self.fc2 = torch.nn.Linear(3, 1)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    class MyDataset(torch.utils.data.Dataset):
        def __init__(self, n):
            self.data = torch.arange(n, dtype=torch.float32)

        def __len__(self):
            return len(self.data)

        def __getitem__(self, i):
            return self.data[i]
except ImportError:
    pass

try:
    import attr

    @attr.s(auto_attribs=True)
    class AttrsRecord:
        name: str
        score: float = 0.0
except ImportError:
    pass

try:
    import pydantic

    class UserModel(pydantic.BaseModel):
        id: int
        name: str = 'anon'
        tags: list = []
except ImportError:
    pass
