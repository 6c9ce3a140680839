"""Read Korean articles, analyse them with Kiwi and keep them in a Whoosh index."""
