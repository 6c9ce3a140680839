"""Facets, sources and the newest date of an OpenSearch index, as chaja.search.facets gives them embedded.

Each facet counts the articles (a cardinality of article ids) among the sections the query
matches under every filter except its own kind: the query holds the words and the exclusions,
and each facet's aggregation sits under a filter of the other kind's conditions. The cluster has
no scripting, so years are counted with one prefix filter per year between the oldest and the
newest date.
"""

from __future__ import annotations

from collections.abc import Callable

from chaja.index import opensearch as osx
from chaja.index import schema

from .facets import FacetValue

MAX_SOURCES = 10_000  # sources counted in one aggregation
PRECISION = 40_000  # article counts are exact up to this many (cardinality's precision_threshold)

Search = Callable[[dict], dict]


def _articles() -> dict:
    return {"cardinality": {"field": schema.ARTICLE, "precision_threshold": PRECISION}}


def source_filters(sources: list[str]) -> list[dict]:
    """Return the filters of source: conditions (each by its lower-cased key)."""
    return [{"term": {osx.SOURCE_KEY: s}} for s in sources]


def date_filters(date_ranges: list[tuple[str | None, str | None]]) -> list[dict]:
    """Return the filters of date ranges (an open range still asks for a date)."""
    out = []
    for start, end in date_ranges:
        bounds = {k: v for k, v in (("gte", start), ("lte", end)) if v}
        out.append({"range": {schema.DATE: bounds}} if bounds else {"exists": {"field": schema.DATE}})
    return out


def _by_source() -> dict:
    # keyed by the lower-cased key, as the embedded index's source terms; named as written
    return {"terms": {"field": osx.SOURCE_KEY, "size": MAX_SOURCES},
            "aggs": {"articles": _articles(), "name": {"terms": {"field": schema.SOURCE, "size": 1}}}}


def _source_values(buckets: list[dict]) -> list[FacetValue]:
    out = [FacetValue(b["name"]["buckets"][0]["key"] if b["name"]["buckets"] else b["key"], b["articles"]["value"])
           for b in buckets]
    return sorted((v for v in out if v.count), key=lambda v: (-v.count, v.value))


def date_bounds(search: Search) -> tuple[str | None, str | None]:
    """Return the oldest and the newest article date (None, None when no article has a date)."""
    body = {"size": 1, "_source": False, "query": {"exists": {"field": schema.DATE}}, "sort": [{schema.DATE: "desc"}],
            "docvalue_fields": [schema.DATE],
            "aggs": {"oldest": {"top_hits": {"size": 1, "_source": False, "sort": [{schema.DATE: "asc"}],
                                             "docvalue_fields": [schema.DATE]}}}}
    response = search(body)
    hits = response["hits"]["hits"]
    if not hits:
        return None, None
    oldest = response["aggregations"]["oldest"]["hits"]["hits"][0]
    return oldest["fields"][schema.DATE][0], hits[0]["fields"][schema.DATE][0]


def aggregation(matching: dict, must_not: list[dict], sources: list[str], date_ranges: list[tuple[str | None, str | None]],
                bounds: tuple[str | None, str | None]) -> dict:
    """Return the aggregation of the source and year facets of the sections matching (a query), exclusions (must_not)
    applied, for the page's own request to carry: global, so the page's query and filters leave it alone.

    bounds: the index's oldest and newest date (date_bounds), the years to count. counted() reads its result.
    """
    oldest, newest = bounds
    years = [str(y) for y in range(int(oldest[:4]), int(newest[:4]) + 1)] if oldest and newest else []
    by_year = {"filters": {"filters": {y: {"prefix": {schema.DATE: y}} for y in years}}, "aggs": {"articles": _articles()}}
    facets = {"source": {"filter": {"bool": {"filter": date_filters(date_ranges)}}, "aggs": {"values": _by_source()}}}
    if years:  # an index without dates has no year to count (OpenSearch refuses an empty "filters")
        facets["year"] = {"filter": {"bool": {"filter": source_filters(sources)}}, "aggs": {"values": by_year}}
    matched = {"filter": {"bool": {"must": [matching], "must_not": must_not}}, "aggs": facets}
    return {"global": {}, "aggs": {"matched": matched}}


def counted(result: dict) -> dict[str, list[FacetValue]]:
    """Return the source and year facets from the result of aggregation()."""
    aggs = result["matched"]
    buckets = aggs["year"]["values"]["buckets"] if "year" in aggs else {}
    years = [FacetValue(y, b["articles"]["value"]) for y, b in buckets.items()]
    return {"source": _source_values(aggs["source"]["values"]["buckets"]),
            "year": sorted((v for v in years if v.count), key=lambda v: (-v.count, v.value))}


def sources(search: Search) -> list[FacetValue]:
    """Return every source of the index's articles with how many articles it has, most first."""
    return _source_values(search({"size": 0, "aggs": {"values": _by_source()}})["aggregations"]["values"]["buckets"])
