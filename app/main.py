"""The ASGI app: ``uvicorn app.main:app``. Settings come from ``STORYWIRE_*`` variables;
the store is opened and the indexes are loaded at start-up, not at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__
from app.api import errors
from app.api.guard import BodyGuard
from app.api.routes import router
from app.engine import Engine
from app.memory import startup_objects_frozen
from app.settings import Settings, load_settings
from app.store.sqlite import SqliteStore
from app.stories import background
from app.text.language import detect_language
from app.text.pipeline import TextConfig
from app.workers import WorkerPool

DB_FILE = "storywire.db"
# Start-up builds the word statistics (``app.stories.background``) of the languages of this
# many of the latest stored articles: built on first use instead, they held up the first
# request in each language after a restart (Arabic: ~2.4 s).
WARM_LANGUAGES_OF = 1000


def open_engine(settings: Settings) -> Engine:
    """Open the embedded store under the data directory, load the indexes from it, and start
    the workers that prepare batches."""
    store = SqliteStore(settings.data_dir / DB_FILE, synchronous=settings.sqlite_synchronous)
    detect_language("Load the language model now, not on the first request.")
    pool = None
    if settings.prepare_workers:
        pool = WorkerPool(settings.prepare_workers, settings.shingle_size, settings.num_perm, settings.seed)
    try:
        engine = Engine(store, settings, TextConfig.default(settings.shingle_size), pool=pool)
        for language in store.recent_languages(WARM_LANGUAGES_OF):
            background(language)
        return engine
    except BaseException:
        store.close()
        if pool is not None:
            pool.shutdown()
        raise


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` default to the environment's, read when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = settings or load_settings()
        app.state.settings = active
        app.state.engine = open_engine(active)
        logging.getLogger("storywire").info("storywire ready: %d articles", len(app.state.engine.dup_index))
        try:
            with startup_objects_frozen():
                yield
        finally:
            if app.state.engine.pool is not None:
                app.state.engine.pool.shutdown()
            app.state.engine.store.close()

    app = FastAPI(
        title="storywire",
        version=__version__,
        summary="Near-duplicate news articles and story clusters for crawlers and dashboards.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.include_router(router)
    app.add_middleware(BodyGuard)
    return app


app = create_app()
