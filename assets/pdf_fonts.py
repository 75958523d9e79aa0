"""Prepares the fonts the PDFs embed: company/pdf/prepared-fonts/Sans-Regular.ttf and Sans-Bold.ttf.

Liberation Sans (Debian's fonts-liberation: the widths of Helvetica and Arial) with its
TrueType hinting removed, which halves every PDF and doubles the rendering rate (hints are for
low-resolution screens; viewers and printers scale outlines). Falls back to Bitstream Vera, which
ReportLab ships, where Liberation Sans is not installed. Run by `make assets`; the output is
git-ignored and the same input always gives the same bytes.
"""

import logging
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from company.pdf.fonts import OUT, SOURCES  # noqa: E402


def prepare(source: Path, target: Path) -> None:
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]  # keep the licence and the names
    options.name_languages = ["*"]
    options.legacy_kern = True
    options.notdef_outline = True
    options.layout_features = ["*"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    font.save(target)


def main() -> None:
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM dropped"
    OUT.mkdir(parents=True, exist_ok=True)
    for folder, regular, bold in SOURCES:
        if (folder / regular).is_file() and (folder / bold).is_file():
            prepare(folder / regular, OUT / "Sans-Regular.ttf")
            prepare(folder / bold, OUT / "Sans-Bold.ttf")
            print(f"prepared PDF fonts in {OUT.relative_to(ROOT)} from {folder / regular}")
            return
    sys.exit("no font for PDFs: install fonts-liberation")


if __name__ == "__main__":
    main()
