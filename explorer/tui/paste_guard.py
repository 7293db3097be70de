"""An escape character inside a bracketed paste made harmless before Textual's parser reads it.

Textual (8.2.8) reads an escape inside a paste as the start of an escape sequence and hands that
sequence on as key presses, outside the paste: text copied with its colours (``ESC[31m``), a title
sequence or any control character after an escape became keys, so a BEL ran ``ctrl+g`` (Flask moved
to gunicorn) and DEL a backspace, in whatever had the keyboard. Here each escape between the paste's
start (``ESC[200~``) and its end (``ESC[201~``) is replaced by ``␛`` (U+241B, the symbol for escape):
the paste arrives whole, as text, where it was pasted, and the field that receives it says what it
refuses. Outside a paste nothing is changed or held back (an Escape key must arrive at once).
"""

from __future__ import annotations

__all__ = ["PasteGuard"]

ESC = "\x1b"
START, END = f"{ESC}[200~", f"{ESC}[201~"
SHOWN = "\u241b"


class PasteGuard:
    """Fed the terminal's text chunk by chunk (a chunk may end inside either marker); returns it with each
    escape inside a paste replaced. Inside a paste, a chunk's last characters that may begin the end marker
    are held until the next chunk says whether they do."""

    def __init__(self) -> None:
        self._pasting = False
        self._seen = ""  # outside a paste: the last characters handed on, a start marker's first part perhaps
        self._held = ""  # inside a paste: the chunk's end, which may be the end marker's first part

    def feed(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        if self._pasting:
            text, self._held = self._held + text, ""
        while pos < len(text):
            if not self._pasting:
                scan = self._seen + text[pos:]
                found = scan.find(START)
                if found < 0:
                    out.append(text[pos:])
                    self._seen = scan[-(len(START) - 1) :]
                    break
                end = pos + found + len(START) - len(self._seen)
                out.append(text[pos:end])
                pos, self._pasting, self._seen = end, True, ""
            else:
                found = text.find(END, pos)
                if found < 0:
                    body = text[pos:]
                    last = body.rfind(ESC)
                    if last >= 0 and END.startswith(body[last:]):
                        body, self._held = body[:last], body[last:]
                    out.append(body.replace(ESC, SHOWN))
                    break
                out.append(text[pos:found].replace(ESC, SHOWN) + END)
                pos, self._pasting = found + len(END), False
        return "".join(out)
