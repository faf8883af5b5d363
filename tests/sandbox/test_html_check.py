"""Telegram-HTML parsing: what Telegram accepts, the entities it makes, and its refusals."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.formatting import parse_formatted
from telegram_html import HtmlError, parse_html, utf16_len


def test_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">l</a>'
    )
    assert text == "😀 bold both l"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},  # the emoji is two UTF-16 units
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 13, "length": 1, "url": "https://x.org/?a=1&b=2"},
    ]


def test_escaped_markup_is_plain_text() -> None:
    assert parse_html("&lt;b&gt;&amp;&quot; &#65;&#x42;") == ('<b>&" AB', [])


@pytest.mark.parametrize(
    ("source", "entity"),
    [
        ("<strong>x</strong>", {"type": "bold"}),
        ("<em>x</em>", {"type": "italic"}),
        ("<ins>x</ins>", {"type": "underline"}),
        ("<del>x</del>", {"type": "strikethrough"}),
        ("<strike>x</strike>", {"type": "strikethrough"}),
        ("<tg-spoiler>x</tg-spoiler>", {"type": "spoiler"}),
        ('<span class="tg-spoiler">x</span>', {"type": "spoiler"}),
        (
            '<tg-emoji emoji-id="5368324170671202286">x</tg-emoji>',
            {"type": "custom_emoji", "custom_emoji_id": "5368324170671202286"},
        ),
        ("<code>x</code>", {"type": "code"}),
        (
            '<pre><code class="language-python">x</code></pre>',
            {"type": "pre", "language": "python"},
        ),
        ("<pre>x</pre>", {"type": "pre"}),
        ("<blockquote>x</blockquote>", {"type": "blockquote"}),
        ("<blockquote expandable>x</blockquote>", {"type": "expandable_blockquote"}),
        ("<B>x</B>", {"type": "bold"}),
    ],
)
def test_every_allowed_tag(source: str, entity: dict[str, str]) -> None:
    text, entities = parse_html(source)
    assert text == "x"
    assert entities == [{"offset": 0, "length": 1, **entity}]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("王 <p>x</p>", 'Unsupported start tag "p" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a & b", "Character entity expected at byte offset 2"),
        ("&nbsp;", "Character entity expected at byte offset 0"),
        ("a > b", 'Unexpected character ">" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a"'),
    ],
)
def test_refusals_name_the_reason(source: str, reason: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(reason)


def test_parse_formatted_wraps_the_refusal_as_telegram_does() -> None:
    with pytest.raises(Exception) as caught:
        parse_formatted("<b>x", "HTML", None)
    assert str(caught.value) == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )


def test_surrounding_whitespace_is_trimmed_and_entities_follow() -> None:
    text, entities = parse_formatted("\n  <b>x</b> y \n", "HTML", None)
    assert text == "x y"
    assert entities == [{"type": "bold", "offset": 0, "length": 1}]


def test_markdown_only_when_trivial_and_unknown_modes_refused() -> None:
    assert parse_formatted("plain words", "MarkdownV2", None) == ("plain words", [])
    with pytest.raises(Exception, match="not supported by the sandbox"):
        parse_formatted("*bold*", "MarkdownV2", None)
    with pytest.raises(Exception, match="unsupported parse_mode"):
        parse_formatted("x", "BBCode", None)


@given(st.text(min_size=1, max_size=200))
def test_escaped_text_always_parses_back_to_itself(raw: str) -> None:
    text, entities = parse_html(html.escape(raw, quote=False))
    assert text == raw
    assert entities == []


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=["Cs"]),
        min_size=1,
        max_size=50,
    )
)
def test_bold_entity_covers_exactly_the_text(inner: str) -> None:
    text, entities = parse_html(f"a<b>{inner}</b>")
    assert text == f"a{inner}"
    assert entities == [{"type": "bold", "offset": 1, "length": utf16_len(inner)}]
