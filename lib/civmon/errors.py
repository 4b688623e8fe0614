"""civmon's one exception hierarchy: every error a user can cause or meet, with the exit code the
CLI maps it to (2: bad parameters, data or setup, nothing was run; 1: a report or the run failed).

Each class also derives from the built-in it replaced (ValueError, RuntimeError), so callers that
guard against those keep working.
"""

from __future__ import annotations

EXIT_OK, EXIT_REPORT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class CivmonError(Exception):
    """Base of every civmon error; `exit_code` is what the CLI exits with, `hint` how to fix it."""

    exit_code = EXIT_REPORT_FAILED
    hint: str | None = None


# --- bad input: nothing runs (exit 2) ----------------------------------------------------------

class InputError(CivmonError):
    """Bad parameters, data or set-up, found before any report runs."""

    exit_code = EXIT_BAD_INPUT


class ParamsError(InputError, ValueError):
    """Bad run parameters; the message names the file, line and field, and how to fix it."""

    hint = "Fix the file and run again; `civmon params` lists every key."


class PeriodError(InputError, ValueError):
    """A period label that is not one of the accepted forms."""


class ScopeError(InputError, ValueError):
    """A scope that names no known township."""


class DataError(InputError):
    """The run's data cannot be used as it is."""


class DataSourceError(DataError, FileNotFoundError):
    """The data folder named by the params does not exist."""

    hint = "Set 'data' in the params file to 'sample' or a folder of the bureau's files."


class MissingKeyError(DataError, RuntimeError):
    """Real data was read without a pseudonymisation key in the environment."""


class UnreadableFile(DataError):
    """A file that cannot be read at all; carries the validation problem to report."""

    def __init__(self, problem):
        self.problem = problem
        super().__init__(problem.message)


class DataValidationError(DataError):
    """The data has errors; carries the full validation report (every problem at once)."""

    hint = "Correct the files listed above (row numbers are as Excel shows them) and run again."

    def __init__(self, report):
        self.report = report
        super().__init__(report.format())


class SetupError(InputError, RuntimeError):
    """The machine lacks something civmon needs (e.g. a CJK font)."""


class MissingFontError(SetupError):
    """No CJK font is installed, so Chinese labels would render as empty boxes."""


# --- a report or the run failed (exit 1) -------------------------------------------------------

class EstimationError(CivmonError, ValueError):
    """The data cannot support the requested estimate; the message names the problem."""


class ReportError(CivmonError):
    """A report that cannot be built as asked."""


class DisclosureError(ReportError, ValueError):
    """A table that cannot be published at this level without revealing a small count."""


class ExportError(ReportError):
    """An executed notebook that cannot be exported as it is (e.g. a reference to a missing table)."""


class RunError(CivmonError, RuntimeError):
    """The batch could not run (e.g. another run holds the output folder)."""
