"""Search a chaja index: one call that the CLI, the web page and the JSON endpoint share."""

from .engine import Engine
from .query import QueryError
from .results import ArticleView, Hit, ResultPage, SectionRef, SectionView

__all__ = ["Engine", "QueryError", "ArticleView", "Hit", "ResultPage", "SectionRef", "SectionView"]
