"""Storage behind one narrow interface (:class:`app.store.base.Store`); SQLite is the default."""
