"""The message catalogues (bot/i18n/locales/*/LC_MESSAGES/messages.po) against each
other and against the code that uses them."""

from __future__ import annotations

import ast
import io
import re
import string
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n import (
    LANGUAGES,
    LOCALES_DIR,
    MissingMessage,
    PluralMessage,
    Translator,
    escape,
    get_translator,
)
from bot.services.kernel import errors
from bot.services.kernel.errors import DomainError
from bot.services.kernel.validation import normalize_phone
from handlers.menus import COMMANDS
from storage.enums import ApprovalState
from telegram_html import HtmlError, parse_html

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "<b>&amp; 'x' \"y\" </b>"  # a hostile value: the translator must escape it


def source_files(*folders: str) -> list[Path]:
    files = [
        path
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "sandbox" not in path.relative_to(ROOT).parts
    ]
    assert files, folders
    return files


CODE = source_files("bot", "handlers")


# ---- reading the catalogues -----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    key: str
    forms: tuple[str, ...]  # one for a plain message; a plural one's forms
    fuzzy: bool
    plural: bool = False
    plural_id: str = ""

    @property
    def text(self) -> str:
        """The message (a plural one's most general form: the last)."""
        return self.forms[-1]

    @property
    def placeholders(self) -> set[str]:
        return set().union(*(placeholders(form) for form in self.forms))


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as fh:
        return read_po(fh, locale=language)


@cache
def catalogue(language: str) -> dict[str, Entry]:
    entries = {}
    for m in read_catalogue(language):
        if not m.id:
            continue
        if isinstance(m.id, tuple | list):
            forms = tuple(str(f) for f in m.string)
            entries[str(m.id[0])] = Entry(str(m.id[0]), forms, m.fuzzy, True, str(m.id[1]))
        else:
            entries[str(m.id)] = Entry(str(m.id), (str(m.string),), m.fuzzy)
    return entries


def brace_format_flags(language: str) -> dict[str, bool]:
    """key -> whether the entry is flagged ``#, python-brace-format`` (read from the file:
    Babel recomputes that flag from the msgid, which here is a key without braces)."""
    flags = {}
    for block in po_path(language).read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid "(.+)"$', block, re.M)
        if match:
            flags[match.group(1)] = bool(re.search(r"^#,.*\bpython-brace-format\b", block, re.M))
    return flags


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def all_keys() -> set[str]:
    return set(catalogue(LANGUAGES[0]))


# ---- scanning the code ----------------------------------------------------------------

