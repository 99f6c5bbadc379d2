"""Knowledge articles' Markdown, made into what each reader needs: safe HTML for the staff page's preview, and
plain text with a list of links for the assistant's JSON replies.

Raw HTML in an article is shown as text, never passed through (markdown-it's `html` option is off), and
markdown-it refuses `javascript:` and similar links, so an article cannot put script on a page.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from townhall.assistant.replies import Link
from townhall.config import Settings

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
PLACEHOLDERS = ("council_name", "council_short_name", "council_phone", "council_email")


def fill_in(text: str, settings: Settings) -> str:
    """`{council_name}` and the other placeholders replaced by this council's settings."""
    for name in PLACEHOLDERS:
        value: str = getattr(settings, name)
        text = text.replace("{" + name + "}", value)
    return text


def safe_html(markdown: str, settings: Settings) -> str:
    return str(_markdown.render(fill_in(markdown, settings)))


def plain_text(markdown: str, settings: Settings) -> tuple[str, list[Link]]:
    """The article as plain text (paragraphs apart, list items on lines of their own), and its links in order."""
    blocks: list[tuple[str, bool]] = []  # (text, inside a list)
    links: list[Link] = []
    list_depth, prefix = 0, ""
    numbers: list[int | None] = []
    for token in _markdown.parse(fill_in(markdown, settings)):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
            numbers.append(0 if token.type == "ordered_list_open" else None)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            numbers.pop()
        elif token.type == "list_item_open":
            number = numbers[-1]
            if number is None:
                prefix = "- "
            else:
                numbers[-1] = number + 1
                prefix = f"{number + 1}. "
        elif token.type == "inline":
            blocks.append((prefix + _inline_text(token.children or [], links), list_depth > 0))
            prefix = ""
        elif token.type in ("code_block", "fence"):
            blocks.append((token.content.rstrip(), list_depth > 0))
    return _join(blocks), links


def _inline_text(children: list[Token], links: list[Link]) -> str:
    words: list[str] = []
    label_start: int | None = None
    href = ""
    for child in children:
        if child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type == "softbreak":
            words.append(" ")
        elif child.type == "hardbreak":
            words.append("\n")
        elif child.type == "link_open":
            label_start, href = len(words), str(child.attrGet("href") or "")
        elif child.type == "link_close" and label_start is not None:
            links.append({"label": "".join(words[label_start:]).strip() or href, "url": href})
            label_start = None
    return "".join(words).strip()


def _join(blocks: list[tuple[str, bool]]) -> str:
    text = ""
    for index, (block, in_list) in enumerate(blocks):
        if index:
            text += "\n" if in_list and blocks[index - 1][1] else "\n\n"
        text += block
    return text
