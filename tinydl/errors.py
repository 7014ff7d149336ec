"""The exceptions tinydl raises on purpose, so users can catch them by kind."""


class TinyDLError(Exception):
    """Base class of every error tinydl raises deliberately."""


class DeviceError(TinyDLError, RuntimeError):
    """A device is unknown, unavailable, or two devices were mixed in one operation."""


class GradcheckError(TinyDLError, AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


class ProbabilitiesAsLogitsWarning(UserWarning):
    """A loss that applies its own softmax was given probabilities (a model ending in
    Softmax): the softmax runs twice and the loss stops meaning anything."""


class NotLogProbabilitiesWarning(UserWarning):
    """``nll_loss`` was given scores that are not log-probabilities (a model without its final
    LogSoftmax): the loss rewards unbounded scores and goes negative."""


class AxisError(TinyDLError, ValueError, IndexError):
    """An axis argument is out of range for the tensor (a ValueError and an IndexError, as
    NumPy's AxisError is, so code catching either keeps working)."""


class ArgumentTypeError(TinyDLError, TypeError, ValueError):
    """An argument of the wrong kind: a string for a size, a float for a count, ``1`` for
    ``True``. A TypeError, and a ValueError too, because tinydl raised one or the other for
    these before its checks were gathered in :mod:`tinydl.check`, so code catching either
    keeps working."""


class FileWriteError(TinyDLError, OSError):
    """The file system refused a write (a full disk, a file-size limit, a read-only or
    forbidden folder). The message names the file and what was writing it; the file's
    previous version is untouched and no temporary file is left. An OSError, with the
    ``errno`` of the refusal, so code catching OSError keeps working."""
