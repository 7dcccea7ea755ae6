"""A least-recently-used cache keyed by a hash of the client's text and bounded by bytes as well as entries."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


def text_key(*parts: str | None) -> str:
    """A fixed-size key for client-supplied text: the cache never holds the text itself as a key."""
    digest = hashlib.sha256()
    for part in parts:
        # a separator that cannot occur in the parts' encoding keeps ("ab", "c") apart from ("a", "bc")
        digest.update(b"\xff" if part is None else part.encode("utf-8", "surrogatepass") + b"\xfe")
    return digest.hexdigest()


class BoundedCache(Generic[V]):
    """LRU over at most `max_entries` values whose estimated sizes add up to at most `max_bytes`.

    A value whose own size is over `max_item_bytes` is never stored: one huge request must not evict
    everything the cache holds, nor sit in memory after it is answered."""

    def __init__(self, max_entries: int, max_bytes: int, max_item_bytes: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_item_bytes = max_bytes // 8 if max_item_bytes is None else max_item_bytes
        self._items: OrderedDict[str, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        # the compiled path may be used from more than one thread (bench drivers); the lock is uncontended here
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: str, value: V, size: int) -> None:
        if size > self.max_item_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, evicted) = self._items.popitem(last=False)
                self._bytes -= evicted

    def get_or_create(self, key: str, create: Callable[[], tuple[V, int]]) -> V:
        """The cached value, or `create()`'s value (stored when small enough) and its size."""
        value = self.get(key)
        if value is None:
            value, size = create()
            self.put(key, value, size)
        return value
