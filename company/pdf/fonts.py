"""The fonts every PDF embeds, registered with ReportLab as "Sans" and "Sans-Bold".

Embedded (never one of the viewer's own base-14 fonts), so a document prints the same
everywhere. The first of these that exists is used: the prepared copies `make assets` writes
(assets/pdf_fonts.py: Liberation Sans without its hinting, half the size and twice as fast),
Liberation Sans as installed (Debian's fonts-liberation, or Fedora's layout), and Bitstream Vera,
which ReportLab itself ships.
"""

from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

OUT = Path(__file__).resolve().parent / "prepared-fonts"

LIBERATION = ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf")

SOURCES = (  # where Liberation Sans (or, last, Vera) is found: folder, regular, bold
    (Path("/usr/share/fonts/truetype/liberation"), *LIBERATION),
    (Path("/usr/share/fonts/liberation-sans"), *LIBERATION),
    (Path(reportlab.__file__).parent / "fonts", "Vera.ttf", "VeraBd.ttf"),
)

CHOICES = ((OUT, "Sans-Regular.ttf", "Sans-Bold.ttf"), *SOURCES)

FONT = "Sans"

BOLD = "Sans-Bold"


def register() -> Path:
    """Registers the first font pair found; returns the regular face's file."""
    for folder, regular, bold in CHOICES:
        if (folder / regular).is_file() and (folder / bold).is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(folder / regular)))
            pdfmetrics.registerFont(TTFont(BOLD, str(folder / bold)))
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD
            )
            return folder / regular
    raise RuntimeError("no font for PDFs: install fonts-liberation")  # unreachable: Vera ships


def is_liberation() -> bool:
    """Whether PDFs are set in Liberation Sans (installed here), not the Vera fallback."""
    return any((folder / regular).is_file() for folder, regular, _ in SOURCES[:2])