# callables that take a message key first: tr("k"), t("k"), vt("k"), tr.plain("k"),
# turn.tr("k"), turn.retry("k"), tr(context)("k"), get_translator(x).plain("k"), b("k", …)
TRANSLATOR_NAMES = {"tr", "t", "vt", "rt", "ct", "translator", "b"}
TRANSLATOR_ATTRS = {"tr", "plain", "raw", "retry", "ngettext"}
KEY_RE = re.compile(r"^[a-z][a-z_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Use:
    key: str
    where: str
    keywords: frozenset[str] | None  # None: **values (cannot be checked statically)
    plain: bool  # used through .plain(): not HTML
    counted: bool  # used through .ngettext(key, n, …): a plural message


def _is_translator(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in TRANSLATOR_NAMES
    if isinstance(func, ast.Attribute):
        return func.attr in TRANSLATOR_ATTRS
    return isinstance(func, ast.Call)  # tr(context)("key")


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def translator_calls(files: list[Path] = CODE) -> Iterator[Use]:
    for path in files:
        for node in ast.walk(_parse(path)):
            if not (isinstance(node, ast.Call) and node.args and _is_translator(node.func)):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if not KEY_RE.match(first.value):
                continue
            names = [k.arg for k in node.keywords]
            keywords = None if None in names else frozenset(n for n in names if n)
            attr = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            yield Use(first.value, where, keywords, attr == "plain", attr == "ngettext")


def key_literals(files: list[Path]) -> Iterator[tuple[str, str]]:
    """Every string literal shaped like a key of one of the catalogue's namespaces
    (keys chosen in code, e.g. ``key = "a.b" if x else "a.c"``, ``cancel_note=…``)."""
    namespaces = {key.split(".")[0] for key in all_keys()}
    for path in files:
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if KEY_RE.match(text) and text.split(".")[0] in namespaces:
                    yield text, f"{path.relative_to(ROOT)}:{node.lineno}"


def dynamic_prefixes(files: list[Path]) -> set[str]:
    """The constant heads of f-strings shaped like keys: f"status.{x}" -> "status."."""
    found = set()
    for path in files:
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and re.match(r"^[a-z_]+\.$", str(head.value)):
                    found.add(str(head.value))
    return found


@dataclass(frozen=True)
class Raise:
    key: str
    where: str
    keywords: frozenset[str]


def invalid_value_raises(files: list[Path] = CODE) -> list[Raise]:
    """``InvalidValue("field", "reason", **values)`` and OrgService.require_child(…,
    "field"), which raises ``invalid.<field>.not_found``."""
    found = []
    for path in files:
        for node in ast.walk(_parse(path)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            args = node.args
            consts = [a.value for a in args if isinstance(a, ast.Constant)]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            keywords = frozenset(k.arg for k in node.keywords if k.arg)
            if name == "InvalidValue" and len(args) == 2 and len(consts) == 2:
                found.append(Raise(f"invalid.{consts[0]}.{consts[1]}", where, keywords))
            elif name == "require_child" and len(args) == 4 and isinstance(args[3], ast.Constant):
                found.append(Raise(f"invalid.{args[3].value}.not_found", where, frozenset()))
    return found


def domain_error_codes() -> set[str]:
    codes = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending.extend(cls.__subclasses__())
    return codes


# Service errors that never reach a chat: bot/cli/admin.py formats them itself.
CLI_ONLY = {"invalid.unit.ambiguous"}


def dynamic_keys() -> dict[str, str]:
    keys = {f"error.{code}": "handlers/common.py error_text" for code in domain_error_codes()}
    keys |= {r.key: r.where for r in invalid_value_raises() if r.key not in CLI_ONLY}
    keys |= {f"status.{s.value}": "bot/messages/people.py" for s in ApprovalState}
    keys |= {f"command.{name}": "handlers/menus.py" for name in COMMANDS}
    keys |= {f"help.{name}": "handlers/menus.py help_text" for name in COMMANDS}
    keys |= {"language.name": "handlers/language.py", "error.generic": "", "invalid.generic": ""}
    return keys


# ---- the catalogues agree -------------------------------------------------------------


def test_both_languages_are_loaded() -> None:
    assert set(LANGUAGES) == {"zh_CN", "en"}
    for language in LANGUAGES:
        assert len(catalogue(language)) > 100, language


def test_both_languages_have_exactly_the_same_keys() -> None:
    zh, en = set(catalogue("zh_CN")), set(catalogue("en"))
    assert sorted(zh - en) == [], "only in zh_CN"
    assert sorted(en - zh) == [], "only in en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    """An empty or fuzzy entry is dropped at load time and silently replaced by the
    default language."""
    bad = [
        e.key
        for e in catalogue(language).values()
        if not all(form.strip() for form in e.forms) or e.fuzzy
    ]
    assert bad == []
    translator = get_translator(language)
    assert translator.keys() == all_keys()


def test_placeholders_are_the_same_in_both_languages() -> None:
    en = catalogue("en")
    differ = {
        key: (sorted(e.placeholders), sorted(en[key].placeholders))
        for key, e in catalogue("zh_CN").items()
        if key in en and e.placeholders != en[key].placeholders
    }
    assert differ == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_the_languages_forms(language: str) -> None:
    """A plural entry has as many forms as the file's Plural-Forms header says (Chinese
    one, English two), its msgid_plural is its key, and it is plural in both languages."""
    po = read_catalogue(language)
    assert po.num_plurals == {"zh_CN": 1, "en": 2}[language]
    plural = {e.key: e for e in catalogue(language).values() if e.plural}
    assert len(plural) >= 10
    assert {k: len(e.forms) for k, e in plural.items() if len(e.forms) != po.num_plurals} == {}
    assert [k for k, e in plural.items() if e.plural_id != k] == []
    other = "en" if language == "zh_CN" else "zh_CN"
    assert sorted(plural) == sorted(k for k, e in catalogue(other).items() if e.plural)


def test_english_counts_are_plural_messages() -> None:
    """No "place(s)": a count before the noun it counts is a plural message."""
    wrong = sorted(
        e.key for e in catalogue("en").values() if any("(s)" in form for form in e.forms)
    )
    assert wrong == []
    plural = {e.key for e in catalogue("en").values() if e.plural}
    counted = re.compile(r"\{(places|count|services|minutes|taken)\} (of \{places\} )?[a-z]+s\b")
    missed = sorted(e.key for e in catalogue("en").values() if counted.search(e.text))
    assert [k for k in missed if k not in plural] == []


# placeholders that hold a name (of a person, a unit, a category …): Chinese writes no
# space between a name and the words around it ("您是汉阳区的协调员")
NAME_PLACEHOLDERS = {"name", "names", "who", "unit", "community", "street", "place",
                     "category", "teams", "language"}  # fmt: skip
CJK_CHAR = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
TAGS = r"(?:</?[a-z][^>]*>)*"


def spaced_names(text: str) -> list[str]:
    """Where a name placeholder (with the tags around it) is set off by spaces from the
    Chinese beside it."""
    found = []
    for name in sorted(placeholders(text) & NAME_PLACEHOLDERS):
        ph = re.escape("{" + name + "}")
        before = rf"{CJK_CHAR}{TAGS}[ \u3000]+{TAGS}{ph}"
        after = rf"{ph}{TAGS}[ \u3000]+{TAGS}{CJK_CHAR}"
        found += [m.group(0) for pattern in (before, after) for m in re.finditer(pattern, text)]
    return found


def test_no_spaces_around_names_in_chinese() -> None:
    wrong = {
        e.key: spaced
        for e in catalogue("zh_CN").values()
        for form in e.forms
        if (spaced := spaced_names(form))
    }
    assert wrong == {}


def test_the_space_check_does_check() -> None:
    assert spaced_names("您是 <b>{unit}</b> 的协调员") == ["是 <b>{unit}", "{unit}</b> 的"]
    assert spaced_names("🏠 <b>主菜单</b>　{name}，您好") == ["单</b>　{name}"]
    assert spaced_names("您是<b>{unit}</b>的协调员") == []
    assert spaced_names("订单 <b>{number}</b> 已发布") == []  # a number, not a name
    assert spaced_names("• {name} — {unit}") == []  # no Chinese beside it


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_flagged_brace_format(language: str) -> None:
    """Translation tools check ``{name}`` only in entries flagged python-brace-format."""
    flags = brace_format_flags(language)
    assert set(flags) == set(catalogue(language))
    unflagged = [e.key for e in catalogue(language).values() if e.placeholders and not flags[e.key]]
    assert unflagged == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_plain_names(language: str) -> None:
    """``{name}`` only: no ``{0}``, ``{a.b}``, ``{x!r}`` or ``{x:>5}`` (values are
    escaped strings), and braces are balanced."""
    for entry in catalogue(language).values():
        for form in entry.forms:
            parsed = list(string.Formatter().parse(form))  # ValueError if unbalanced
            for _literal, name, spec, conversion in parsed:
                if name is not None:
                    assert re.fullmatch(r"[a-z_]+", name), (entry.key, name)
                    assert not spec and conversion is None, entry.key


# ---- the code and the catalogues ------------------------------------------------------


def test_the_scanner_finds_the_keys() -> None:
    """Guard against a scanner that silently finds nothing."""
    called = {u.key for u in translator_calls()}
    assert {"start.welcome", "home.become_volunteer", "button.approve", "error.internal"} <= called
    assert {"help.everyone", "volunteer.pending", "flow.cancelled"} <= {
        k for k, _ in key_literals(source_files("handlers"))
    }
    assert len(called) > 80


def test_every_key_used_in_code_exists() -> None:
    keys = all_keys()
    missing = sorted({f"{u.key} ({u.where})" for u in translator_calls() if u.key not in keys})
    assert missing == []


def test_plural_messages_are_looked_up_with_their_count() -> None:
    """A plural message through t(…) or .plain(…) has no count to pick its form by (the
    translator raises), and ngettext on a plain message is a slip."""
    plural = {e.key for e in catalogue("en").values() if e.plural}
    wrong = sorted(
        f"{u.key} ({u.where})" for u in translator_calls() if (u.key in plural) != u.counted
    )
    assert wrong == []
    # all in use: literally, or (invalid.*) through handlers.common.error_text
    errors = {k for k in plural if k.startswith("invalid.")}
    assert {u.key for u in translator_calls() if u.counted} == plural - errors


def test_an_invalid_value_message_with_a_count_takes_its_plural_form() -> None:
    from bot.i18n import get_translator
    from bot.services.kernel.errors import InvalidValue
    from handlers.common import error_text

    en = get_translator("en")
    assert "at least 1 minute," in error_text(en, InvalidValue("ends_at", "too_short", minutes=1))
    assert "at least 15 minutes," in error_text(
        en, InvalidValue("ends_at", "too_short", minutes=15)
    )
    zh = get_translator("zh_CN")
    assert "至少要15分钟" in error_text(zh, InvalidValue("ends_at", "too_short", minutes=15))


def test_every_key_chosen_in_handlers_exists() -> None:
    keys = all_keys()
    files = [
        *source_files("handlers"),
        ROOT / "bot" / "app.py",
        ROOT / "bot" / "i18n" / "__init__.py",
    ]
    missing = sorted({f"{k} ({where})" for k, where in key_literals(files) if k not in keys})
    assert missing == []


def test_every_dynamic_key_exists() -> None:
    keys = all_keys()
    missing = sorted(f"{k} ({where})" for k, where in dynamic_keys().items() if k not in keys)
    assert missing == []


def test_the_dynamic_key_families_are_known() -> None:
    """A new f-string key family must be added to dynamic_keys() above."""
    assert dynamic_prefixes(source_files("handlers", "bot/messages")) == {
        "error.",
        "invalid.",
        "status.",
        "command.",
        "help.",
    }


def test_cli_only_errors_stay_out_of_the_chat() -> None:
    """The errors CLI_ONLY exempts come from OrgService.find_unit, which no handler uses."""
    for path in source_files("handlers"):
        assert "find_unit" not in path.read_text(encoding="utf-8"), path
    assert {r.key for r in invalid_value_raises()} >= CLI_ONLY


def test_domain_error_codes_have_messages() -> None:
    codes = domain_error_codes()
    assert {"not_found", "not_allowed", "not_in_scope", "already_decided", "unknown_user"} <= codes
    for language in LANGUAGES:
        for code in codes:
            entry = catalogue(language)[f"error.{code}"]
            assert placeholders(entry.text) == set(), entry.key  # rendered without values


def test_invalid_value_messages_get_their_values() -> None:
    """error_text fills invalid.<field>.<reason> with the values the error carries: every
    placeholder must be one of them, or format_map fails inside the error reply."""
    wrong = []
    for r in invalid_value_raises():
        if r.key in CLI_ONLY:
            continue
        needed = catalogue("en")[r.key].placeholders
        if not needed <= r.keywords:
            wrong.append(f"{r.key} at {r.where}: needs {sorted(needed)}, gets {sorted(r.keywords)}")
    assert wrong == []


def test_every_call_fills_every_placeholder() -> None:
    """A call without all the values of its message leaves "{name}" in the chat (no values)
    or fails with KeyError (some values)."""
    wrong = []
    for use in translator_calls():
        if use.keywords is None or use.key not in all_keys():
            continue
        needed = catalogue("en")[use.key].placeholders
        if not needed <= use.keywords:
            wrong.append(f"{use.key} at {use.where}: needs {sorted(needed)}")
    assert wrong == []


# ---- what Telegram will see -----------------------------------------------------------


def renderings(translator: Translator, key: str) -> list[tuple[str, str]]:
    """``key`` with hostile values filled in: (template, text) of each form."""
    if not translator.is_plural(key):
        templates = [translator.raw(key)]
    else:
        templates = list(translator.forms(key))
    found = []
    for template in templates:
        values = {name: SAMPLE for name in placeholders(template)}
        found.append((template, template.format_map({k: escape(v) for k, v in values.items()})))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_valid_telegram_html(language: str) -> None:
    """Every message may be sent with parse_mode=HTML: it must parse as Telegram would,
    with hostile values filled in (escaped by the translator)."""
    translator = get_translator(language)
    bad = {}
    for key in sorted(all_keys()):
        for template, rendered in renderings(translator, key):
            try:
                text, _entities = parse_html(rendered)
            except HtmlError as error:
                bad[key] = str(error)
                continue
            if placeholders(template):
                assert SAMPLE in text, key  # shown as typed, not taken as markup
            assert 1 <= len(text) <= 4096, key
    assert bad == {}


def test_the_html_checker_does_check() -> None:
    with pytest.raises(HtmlError):
        parse_html("<b>unclosed")
    with pytest.raises(HtmlError):
        parse_html("a & b")
    with pytest.raises(HtmlError):
        parse_html("<div>no</div>")


@pytest.mark.parametrize("language", LANGUAGES)
def test_plain_messages_have_no_markup(language: str) -> None:
    """Keys used through .plain() end up in buttons, alerts and menus, which Telegram does
    not parse: tags or entities there would show literally."""
    translator = get_translator(language)
    plain_keys = {u.key for u in translator_calls() if u.plain} | {
        f"command.{name}" for name in COMMANDS
    }
    assert {"button.approve", "home.need_help", "error.stale", "command.start"} <= plain_keys
    marked = sorted(
        key for key in plain_keys if re.search(r"<[a-z/]|&(#?\w+);", translator.raw(key))
    )
    assert marked == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_command_descriptions_fit_telegram(language: str) -> None:
    translator = get_translator(language)
    for name in COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
        assert 1 <= len(translator.plain(f"command.{name}")) <= 256


@pytest.mark.parametrize("language", LANGUAGES)
def test_phone_examples_in_the_messages_are_accepted(language: str) -> None:
    """The numbers the bot gives as examples must pass its own check."""
    examples = []
    for key in ("ask.phone", "invalid.phone.invalid"):
        examples += re.findall(r"\+?\d[\d \-]{6,}\d", catalogue(language)[key].text)
    assert examples
    rejected = []
    for example in examples:
        try:
            normalize_phone(example)
        except errors.InvalidValue:
            rejected.append(example)
    assert rejected == []


def test_translator_escapes_values_and_falls_back() -> None:
    en = get_translator("en")
    assert en("resident.registered", community="<b>&") == (
        en.raw("resident.registered").replace("{community}", "&lt;b&gt;&amp;")
    )
    assert get_translator("fr").language == "zh_CN"
    assert get_translator(None).language == "zh_CN"
    with pytest.raises(MissingMessage):
        en("no.such.key")


def test_ngettext_picks_each_languages_form() -> None:
    """English: one form for 1, another for 0 and 2; Chinese: the one form for all."""
    en, zh = get_translator("en"), get_translator("zh_CN")
    one, other = en.forms("attendance.record")
    values = {"hours": "1.5", "late": 0, "no_shows": 0}
    assert en.ngettext("attendance.record", 1, services=1, **values) == one.format(
        services=1, **values
    )
    assert "1 service," in en.ngettext("attendance.record", 1, services=1, **values)
    for n in (0, 2, 11):
        assert en.ngettext("attendance.record", n, services=n, **values) == other.format(
            services=n, **values
        )
        assert f"{n} services," in en.ngettext("attendance.record", n, services=n, **values)
    [only] = zh.forms("attendance.record")
    for n in (1, 2):
        assert zh.ngettext("attendance.record", n, services=n, **values) == only.format(
            services=n, **values
        )
    assert en.ngettext("orders.card", 2, number="<b>", category="x", about="a", start="s", end="e",
                       taken=1, places=2).startswith("<b>&lt;b&gt;</b>")  # fmt: skip
    with pytest.raises(PluralMessage):
        en("attendance.record", services=2, hours="1", late=0, no_shows=0)
    with pytest.raises(PluralMessage):
        en.ngettext("home.help", 2)
    with pytest.raises(MissingMessage):
        en.ngettext("no.such.key", 2)


# ---- no user-facing text in code -----------------------------------------------------

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                doc = body[0]
                lines.update(range(doc.lineno, (doc.end_lineno or doc.lineno) + 1))
    return lines


@pytest.mark.parametrize(
    "path",
    source_files("handlers", "bot/services"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_chinese_string_literals(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    docstrings = _docstring_lines(ast.parse(source))
    found = [
        f"{path.name}:{tok.start[0]}: {tok.string[:40]}"
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.STRING and CJK.search(tok.string) and tok.start[0] not in docstrings
    ]
    assert found == []


SENDERS = {"send_message", "send", "say", "show", "edit_or_send", "edit_message_text",
           "reply_text", "answer", "retry"}  # fmt: skip
BUTTONS = {"InlineKeyboardButton", "KeyboardButton", "BotCommand"}


@pytest.mark.parametrize("path", source_files("handlers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_literal_text_is_sent(path: Path) -> None:
    """Heuristic: what is sent or put on a button comes from the catalogue, never a
    literal with words in it (symbols such as "◀" are fine)."""
    found = []
    for node in ast.walk(_parse(path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in SENDERS | BUTTONS:
            continue
        texts = [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        texts += [
            k.value for k in node.keywords
            if k.arg in ("text", "description") and isinstance(k.value, ast.Constant)
        ]  # fmt: skip
        for text in texts:
            value = str(getattr(text, "value", ""))
            if name == "retry" or (name == "BotCommand" and value in COMMANDS):
                continue  # retry takes a key; a command's name is not text
            if re.search(r"[^\W\d_]{2,}", value) and not KEY_RE.match(value):
                found.append(f"{path.name}:{node.lineno}: {name}({value!r})")
    assert found == []
