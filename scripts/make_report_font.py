#!/usr/bin/env python3
"""Regenerate assets/report/cjk-subset.woff2, the font the report page embeds.

The page (src/commands/report/page.rs) embeds a subset of Noto Sans CJK SC
Regular (SIL Open Font License 1.1, licence in assets/report/OFL.txt) holding
every character of the catalog (data/*.csv), of the scenarios' Chinese names
and descriptions (scenarios/*.toml), of the report's own text
(src/commands/report/*.rs, src/commands/words*, and src/tables/attainment.rs
for the likelihood terms) and printable
ASCII (less Greek, arrows and mathematical operators), so that Chinese renders on a machine without CJK fonts. Characters
outside the subset fall back to the reader's fonts (the page names Noto Sans
CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC).

Run after adding Chinese text to the catalog or the page:

    apt-get install -y fonts-noto-cjk python3-fonttools python3-brotli
    python3 scripts/make_report_font.py

Same inputs, same bytes (fontTools subsetting and Brotli are deterministic).
"""

import glob
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"
OUT = os.path.join(ROOT, "assets", "report", "cjk-subset.woff2")


def characters():
    text = "".join(chr(c) for c in range(0x20, 0x7F))
    files = sorted(
        glob.glob(os.path.join(ROOT, "data", "*.csv"))
        + glob.glob(os.path.join(ROOT, "scenarios", "*.toml"))
        + glob.glob(os.path.join(ROOT, "src", "commands", "report", "*.rs"))
        + glob.glob(os.path.join(ROOT, "src", "commands", "words", "*.rs"))
        + [
            os.path.join(ROOT, "src", "commands", "words.rs"),
            os.path.join(ROOT, "src", "tables", "attainment.rs"),
        ]
    )
    for path in files:
        with open(path, encoding="utf-8-sig") as f:
            text += f.read()
    # Greek, arrows and mathematical operators (Σ → ≥) are left to the
    # reader's Latin fonts: the CJK font draws them full-width.
    def wanted(c):
        return c.isprintable() and not (0x370 <= ord(c) <= 0x3FF or 0x2190 <= ord(c) <= 0x22FF)

    return sorted({c for c in text if wanted(c)})


def main():
    if not os.path.exists(SOURCE):
        sys.exit(f"{SOURCE} not found: apt-get install -y fonts-noto-cjk")
    fonts = TTCollection(SOURCE).fonts
    font = next(f for f in fonts if f["name"].getDebugName(1) == FAMILY)
    chars = characters()
    options = subset.Options()
    options.flavor = "woff2"
    options.name_IDs = ["*"]  # keep the copyright and licence fields
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    font.flavor = "woff2"
    font.recalcTimestamp = False  # keep the source's date: same inputs, same bytes
    font.save(OUT)
    cjk = sum(1 for c in chars if ord(c) >= 0x2E80)
    print(f"{OUT}: {len(chars)} characters ({cjk} CJK), {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
