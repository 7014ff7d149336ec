"""Bad input for issue 11's data entry points: tinydl.vision.datasets and .transforms,
DataLoader over datasets (and its PyTorch-only options), TensorDataset and Subset,
EarlyStopping's new arguments, and fit / evaluate / predict given arrays. Format: see
tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, optim
from tinydl.data import DataError, DataLoader
from tinydl.data.dataset import Subset, TensorDataset, collate
from tinydl.train import EarlyStopping, evaluate, fit, predict
from tinydl.vision import datasets, transforms

X, Y = np.zeros((6, 2), np.float32), np.arange(6) % 3
DATASET = TensorDataset(X, Y)
MODEL = nn.Sequential(nn.Dense(2, 3))
SGD = optim.SGD(MODEL.parameters(), lr=0.1)
LOSS = nn.CrossEntropyLoss()
FLOATS = np.zeros((1, 2, 2), np.float32)

CASES = [
    # ---- transforms ----
    Case("ToTensor-tensor", lambda: transforms.ToTensor()(tinydl.tensor(np.zeros((2, 2)))),
         TypeError, ("ToTensor needs an image as a NumPy array", "got Tensor")),
    Case("ToTensor-list", lambda: transforms.ToTensor()([[1, 2]]),
         TypeError, ("(H, W) or (H, W, C)", "got list")),
    Case("ToTensor-1d", lambda: transforms.ToTensor()(np.zeros(5, np.uint8)),
         ValueError, ("image of shape (H, W) or (H, W, C)", "got shape (5,)")),
    Case("ToTensor-batch-5d", lambda: transforms.ToTensor().apply_batch(np.zeros((1,) * 5)),
         ValueError, ("(N, H, W) or (N, H, W, C)", "(1, 1, 1, 1, 1)")),
    Case("Normalize-mean-string", lambda: transforms.Normalize("a", (1.0,)),
         ValueError, ("Normalize needs mean as a sequence of numbers", "'a'")),
    Case("Normalize-std-empty", lambda: transforms.Normalize((0.5,), ()),
         ValueError, ("Normalize needs std as a sequence of numbers", "()")),
    Case("Normalize-std-zero", lambda: transforms.Normalize((0.5,), (0.0,)),
         ValueError, ("every std to be non-zero", "(0.0,)")),
    Case("Normalize-uint8", lambda: transforms.Normalize((0.5,), (1.0,))(
         np.zeros((1, 2, 2), np.uint8)), TypeError, ("float images", "uint8", "ToTensor()")),
    Case("Normalize-2d", lambda: transforms.Normalize((0.5,), (1.0,))(np.zeros((2, 2))),
         TypeError, ("shape (C, H, W)", "got shape (2, 2)")),
    Case("Normalize-not-array", lambda: transforms.Normalize((0.5,), (1.0,))("image"),
         TypeError, ("float image tensor", "got str")),
    Case("Normalize-channels", lambda: transforms.Normalize((0.5, 0.5), (1.0, 1.0))(FLOATS),
         ValueError, ("2 values of mean/std", "1 channels")),
    Case("Compose-not-list", lambda: transforms.Compose(transforms.ToTensor()),
         TypeError, ("Compose needs a list of transforms", "got ToTensor")),
    Case("Compose-not-callable", lambda: transforms.Compose([transforms.ToTensor(), 3]),
         TypeError, ("Compose: transforms[1] must be callable", "got int")),
    # ---- datasets ----
    Case("MNIST-root-int", lambda: datasets.MNIST(3), TypeError, ("root must be a folder", "int")),
    Case("MNIST-train-string", lambda: datasets.MNIST(None, train="yes"),
         TypeError, ("MNIST: train must be True or False", "'yes'")),
    Case("FashionMNIST-download-int", lambda: datasets.FashionMNIST(None, download=1),
         TypeError, ("FashionMNIST: download must be True or False", "1")),
    Case("CIFAR10-transform-string", lambda: datasets.CIFAR10(None, transform="totensor"),
         TypeError, ("CIFAR10: transform must be callable", "str")),
    Case("MNIST-target-transform", lambda: datasets.MNIST(None, target_transform=5),
         TypeError, ("target_transform must be callable", "int")),
    # ---- DataLoader over datasets ----
    Case("DataLoader-no-data", lambda: DataLoader(batch_size=4),
         DataError, ("DataLoader needs a dataset", "got neither")),
    Case("DataLoader-x-and-dataset", lambda: DataLoader(X, dataset=DATASET),
         DataError, ("got both",)),
    Case("DataLoader-dataset-and-y", lambda: DataLoader(dataset=DATASET, y=Y),
         DataError, ("takes no y",)),
    Case("DataLoader-positional-batch-size", lambda: DataLoader(DATASET, 64),
         DataError, ("pass the batch size by name: batch_size=64",)),
    Case("DataLoader-not-a-dataset", lambda: DataLoader(object()),
         DataError, ("with __len__ and __getitem__", "got object")),
    Case("DataLoader-array-without-y", lambda: DataLoader(X),
         DataError, ("array of shape (6, 2) without labels", "TensorDataset(x)")),
    Case("DataLoader-num-workers", lambda: DataLoader(DATASET, num_workers=-1),
         DataError, ("num_workers must be an integer >= 0", "-1")),
    Case("DataLoader-pin-memory", lambda: DataLoader(DATASET, pin_memory="yes"),
         DataError, ("pin_memory must be True or False", "'yes'")),
    Case("DataLoader-persistent-workers", lambda: DataLoader(DATASET, persistent_workers=True),
         DataError, ("persistent_workers=True needs num_workers > 0",)),
    Case("DataLoader-device-resident-dataset",
         lambda: DataLoader(Subset(DATASET, [0]), device_resident=True),
         DataError, ("device_resident=True", "Subset")),
    Case("collate-mixed", lambda: collate([(1, 2), 3]),
         DataError, ("same structure", "int")),
    Case("TensorDataset-empty", lambda: TensorDataset(), DataError, ("at least one array",)),
    Case("TensorDataset-lengths", lambda: TensorDataset(X, Y[:4]),
         DataError, ("one length", "6, 4")),
    Case("TensorDataset-0d", lambda: TensorDataset(np.float32(1)),
         DataError, ("samples axis", "position 0")),
    Case("Subset-not-dataset", lambda: Subset(5, [0]), DataError, ("__getitem__", "int")),
    Case("Subset-float-indices", lambda: Subset(DATASET, [0.5]),
         DataError, ("integer indices", "[0.5]")),
    Case("Subset-out-of-range", lambda: Subset(DATASET, [0, 6]),
         DataError, ("[0, 6)", "0..6")),
    # ---- EarlyStopping ----
    Case("EarlyStopping-mode", lambda: EarlyStopping(mode="up"),
         ValueError, ("mode must be 'auto', 'min' or 'max'", "'up'")),
    Case("EarlyStopping-monitor", lambda: EarlyStopping(monitor=None),
         TypeError, ("monitor must be a metric name", "None")),
    Case("EarlyStopping-patience-float", lambda: EarlyStopping(patience=1.5),
         ValueError, ("patience must be an integer >= 0", "1.5")),
    Case("EarlyStopping-start", lambda: EarlyStopping(start_from_epoch=-1),
         ValueError, ("start_from_epoch must be an integer >= 0", "-1")),
    # ---- fit / evaluate / predict with arrays ----
    Case("fit-one-array", lambda: fit(MODEL, SGD, LOSS, X, 1, progress=False),
         TypeError, ("train_data got one array of shape (6, 2)", "(x, y) arrays")),
    Case("fit-number", lambda: fit(MODEL, SGD, LOSS, 5, 1, progress=False),
         TypeError, ("train_data must be (x, y) arrays", "got int")),
    Case("fit-lengths", lambda: fit(MODEL, SGD, LOSS, (X, Y[:3]), 1, progress=False),
         ValueError, ("one target per sample", "x has 6 samples, y has 3")),
    Case("fit-batch-size", lambda: fit(MODEL, SGD, LOSS, (X, Y), 1, batch_size=0),
         ValueError, ("batch_size must be a positive integer", "0")),
    Case("fit-validation-array", lambda: fit(MODEL, SGD, LOSS, (X, Y), 1, validation_data=X),
         TypeError, ("validation_data got one array",)),
    Case("fit-batches-not-pairs", lambda: fit(MODEL, SGD, LOSS, [X], 1, progress=False),
         TypeError, ("each batch of train_data must be an (inputs, targets) pair", "ndarray")),
    Case("evaluate-batch-size-with-loader", lambda: evaluate(MODEL, DataLoader(X, Y), batch_size=2),
         ValueError, ("batch_size applies when data is arrays or a dataset", "DataLoader")),
    Case("predict-string", lambda: predict(MODEL, "x"),
         TypeError, ("predict() needs an array of inputs", "got str")),
    Case("predict-batch-size", lambda: predict(MODEL, X, batch_size=-2),
         ValueError, ("batch_size must be a positive integer", "-2")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
