"""The `chaja` command: each command turns its options into one library call."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from chaja.index import lock, opensearch, store
from chaja.index.builder import BuildError, BuildReport, rebuild
from chaja.index.counts import plural, skipped_summary

DEFAULT_CORPUS = "corpus"
index_option = click.option(
    "--index", "index", type=click.Path(file_okay=False), default=None,
    help=f"Index folder or opensearch://HOST:PORT/NAME (default: $CHAJA_INDEX, else ./{store.DEFAULT_INDEX}).",
)
wait_option = click.option(
    "--wait", type=click.FloatRange(0), default=lock.DEFAULT_WAIT, show_default=True,
    help="Seconds to wait for another rebuild or update of the same index before giving up.",
)
SHOWN_IDS = 20  # article ids listed per kind of change; the rest are counted


class _Progress:
    """A progress bar on a terminal, a plain log line every few seconds otherwise."""

    def __init__(self):
        self.bar = None
        self.last = 0.0
        self.report = BuildReport()
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" articles", desc="indexing", file=sys.stderr)

    def __call__(self, report: BuildReport) -> None:
        self.report = report
        if self.bar is not None:
            self.bar.update(report.articles - self.bar.n)
        elif report.seconds - self.last >= 5:
            self.last = report.seconds
            click.echo(f"indexed {plural(report.articles, 'article')} ({report.rate:.1f}/s)", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _fail(message: str, code: int = 2):
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="chaja")
def main():
    """찾아 (chaja): full-text search for Korean articles."""


@main.group("index")
def index_group():
    """Build and inspect the search index."""


def _check_paths(paths: tuple[str, ...]) -> tuple[str, ...]:
    paths = paths or (DEFAULT_CORPUS,)
    for p in paths:
        if not Path(p).exists():
            _fail(f"{p} does not exist; pass the article files or folders to index", 1)  # README: 1 when not built
    return paths


def _echo_skipped_and_notes(report) -> None:
    for s in report.skipped:
        click.echo(f"skipped {s.path}: {s.reason}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)


def _location(index: str | None) -> opensearch.Location | None:
    """Return the OpenSearch location that index names, None for a folder; exit 2 if it cannot be read."""
    try:
        return opensearch.location(index)
    except store.IndexUnavailable as e:
        _fail(str(e))


def _where(index: str | None, generation: str) -> str:
    loc = _location(index)
    return f"{loc} ({generation})" if loc else str(store.index_dir(index) / generation)


def build_index(paths: tuple[str, ...], index: str | None, workers: int | None, user_dict: str | None,
                wait: float = lock.DEFAULT_WAIT, synonyms: str | None = None,
                part: tuple[int, int] | None = None, from_index: str | None = None,
                word_cache: bool | None = None) -> BuildReport:
    """Rebuild the index from paths (default ./corpus), or an OpenSearch index from from_index; show progress and a summary.

    word_cache None: the default (the analysis cache), or the --from-index folder's own setting.
    """
    loc = _location(index)
    if from_index:
        _check_from_index(paths, loc, user_dict, synonyms, word_cache)
    else:
        paths = _check_paths(paths)
    progress = _Progress()
    if part and not loc:
        _fail("--part splits a rebuild into an OpenSearch index; pass --index opensearch://HOST:PORT/NAME")
    if synonyms and loc:
        _fail("--synonyms is not offered by the OpenSearch backend yet; rebuild without it")
    word_cache = word_cache is not False
    try:
        if from_index:
            from chaja.index.opensearch_from_index import rebuild_from_index

            report = rebuild_from_index(from_index, loc, part=part, progress=progress)
        elif loc:
            from chaja.index import opensearch_load

            if workers:
                from chaja.index import analysis

                analysis.set_workers(workers)
            report = opensearch_load.rebuild(paths, loc, user_dictionary=user_dict, part=part, progress=progress,
                                             word_cache=word_cache)
        else:
            report = rebuild(paths, index, workers=workers, user_dictionary=user_dict, synonyms_file=synonyms,
                             progress=progress, wait=wait, word_cache=word_cache)
    except (BuildError, store.IndexUnavailable, OSError, ValueError) as e:
        progress.close()
        _echo_skipped_and_notes(progress.report)  # what was read before it failed
        _fail(str(e), 1)
    progress.close()
    _echo_skipped_and_notes(report)
    click.echo(
        f"indexed {plural(report.articles, 'article')}, {plural(report.sections, 'section')}; "
        f"skipped {skipped_summary(report.skipped)}; "
        f"{report.seconds:.1f} s, {report.rate:.1f} articles/s -> {_where(index, report.generation)}"
        + (f" as part {part[0]} of {part[1]}; `chaja index publish` once every part is done" if part else "")
    )
    return report


def _check_from_index(paths: tuple[str, ...], loc, user_dict: str | None, synonyms: str | None,
                      word_cache: bool | None = None) -> None:
    """Refuse what --from-index cannot do: the words were analysed when the embedded index was built."""
    if not loc:
        _fail("--from-index loads an OpenSearch index from an index folder; pass --index opensearch://HOST:PORT/NAME")
    if paths or user_dict or synonyms or word_cache is not None:
        given = ("PATHS" if paths else "--user-dict" if user_dict else "--synonyms" if synonyms
                 else "--word-cache" if word_cache else "--in-context")
        _fail(f"--from-index takes the articles and their analysis from the index folder; leave out {given}")


def _part(ctx, param, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f"write K/N with 1 <= K <= N, such as 1/4, not {value!r}")
    return int(k), int(n)


@index_group.command("rebuild")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Kiwi analysis threads (default: all cores).")
@click.option("--user-dict", type=click.Path(exists=True, dir_okay=False), default=None,
              help="User dictionary: one word a line, optionally a tab and a Kiwi tag (default NNP).")
@click.option("--synonyms", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Synonyms: one group a line, words separated by commas (인공지능, AI, 에이아이).")
@wait_option
@click.option("--part", callback=_part, default=None, metavar="K/N",
              help="OpenSearch only: index part K of N of the articles; `chaja index publish` when all are done.")
@click.option("--from-index", type=click.Path(), default=None, metavar="DIR",
              help="OpenSearch only: load the articles of the index folder DIR as analysed there, without Kiwi.")
@click.option("--word-cache/--in-context", default=None,
              help="Analyse each distinct word of a batch once (default; faster), or every word in its sentence "
                   "(reads some words differently, README). Kept with the index: updates and queries read alike.")
def rebuild_command(paths, index, workers, user_dict, synonyms, wait, part, from_index, word_cache):
    """Build a new index from PATHS (files or folders; default ./corpus), or from --from-index DIR, and switch to it atomically."""
    build_index(paths, index, workers, user_dict, wait, synonyms, part, from_index, word_cache)


@index_group.command("publish")
@index_option
def publish_command(index):
    """Switch an OpenSearch index to the rebuild that `--part K/N` runs wrote, once every part is done."""
    from chaja.index import opensearch_load

    loc = _location(index)
    if loc is None:
        _fail("publish moves an OpenSearch alias; pass --index opensearch://HOST:PORT/NAME")
    try:
        report = opensearch_load.publish(loc)
    except BuildError as e:
        _fail(str(e), 1)
    click.echo(f"published {plural(report.articles, 'article')}, {plural(report.sections, 'section')} "
               f"-> {_where(index, report.generation)}")


@index_group.command("update")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@wait_option
def update_command(paths, index, wait):
    """Add new, re-index changed and remove deleted articles under PATHS (default ./corpus), atomically.

    Articles from files outside PATHS stay as they are. New articles are analysed as the index was
    built: word by word (--word-cache) or in context (--in-context).
    """
    from chaja.index.update import update

    paths = _check_paths(paths)
    try:
        if loc := _location(index):
            from chaja.index import opensearch_load

            report = opensearch_load.update(paths, loc)
        else:
            report = update(paths, index, wait=wait)
    except (BuildError, store.IndexUnavailable, OSError, ValueError) as e:
        _fail(str(e), 1)
    _echo_skipped_and_notes(report)
    if not report.changes:
        click.echo(f"no change: {plural(report.unchanged, 'article')} unchanged, skipped {skipped_summary(report.skipped)}; "
                   f"the index still serves {report.generation}")
        return
    for kind, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if ids:
            more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
            click.echo(f"{kind} {len(ids)}: {', '.join(ids[:SHOWN_IDS])}{more}")
    click.echo(
        f"added {len(report.added)}, changed {len(report.changed)}, removed {len(report.removed)}, "
        f"unchanged {report.unchanged}; skipped {skipped_summary(report.skipped)}; {report.seconds:.1f} s "
        f"-> {_where(index, report.generation)}"
    )


@index_group.command("stats")
@index_option
def stats_command(index):
    """Show what the index holds and when and from what it was built (for OpenSearch: shards, replicas, health)."""
    try:
        stats = _engine(index).stats()
    except store.IndexUnavailable as e:
        _fail(str(e))
    for key, value in stats.items():
        if key == "paths":
            value = ", ".join(value)
        click.echo(f"{key:16} {value}")


def _engine(index):
    from chaja.search import Engine

    try:
        engine = Engine(index)
        engine.generation
    except store.IndexUnavailable as e:
        _fail(str(e))
    return engine


@main.command("search")
@click.argument("query")
@index_option
@click.option("--page", default="1", show_default=True, help="Page number, from 1 to 1000.")
@click.option("--size", default="10", show_default=True, help="Hits per page, from 1 to 100.")
@click.option("--sort", default="relevance", show_default=True, help="relevance (best match first) or date (newest first).")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/search.")
@click.option("--exact", is_flag=True, help="Search QUERY as typed even when a corrected query would find more.")
def search_command(query, index, page, size, sort, as_json, exact):
    """Search the index for QUERY; exit 0 with results, 1 with none, 2 on a usage or index error."""
    from chaja.search import QueryError
    from chaja.search import request as request_rules

    from .terminal import render_page

    try:  # the rules (and messages) of the API's page, size and sort
        args = request_rules.check(page, size, sort, q=query)
        result = _engine(index).search(query, **{**args.search_args(), "correct": not exact})
    except (QueryError, store.IndexUnavailable) as e:
        _fail(str(e))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_page(result, color=sys.stdout.isatty()))
    sys.exit(0 if result.hits else 1)


@main.command("eval")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False), required=True, help="qid<TAB>query file.")
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False), required=True, help="TREC qrels file.")
@index_option
@click.option("--level", type=click.Choice(["article", "section"]), default="article", show_default=True,
              help="Judge articles, or sections (qrels docids 'articleid#sectionindex').")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the report as JSON here.")
def eval_command(queries, qrels, index, level, out):
    """Measure nDCG@10, Recall@100 and MRR@10 of the index on judged queries."""
    from chaja.search.evaluate import evaluate, read_queries

    try:
        report = evaluate(_engine(index), read_queries(queries), qrels, level=level)
    except ValueError as e:
        _fail(str(e))
    data = report.to_json()
    for name, value in data["measures"].items():
        click.echo(f"{name:10} {value:.4f}")
    click.echo(f"{'queries':10} {data['queries']}\n{'no hit':10} {data['no_hit']}")
    click.echo(f"{'p50 ms':10} {data['p50_ms']:.1f}\n{'p95 ms':10} {data['p95_ms']:.1f}")
    if out:
        Path(out).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Server processes, each with its own copy of the index and Kiwi (default: one per CPU).")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Request threads per process; 1 answers one request at a time per process, the rest wait their turn.")
@click.option("--access-log", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Log every request to this file ('-' for standard output); off by default.")
def serve_command(index, host, port, workers, threads, access_log):
    """Serve the search page and JSON API; builds the index from ./corpus first if there is none.

    Stops on SIGTERM (letting running requests finish) or Ctrl+C. A rebuild or update of the
    index is served from the next request on, with no restart.
    """
    from .server import can_listen, serve

    if problem := can_listen(host, port):
        _fail(f"cannot serve on {host}:{port}: {problem}")
    where = str(loc) if (loc := _location(index)) else str(store.index_dir(index))
    if not loc and store.current(store.index_dir(index)) is None:
        click.echo(f"no index at {store.index_dir(index)} yet; building it from ./{DEFAULT_CORPUS}", err=True)
        _build_in_child(index)
    workers = workers or os.cpu_count() or 1
    click.echo(f"serving http://{host}:{port}/ (index {where}; {workers} processes x {threads} threads)")
    serve(where, host, port, workers, threads, access_log)


def _build_in_child(index: str | None) -> None:
    """Run `chaja index rebuild` in a fresh process, so the server forks no loaded Kiwi; exit if it fails."""
    import subprocess

    command = "from chaja.web.cli import main; main(prog_name='chaja')"
    args = ["index", "rebuild", DEFAULT_CORPUS, "--index", str(store.index_dir(index))]
    if code := subprocess.run([sys.executable, "-c", command, *args]).returncode:
        sys.exit(code)
