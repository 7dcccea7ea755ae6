"""Caches keyed by what clients send stay bounded: unique large variables or documents do not grow memory."""

from __future__ import annotations

import gc
import secrets
import tracemalloc
from collections.abc import Awaitable, Callable

from gql.bounded_cache import BoundedCache, text_key
from tests.support.api import ALICE, ApiClient
from tests.support.http_app import custom_app

SEARCH = "query($q: String) { leads(first: 1, filter: {search: $q}) { nodes { id } } }"


async def traced_growth(run: Callable[[], Awaitable[None]]) -> int:
    """Bytes still allocated after `run()` than before it (a warm-up run first, so lazy set-up is not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        await run()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


async def test_unique_large_variables_do_not_grow_the_compiled_plan_cache(api: ApiClient) -> None:
    async with custom_app(api, compiled_reads=True) as app:
        reads = app.config.compiled_reads
        assert reads is not None
        warm = await app.client.gql(SEARCH, {"q": "warm"}, as_user=ALICE)
        assert warm.errors == [] and warm.statements == 3  # the compiled path answered (BEGIN, read, COMMIT)
        entries = len(reads.cache)

        async def flood() -> None:
            for _ in range(60):
                response = await app.client.gql(SEARCH, {"q": secrets.token_hex(100_000)}, as_user=ALICE)
                assert response.errors == [], response.errors

        growth = await traced_growth(flood)
    sent = 60 * 200_000
    print(f"sent {sent / 1e6:.0f} MB of unique variables; memory grew by {growth / 1e6:.1f} MB")
    assert len(reads.cache) == entries  # plans whose bound values are large are not kept
    assert growth < sent / 4  # before this fix, every plan was kept with its values: growth > sent


async def test_large_documents_are_parsed_for_their_request_and_forgotten(api: ApiClient) -> None:
    async with custom_app(api) as app:
        documents = app.schema.documents

        async def flood() -> None:
            for _ in range(20):
                query = "# " + secrets.token_hex(250_000) + "\n{ __typename }"  # 500 KB of comment, anonymous
                response = await app.client.gql(query)
                assert response.body == {"data": {"__typename": "Query"}}

        before = documents.cache.size_bytes
        growth = await traced_growth(flood)
    print(f"sent 10 MB of distinct documents; memory grew by {growth / 1e6:.1f} MB")
    assert documents.cache.size_bytes == before
    assert growth < 2_000_000


def test_the_bounded_cache_evicts_by_bytes_and_refuses_oversized_items() -> None:
    cache: BoundedCache[str] = BoundedCache(max_entries=100, max_bytes=1_000, max_item_bytes=400)
    for n in range(10):
        cache.put(text_key(str(n)), str(n), 300)
    assert len(cache) == 3 and cache.size_bytes == 900  # the oldest went first
    assert cache.get(text_key("9")) == "9" and cache.get(text_key("0")) is None
    cache.put(text_key("big"), "big", 401)
    assert cache.get(text_key("big")) is None and cache.size_bytes == 900


def test_cache_keys_are_hashes_of_the_parts() -> None:
    assert text_key("ab", "c") != text_key("a", "bc")
    assert text_key("a", None) != text_key("a", "")
    assert len(text_key("x" * 1_000_000)) == 64
