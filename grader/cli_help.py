"""The command line's help in Korean or English: click commands whose help, option help and headings come
from the gettext catalogue (`grader.i18n`) when `--help` prints them.

The language is `--lang` when it comes before `--help` (`grade 3 --lang ko --help`, `grade --lang ko --help`),
else GRADE_LANG, else the locale's.
"""

from __future__ import annotations

import click

from grader.i18n import LANGUAGES, N_, _, default_language, language, translate

# click's own words in the help, in our catalogue (click marks them for its own, absent, translations).
USAGE, OPTIONS, COMMANDS, DEFAULT = N_("Usage: "), N_("Options"), N_("Commands"), N_("default")
HELP_OPTION = N_("Show this message and exit.")
VERSION_OPTION = N_("Show the version and exit.")


def help_language(ctx: click.Context) -> str:
    """`--lang` of this command or of `grade` itself when given so far, else the locale's."""
    while ctx is not None:
        chosen = ctx.params.get("lang") or ctx.meta.get("grader.lang")
        if chosen:
            return chosen
        ctx = ctx.parent
    return default_language()


def remember_language(ctx: click.Context, _param, value):
    """Callback of `grade --lang`: its subcommands default to it."""
    if value:
        ctx.meta["grader.lang"] = value
    return value


def language_option(
    help_text: str = N_("Language of the report and messages [default: GRADE_LANG, else from LANG/LC_ALL]."),
):
    return click.option("--lang", type=click.Choice(LANGUAGES), default=None, is_eager=True, help=help_text)


class Translated:
    """Mixin for click commands: `help` and each parameter's `help` are msgids, translated when shown;
    `help_fields` fills their {fields}."""

    help_fields: dict | None = None

    def format_help(self, ctx, formatter):
        with language(help_language(ctx)):
            # An argument has no `help` attribute in click 8.1-8.2: only what has a help text is translated.
            shown = [item for item in (self, *self.get_params(ctx)) if getattr(item, "help", None)]
            originals = [item.help for item in shown]
            for item, original in zip(shown, originals, strict=True):
                item.help = translate(original).format(**(self.help_fields or {}))
            try:
                super().format_help(ctx, formatter)
            finally:
                for item, original in zip(shown, originals, strict=True):
                    item.help = original

    def get_short_help_str(self, limit: int = 45) -> str:
        if not self.help:
            return super().get_short_help_str(limit)
        text = translate(self.help).format(**(self.help_fields or {})).split(". ")[0].rstrip(".")
        return text if len(text) <= limit * 2 else text[: limit * 2 - 1] + "…"

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), _(USAGE))

    def format_options(self, ctx, formatter):
        records = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record:
                records.append((record[0], record[1].replace("[default: ", f"[{_(DEFAULT)}: ")))
        if records:
            with formatter.section(_(OPTIONS)):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(Translated, click.Command):
    def __init__(self, *args, help_fields: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_fields = help_fields or {}


class Group(Translated, click.Group):
    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section(_(COMMANDS)):
                formatter.write_dl(rows)
