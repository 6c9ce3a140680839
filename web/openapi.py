"""The OpenAPI 3.1 document of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from chaja.search import autocomplete
from chaja.search import request as request_rules
from chaja.search.engine import MAX_RELATED

_ERROR_RESPONSE = {"$ref": "#/components/responses/Error"}


def _ok(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS = {
    "SectionRef": {
        "type": "object",
        "description": "The section of an article that matched best.",
        "required": ["index", "heading", "heading_html"],
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "Section index; the article page anchors it as #s-<index>."},
            "heading": {"type": "string", "description": "Section heading; empty for the lead before the first heading."},
            "heading_html": {"type": "string", "description": "Escaped HTML whose only tags are <mark>."},
        },
    },
    "Hit": {
        "type": "object",
        "required": ["id", "title", "title_html", "url", "date", "source", "score", "section", "snippet_html"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "title_html": {"type": "string", "description": "Escaped HTML whose only tags are <mark>."},
            "url": _NULLABLE_STRING,
            "date": {"type": ["string", "null"], "format": "date"},
            "source": _NULLABLE_STRING,
            "score": {"type": "number"},
            "section": {"$ref": "#/components/schemas/SectionRef"},
            "snippet_html": {"type": "string", "description": "Escaped HTML whose only tags are <mark>."},
            "duplicates": {"type": "array", "items": {"type": "string"},
                           "description": "Ids of articles on this page that are the same story, folded into this hit."},
        },
    },
    "SearchResult": {
        "type": "object",
        "required": ["query", "total", "page", "size", "took_ms", "relaxed", "suggestion", "corrected", "partial_from",
                     "hits"],
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "minimum": 0, "description": "Number of articles listed: those with every "
                                                                    "word, then (up to three words) those with some."},
            "page": {"type": "integer", "minimum": 1, "maximum": request_rules.MAX_PAGE},
            "size": {"type": "integer", "minimum": 1, "maximum": request_rules.MAX_SIZE},
            "took_ms": {"type": "number"},
            "relaxed": {"type": "boolean", "description": "True when no article had every word, so articles with some of them are shown."},
            "suggestion": {"type": ["string", "null"], "description": "The query with the words the index does not hold corrected (typos by jamo distance, Hangul typed on the English layout), or null."},
            "corrected": {"type": "boolean", "description": "True when the query as typed found nothing and the hits are for suggestion."},
            "partial_from": {"type": ["integer", "null"], "minimum": 0,
                             "description": "For a query of up to three words: the rank (from 0, in the whole list) "
                                            "where the hits with only some of the words begin, after every hit with "
                                            "all of them (0 when relaxed); null when every hit has every word."},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {"type": "object", "required": ["source", "year"],
                       "description": "Articles matching the query by source and by year, each counted under every "
                                      "filter except its own kind; most first. Absent when nothing could be searched.",
                       "properties": {"source": {"$ref": "#/components/schemas/FacetValues"},
                                      "year": {"$ref": "#/components/schemas/FacetValues"}}},
            "message": {"type": "string", "description": "Present only when the query could not be used, e.g. when it is "
                                                           "empty; there are no hits then."},
            "notice": {"type": "string", "description": "Present only when the query was not searched exactly as "
                                                          "typed (cut to its first words, a condition it could not "
                                                          "read ignored); the hits are those of the query as read."},
        },
    },
    "Suggestions": {
        "type": "object",
        "required": ["query", "suggestions"],
        "properties": {
            "query": {"type": "string"},
            "suggestions": {"type": "array", "items": {
                "type": "object", "required": ["text", "kind", "count"],
                "properties": {"text": {"type": "string"}, "kind": {"enum": ["title", "term"]},
                               "count": {"type": "integer", "minimum": 1, "description": "Articles holding it."}}}},
        },
    },
    "FacetValues": {
        "type": "array",
        "items": {"type": "object", "required": ["value", "count"],
                  "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}}},
    },
    "Sources": {
        "type": "object",
        "required": ["sources"],
        "properties": {"sources": {"$ref": "#/components/schemas/FacetValues"}},
    },
    "Related": {
        "type": "object",
        "required": ["id", "related"],
        "properties": {
            "id": {"type": "string"},
            "related": {"type": "array", "items": {
                "type": "object", "required": ["id", "title", "url", "date", "source", "score"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "url": _NULLABLE_STRING,
                               "date": {"type": ["string", "null"], "format": "date"}, "source": _NULLABLE_STRING,
                               "score": {"type": "number"}}}},
        },
    },
    "Section": {
        "type": "object",
        "required": ["index", "heading", "text", "heading_html", "text_html"],
        "properties": {"index": {"type": "integer", "minimum": 0}, "heading": {"type": "string"}, "text": {"type": "string"},
                       "heading_html": {"type": "string", "description": "Escaped HTML; the words of ?q= in <mark>."},
                       "text_html": {"type": "string", "description": "Escaped HTML; the words of ?q= in <mark>."}},
    },
    "Article": {
        "type": "object",
        "required": ["id", "title", "title_html", "date", "source", "url", "sections"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "title_html": {"type": "string", "description": "Escaped HTML; the words of ?q= in <mark>."},
            "date": {"type": ["string", "null"], "format": "date"},
            "source": _NULLABLE_STRING,
            "url": _NULLABLE_STRING,
            "sections": {"type": "array", "items": {"$ref": "#/components/schemas/Section"}},
        },
    },
    "Stats": {
        "type": "object",
        "required": ["articles", "sections", "terms", "size_bytes", "built_at", "paths", "generation"],
        "properties": {
            "articles": {"type": "integer"},
            "sections": {"type": "integer"},
            "terms": {"type": "integer"},
            "size_bytes": {"type": "integer"},
            "built_at": _NULLABLE_STRING,
            "paths": {"type": "array", "items": {"type": "string"}},
            "generation": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "generation", "warm"],
        "properties": {"status": {"const": "ok"}, "generation": {"type": "string"},
                       "warm": {"type": "boolean", "description": "whether the index is ready to search at full "
                                                                  "speed (always true: its arrays are mapped, not loaded)"}},
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["bad_request", "not_found", "method_not_allowed"]},
                    "message": {"type": "string", "description": "What went wrong and how to fix it."},
                },
            },
        },
    },
}

SEARCH_PARAMETERS = request_rules.openapi_parameters()


def document() -> dict:
    """Return the OpenAPI 3.1 document describing every JSON endpoint."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chaja search API",
            "version": "1",
            "description": "Full-text search over Korean articles. Every response is UTF-8 JSON with Korean text unescaped; "
                           "errors are {\"error\": {\"code\", \"message\"}}.",
        },
        "paths": {
            "/api/search": {"get": {
                "operationId": "search",
                "summary": "Search articles",
                "parameters": SEARCH_PARAMETERS,
                "responses": {"200": _ok("SearchResult", "A page of results."),
                              "400": {"description": "A parameter is malformed or out of range; the message names "
                                                     "the parameter and how to fix it.",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                              "405": _ERROR_RESPONSE},
            }},
            "/api/suggest": {"get": {
                "operationId": "suggest",
                "summary": "Complete a typed prefix (초성, unfinished syllables and the English layout understood)",
                "parameters": [request_rules.param("q", "What has been typed so far.", {"type": "string", "default": ""}, "ㅂㄷㅊ"),
                               request_rules.param("size", "Suggestions at most.",
                                                   request_rules.whole_number_schema(autocomplete.MAX_SIZE, 10))],
                "responses": {"200": _ok("Suggestions", "Titles and words, most articles first."),
                              "400": _ERROR_RESPONSE, "405": _ERROR_RESPONSE},
            }},
            "/api/sources": {"get": {
                "operationId": "sources",
                "summary": "List the sources with how many articles each has",
                "responses": {"200": _ok("Sources", "Sources, most articles first."), "405": _ERROR_RESPONSE},
            }},
            "/api/articles/{article_id}": {"get": {
                "operationId": "getArticle",
                "summary": "Get one whole article",
                "parameters": [{"name": "article_id", "in": "path", "required": True,
                                "description": "Article id as the search hits give it; it may contain slashes.",
                                "schema": {"type": "string"}},
                               {"name": "q", "in": "query", "required": False,
                                "description": "Search words whose matches are marked in the *_html fields.",
                                "schema": {"type": "string", "default": ""}}],
                "responses": {"200": _ok("Article", "The article with all its sections."),
                              "404": _ERROR_RESPONSE, "405": _ERROR_RESPONSE},
            }},
            "/api/articles/{article_id}/related": {"get": {
                "operationId": "relatedArticles",
                "summary": "Articles closest to one by its distinctive words (more like this), never itself",
                "parameters": [{"name": "article_id", "in": "path", "required": True,
                                "description": "Article id as the search hits give it.", "schema": {"type": "string"}},
                               request_rules.param("size", "Articles at most.",
                                                   request_rules.whole_number_schema(MAX_RELATED, 5))],
                "responses": {"200": _ok("Related", "The closest articles, closest first."),
                              "400": _ERROR_RESPONSE, "404": _ERROR_RESPONSE, "405": _ERROR_RESPONSE},
            }},
            "/api/stats": {"get": {
                "operationId": "stats",
                "summary": "Describe the serving index",
                "responses": {"200": _ok("Stats", "Counts and build details of the index."), "405": _ERROR_RESPONSE},
            }},
            "/api/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
            "/healthz": {"get": {
                "operationId": "health",
                "summary": "Tell whether the index can be read",
                "responses": {"200": _ok("Health", "The server is up; generation names the serving index."),
                              "503": _ERROR_RESPONSE},
            }},
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {"Error": {"description": "A bad parameter (400), an unknown article or route (404), "
                                                   "a wrong method (405) or an unreadable index (503).",
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }
