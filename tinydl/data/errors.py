"""The errors the data layer raises for every file, download or array it cannot use."""

from tinydl.errors import TinyDLError


class DataError(TinyDLError, ValueError):
    """A data file is missing, corrupt or malformed, a download failed, or a batch is unusable.

    The message always names the file (or URL), what was expected and what was found.
    """


class DatasetNotFoundError(DataError):
    """A dataset's files are in none of the folders searched, and downloading them was off or
    failed. The message lists the folders and says how to point tinydl at local copies."""
