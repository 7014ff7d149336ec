"""The exceptions tinydl raises on purpose, so users can catch them by kind."""


class TinyDLError(Exception):
    """Base class of every error tinydl raises deliberately."""


class DeviceError(TinyDLError, RuntimeError):
    """A device is unknown, unavailable, or two devices were mixed in one operation."""


class GradcheckError(TinyDLError, AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""
