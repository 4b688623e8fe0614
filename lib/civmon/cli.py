"""The `civmon` command: thin over the library. Exit codes: 0 ok, 1 a report failed, 2 bad parameters or input."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import List, Optional

import typer

import civmon
from civmon.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_REPORT_FAILED, CivmonError  # noqa: F401

app = typer.Typer(
    name="civmon",
    help="Policy monitoring reports for a civil-affairs bureau: run, validate data, make the sample.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}


def _fail(message: str, code: int = EXIT_BAD_INPUT, hint: str | None = None) -> None:
    """Print one clear paragraph (and the traceback with --debug), then exit with `code`."""
    if _state["debug"]:
        traceback.print_exc()
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    if hint:
        typer.echo(hint, err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"civmon {civmon.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """civmon: reviewed, reproducible policy monitoring reports."""
    _state["debug"] = debug


def _error(e: CivmonError, prefix: str = "") -> None:
    """Exit with the error's own exit code, message and hint (see civmon.errors)."""
    _fail(f"{prefix}{e}", code=e.exit_code, hint=e.hint)


def _load_params(path: Path):
    from civmon.params import ParamsError, load_params

    try:
        return load_params(path)
    except ParamsError as e:
        _error(e, "bad parameters.\n")


@app.command()
def run(
    params_files: List[Path] = typer.Argument(..., help="One or more params YAML files, e.g. params/default.yaml."),
    by: Optional[str] = typer.Option(None, "--by", help="'township': the district and every township."),
    scopes: Optional[str] = typer.Option(None, "--scopes", help="Comma-separated scopes: district and/or township names or codes."),
    periods: Optional[str] = typer.Option(None, "--periods", help="Comma-separated periods, e.g. 2023H1,2022H2."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", help="Parallel reports (default: number of cores)."),
    force: bool = typer.Option(False, "--force", help="Re-run reports even when nothing changed."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the final summary (for scheduled runs)."),
    launcher: str = typer.Option("auto", "--launcher", help="Kernel launcher: auto, fork (pre-imported) or plain."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output root (default: the params' output_dir)."),
) -> None:
    """Run the reports a params file describes and export HTML/PDF into outputs/<run>/."""
    from civmon.period import Period, PeriodError
    from civmon.run.batch import run_batch

    if by not in (None, "township"):
        _fail(f"--by takes 'township', not '{by}'.")
    if launcher not in ("auto", "fork", "plain"):
        _fail(f"--launcher takes auto, fork or plain, not '{launcher}'.")
    period_list = None
    if periods:
        try:
            period_list = [Period.parse(p).label for p in periods.split(",") if p.strip()]
        except PeriodError as e:
            _fail(f"--periods: {e}")
    all_params = [_load_params(f) for f in params_files]
    prepared = [_check_data(p, out) for p in all_params]  # every problem stops the run before any notebook
    failed_any = False
    for params, digests, areas, notes, tables in prepared:
        scope_list = _scopes(scopes, areas) if scopes else None
        try:
            result = run_batch(params, data_digests=digests, areas=areas, by=by, periods=period_list, jobs=jobs,
                               scopes=scope_list,
                               force=force, quiet=quiet, launcher=launcher, out_root=out,
                               gate_factory=lambda params=params: _gate(params),
                               echo=typer.echo, notes=notes, tables=tables)
        except CivmonError as e:
            _error(e)
        counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
        typer.echo(f"{params.name}: {counts} in {result.seconds:.1f}s -> {result.run_dir / 'index.html'}")
        for r in result.failed:
            failed_any = True
            where = "withheld/" if r.status == "withheld" else "failed/"
            typer.secho(f"{r.status}: {r.label}: {r.error or '; '.join(r.findings)} (see {result.run_dir / where / r.rel_dir})",
                        fg=typer.colors.RED, err=True)
    if failed_any:
        raise typer.Exit(EXIT_REPORT_FAILED)


def _scopes(text: str, areas) -> list[str]:
    """--scopes: each name or code resolved against the data's areas ('district' for the district)."""
    from civmon.data.scope import ScopeError, resolve_scope

    out = []
    for item in (s.strip() for s in text.split(",") if s.strip()):
        try:
            code, _ = resolve_scope(item, areas)
        except ScopeError as e:
            _fail(f"--scopes: {e}")
        out.append(code or "district")
    return out


def _gate(params):
    """The publication gate for this run's reports: patterns, raw names, pseudonyms and the key of its data."""
    from civmon.publish.gate_hook import gate_for_run

    return gate_for_run(params)


def _programmes_for(params, present: set[str]):
    """The params with `programmes: available` resolved, and notes on what was left out; exit 2 when
    a named report (or the overview) lacks data, naming the datasets."""
    from civmon import programmes
    from civmon.data.availability import feasibility

    lacks = feasibility(present)
    notes = []
    if params.wants_available:
        runnable = [p for p in programmes.selectable() if not lacks[p]]
        notes = [f"{programmes.get(p).name_zh}（{p}）未运行：数据中缺少 {', '.join(lacks[p])}"
                 for p in programmes.selectable() if lacks[p]]
        params = params.with_programmes(runnable)
    wanted = list(params.programmes) + (["overview"] if params.overview else [])
    missing = {p: lacks[p] for p in wanted if lacks[p]}
    if missing:
        lines = "\n".join(f"  {p}: lacks {', '.join(m)}" for p, m in missing.items())
        _fail(f"the data cannot feed every report the params name; no report was run.\n{lines}",
              hint="Add the missing files (`civmon inspect FOLDER` shows what each file was taken for), remove "
                   "those programmes, or set `programmes: available` to run what the data supports.")
    if not wanted:
        _fail("the data can feed none of the reports; no report was run.", hint="`civmon validate` says what each lacks.")
    return params, notes


def _write_problems(report, path: Path) -> Path:
    from civmon.data.problems import write_problems_workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_problems_workbook(report, path)


def _check_data(params, out_root: Path | None = None):
    """Validate the run's data before any notebook starts; exit 2 listing every problem (also written to
    data-problems.xlsx in the run's folder). Returns the params (programmes resolved), the input
    digests, the areas, notes on what was left out and what each table was taken for."""
    from civmon.data.scope import resolve_scope
    from civmon.data.source import load_data
    from civmon.errors import DataValidationError

    try:
        loaded = load_data(params.data)
        data, digests = loaded.frames, loaded.sha256
        if params.scope != "all":
            resolve_scope(params.scope, data.get("areas"))
    except DataValidationError as e:
        where = _write_problems(e.report, Path(out_root or params.output_dir) / params.name / "data-problems.xlsx")
        e.hint = f"{e.hint} Every problem is also listed in {where}."
        _error(e, "the input data has problems; no report was run.\n")
    except CivmonError as e:
        _error(e)
    params, notes = _programmes_for(params, set(data))
    return params, digests, data.get("areas"), notes, loaded.tables


@app.command()
def validate(
    params_file: Path = typer.Argument(..., help="A params YAML file; its data is checked."),
    problems: Optional[Path] = typer.Option(None, "--problems", help="Also write every problem to this .xlsx workbook."),
) -> None:
    """Check a run's parameters and data files without running any report: it passes exactly when `run` can run."""
    from civmon import data as cdata
    from civmon.data.availability import summary_lines
    from civmon.data.loader import resolve_key
    from civmon.data.source import data_folder

    params = _load_params(params_file)
    try:
        folder = data_folder(params.data)
        result = cdata.load(folder, key=resolve_key(folder))
    except CivmonError as e:
        _error(e)
    report = result.report
    if problems is not None:
        typer.echo(f"problems written to {_write_problems(report, problems)}")
    if result.discovery is not None:
        tables = result.discovery.tables
        by_name = [t for t in tables if t.how == "file name"]
        typer.echo(f"Tables found: {len(tables)}" + (f", {len(by_name)} of them by their file names" if by_name else ""))
        typer.echo("\n".join(f"  {t.line()}" for t in tables if t.how != "file name"))
    if not report.ok:
        typer.echo(report.format())
        raise typer.Exit(EXIT_BAD_INPUT)
    if report.problems or report.omitted:
        typer.echo(report.format())
    typer.echo("Datasets read:")
    typer.echo(report.summary())
    typer.echo("Reports:")
    typer.echo("\n".join(summary_lines(set(result.data))))
    _programmes_for(params, set(result.data))


@app.command()
def inspect(
    folder: Path = typer.Argument(..., help="A folder of the bureau's files."),
    write: bool = typer.Option(False, "--write", help="Write a starter mapping file (civmon-data.yaml) into the folder."),
) -> None:
    """Show, file by file and sheet by sheet, the dataset each table looks like and how each header matched."""
    from civmon.data.inspect import inspect_folder, starter_mapping
    from civmon.data.mapping import MAPPING_FILE

    if not folder.is_dir():
        _fail(f"{folder}: no such folder.")
    try:
        found = inspect_folder(folder)
    except CivmonError as e:
        _error(e)
    typer.echo(found.format())
    if write:
        target = folder / MAPPING_FILE
        if target.exists():
            _fail(f"{target} exists; move it away first (it is never overwritten).")
        target.write_text(starter_mapping(found), encoding="utf-8")
        typer.echo(f"starter mapping written to {target}: confirm each guess, then run `civmon validate`.")


@app.command()
def sample(
    out: Path = typer.Option(..., "--out", help="Folder to write the synthetic sample into."),
    seed: int = typer.Option(20230630, "--seed", help="Random seed; the same seed gives the same bytes."),
    scale: float = typer.Option(1.0, "--scale", help="Size multiplier (100 gives a province-scale sample)."),
) -> None:
    """Write the built-in synthetic sample (every dataset, plus its truth file) to a folder."""
    from civmon.sample.generate import generate_sample

    path = generate_sample(out, seed=seed, scale=scale)
    typer.echo(f"synthetic sample written to {path}")


@app.command()
def contracts() -> None:
    """Print the data dictionary (every dataset's columns, in Markdown)."""
    from civmon.data import data_dictionary_markdown

    typer.echo(data_dictionary_markdown())


@app.command()
def template(out: Path = typer.Option(..., "--out", help="Folder for the empty Excel workbooks.")) -> None:
    """Write an empty Excel workbook per dataset, with Chinese and English headers, for staff to fill in."""
    from civmon.data import write_templates

    paths = write_templates(out)
    typer.echo(f"{len(paths)} templates written to {out}")


@app.command()
def export(
    notebook: Path = typer.Argument(..., help="An executed report notebook (.ipynb)."),
    formats: List[str] = typer.Option(["html", "pdf"], "--format", help="html and/or pdf."),
) -> None:
    """Re-render HTML/PDF from an executed notebook without running it again."""
    from civmon.report.export import export_notebook

    if not notebook.exists():
        _fail(f"{notebook}: no such notebook.")
    try:
        written = export_notebook(notebook, notebook.parent, notebook.stem, formats=tuple(formats))
    except CivmonError as e:
        _error(e)
    for kind, path in written.items():
        typer.echo(f"{kind}: {path}")


@app.command()
def scan(
    path: Path = typer.Argument(..., help="A folder (or file) of rendered outputs: HTML, PDF, CSV, XLSX, JSON."),
    data: Optional[str] = typer.Option(None, "--data", help="'sample' or the raw data folder, to look for its names too."),
) -> None:
    """Run the publication gate on outputs produced anywhere; exit 1 if anything personal is found."""
    from civmon.publish import scan_path
    from civmon.publish.gate_hook import scanner_for

    if not path.exists():
        _fail(f"{path}: no such file or folder.")
    report = scan_path(path, scanner=scanner_for(data))
    typer.echo(report.format())
    if not report.ok:
        raise typer.Exit(EXIT_REPORT_FAILED)


@app.command()
def params() -> None:
    """List every parameter a params file may set, with its default and meaning."""
    from civmon.params import RunParams

    for name, f in RunParams.model_fields.items():
        default = f.default_factory() if f.default_factory else f.default
        typer.echo(f"{name:38s} default {default!r:30s} {f.description or ''}")


@app.command()
def indicators() -> None:
    """List every registered indicator id with its label and unit."""
    from civmon.indicators import all_indicators

    for ind in sorted(all_indicators().values(), key=lambda i: (i.programme, i.id)):
        typer.echo(f"{ind.programme:10s} {ind.id:34s} {ind.unit:8s} {ind.label_zh}")


def entrypoint() -> None:  # pragma: no cover - console script shim
    sys.exit(app())
