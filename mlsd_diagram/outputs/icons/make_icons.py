"""Regenerate the project's own icons: ``python -m mlsd_diagram.outputs.icons.make_icons [NAME ...]``.

Each icon is an original SVG drawn here (a rounded tile in its stage's colour
with a white glyph), written to ``svg/<kind>.svg`` and rasterised to a 128 px
``mlsd/<kind>.png`` with headless Chromium, because Graphviz draws PNG and PDF
with raster icons only. The committed PNGs are what rendering uses; this
script is only needed to change an icon. Never imported by the library.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGE_COLOURS = {
    "data": "#2E7D32",
    "features": "#6A1B9A",
    "training": "#E65100",
    "serving": "#1565C0",
    "monitoring": "#C62828",
    "custom": "#455A64",
}
W = 'stroke="#fff" stroke-width="6" fill="none" stroke-linecap="round" stroke-linejoin="round"'
F = 'fill="#fff"'


def _nn(x0=30, x1=64, x2=98):
    layers = [(x0, [40, 64, 88]), (x1, [34, 54, 74, 94]), (x2, [52, 76])]
    lines = "".join(
        f'<line x1="{a}" y1="{ya}" x2="{b}" y2="{yb}" stroke="#fff" stroke-width="2.5"/>'
        for (a, ys), (b, yts) in zip(layers, layers[1:])
        for ya in ys
        for yb in yts
    )
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="7" {F}/>' for x, ys in layers for y in ys)
    return lines + dots


GLYPHS: dict[str, tuple[str, str]] = {
    "event_stream": (
        "data",
        f'<rect x="22" y="44" width="18" height="40" rx="3" {F}/>'
        f'<rect x="46" y="44" width="18" height="40" rx="3" {F}/>'
        f'<rect x="70" y="44" width="18" height="40" rx="3" {F} opacity=".6"/>'
        f'<path d="M92 64 h14 m-8 -8 l8 8 l-8 8" {W}/>',
    ),
    "data_validation": (
        "data",
        f'<rect x="22" y="24" width="60" height="70" rx="4" {W}/>'
        f'<path d="M22 46 h60 M22 70 h60 M52 24 v70" stroke="#fff" stroke-width="4"/>'
        f'<circle cx="90" cy="88" r="20" fill="#fff"/>'
        f'<path d="M80 88 l7 7 l13 -14" stroke="#2E7D32" stroke-width="6" fill="none" '
        f'stroke-linecap="round" stroke-linejoin="round"/>',
    ),
    "pii_redactor": (
        "data",
        f'<circle cx="64" cy="46" r="20" {F}/>'
        f'<path d="M28 104 q36 -50 72 0 z" {F}/>'
        f'<rect x="30" y="38" width="68" height="14" rx="3" fill="#111"/>',
    ),
    "batch_feature_pipeline": (
        "features",
        f'<rect x="18" y="30" width="34" height="20" rx="3" {F}/>'
        f'<rect x="18" y="54" width="34" height="20" rx="3" {F}/>'
        f'<rect x="18" y="78" width="34" height="20" rx="3" {F}/>'
        f'<path d="M58 64 h14 m-7 -7 l7 7 l-7 7" {W}/>'
        f'<rect x="82" y="26" width="26" height="76" rx="4" {W}/>'
        f'<path d="M88 44 h14 M88 64 h14 M88 84 h14" {W}/>',
    ),
    "stream_feature_pipeline": (
        "features",
        '<path d="M16 64 q8 -22 16 0 t16 0 t16 0" ' + W + "/>"
        f'<path d="M66 64 h8 m-7 -7 l7 7 l-7 7" {W}/>'
        f'<rect x="82" y="26" width="26" height="76" rx="4" {W}/>'
        f'<path d="M88 44 h14 M88 64 h14 M88 84 h14" {W}/>',
    ),
    "feature_store": (
        "features",
        f'<ellipse cx="64" cy="30" rx="38" ry="12" {W}/>'
        f'<path d="M26 30 v66 a38 12 0 0 0 76 0 v-66" {W}/>'
        f'<path d="M42 52 v38 M64 54 v40 M86 52 v38" stroke="#fff" stroke-width="5" '
        f'stroke-dasharray="6 5"/>',
    ),
    "training_pipeline": ("training", _nn() + f'<path d="M20 112 h88" {W}/>'),
    "experiment_tracker": (
        "training",
        f'<path d="M22 22 v84 h86" {W}/>'
        f'<path d="M30 92 l20 -22 l18 10 l30 -42" {W}/>'
        f'<circle cx="50" cy="70" r="6" {F}/><circle cx="68" cy="80" r="6" {F}/>'
        f'<circle cx="98" cy="38" r="6" {F}/>',
    ),
    "offline_evaluation": (
        "training",
        f'<rect x="28" y="22" width="72" height="88" rx="6" {W}/>'
        f'<path d="M40 48 l7 7 l12 -14 M40 80 l7 7 l12 -14" {W}/>'
        f'<path d="M68 50 h20 M68 82 h20" {W}/>',
    ),
    "model_registry": (
        "training",
        f'<rect x="22" y="70" width="84" height="20" rx="4" {F} opacity=".55"/>'
        f'<rect x="22" y="46" width="84" height="20" rx="4" {F} opacity=".8"/>'
        f'<rect x="22" y="22" width="84" height="20" rx="4" {F}/>'
        f'<path d="M30 102 h68" {W}/>'
        '<text x="64" y="38" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
        'font-weight="bold" font-size="15" fill="#E65100">v3</text>',
    ),
    "index_builder": (
        "training",
        "".join(
            f'<circle cx="{x}" cy="{y}" r="6" {F}/>'
            for x, y in [(28, 40), (46, 28), (40, 62), (62, 48), (30, 88), (58, 80)]
        )
        + '<path d="M28 40 L46 28 L62 48 L40 62 Z M40 62 L30 88 L58 80 Z" stroke="#fff" '
        'stroke-width="2.5" fill="none"/>'
        f'<path d="M82 100 l24 -24 M92 70 a12 12 0 1 0 18 18" {W}/>',
    ),
    "batch_scoring": (
        "training",
        f'<rect x="20" y="24" width="88" height="80" rx="5" {W}/>'
        f'<path d="M20 50 h88 M20 77 h88" stroke="#fff" stroke-width="4"/>'
        f'<rect x="58" y="32" width="42" height="10" {F}/><rect x="58" y="58" width="26" '
        f'height="10" {F}/><rect x="58" y="85" width="34" height="10" {F}/>'
        f'<path d="M30 37 h16 M30 63 h16 M30 90 h16" {W}/>',
    ),
    "inference_service": ("serving", f'<rect x="16" y="18" width="96" height="92" rx="8" {W}/>' + _nn(36, 64, 92)),
    "embedding_service": (
        "serving",
        f'<rect x="16" y="40" width="40" height="48" rx="6" {W}/>'
        f'<path d="M60 64 h12 m-7 -7 l7 7 l-7 7" {W}/>'
        '<path d="M84 24 h-6 v80 h6 M104 24 h6 v80 h-6" ' + W + "/>"
        f'<circle cx="94" cy="42" r="5" {F}/><circle cx="94" cy="64" r="5" {F}/>'
        f'<circle cx="94" cy="86" r="5" {F}/>',
    ),
    "candidate_generation": (
        "serving",
        f'<path d="M18 26 h92 l-34 40 v34 l-24 12 v-46 z" {W}/>'
        f'<circle cx="40" cy="38" r="5" {F}/><circle cx="64" cy="38" r="5" {F}/>'
        f'<circle cx="88" cy="38" r="5" {F}/>',
    ),
    "ann_index": (
        "serving",
        "".join(
            f'<circle cx="{x}" cy="{y}" r="5" {F}/>'
            for x, y in [(24, 30), (100, 26), (30, 100), (104, 98), (90, 60), (20, 66), (60, 108)]
        )
        + '<circle cx="60" cy="62" r="26" stroke="#fff" stroke-width="4" fill="none" stroke-dasharray="7 5"/>'
        + f'<circle cx="60" cy="62" r="8" fill="#FFD54F"/><circle cx="74" cy="52" r="5" {F}/>'
        + f'<circle cx="50" cy="76" r="5" {F}/>',
    ),
    "ranking_service": (
        "serving",
        f'<rect x="40" y="22" width="68" height="18" rx="4" {F}/>'
        f'<rect x="40" y="54" width="50" height="18" rx="4" {F}/>'
        f'<rect x="40" y="86" width="32" height="18" rx="4" {F}/>'
        '<g font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="20" '
        'fill="#fff"><text x="20" y="39">1</text><text x="20" y="71">2</text>'
        '<text x="20" y="103">3</text></g>',
    ),
    "reranking_service": (
        "serving",
        f'<rect x="16" y="24" width="56" height="16" rx="4" {F}/>'
        f'<rect x="16" y="56" width="56" height="16" rx="4" {F}/>'
        f'<rect x="16" y="88" width="56" height="16" rx="4" {F}/>'
        f'<path d="M88 96 v-60 m-10 10 l10 -10 l10 10" {W}/>'
        f'<path d="M108 36 v60 m-10 -10 l10 10 l10 -10" {W}/>',
    ),
    "fallback_ranker": (
        "serving",
        '<circle cx="64" cy="64" r="40" stroke="#fff" stroke-width="18" fill="none"/>'
        '<circle cx="64" cy="64" r="40" stroke="#EF5350" stroke-width="18" fill="none" '
        'stroke-dasharray="21.4 41.4" stroke-dashoffset="10"/>',
    ),
    "predictions_store": (
        "serving",
        f'<rect x="18" y="24" width="92" height="80" rx="5" {W}/>'
        f'<path d="M18 50 h92 M18 77 h92 M52 24 v80" stroke="#fff" stroke-width="4"/>'
        '<g font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="14" '
        'fill="#fff"><text x="60" y="43">0.91</text><text x="60" y="69">0.47</text>'
        '<text x="60" y="96">0.12</text></g>',
    ),
    "experimentation": (
        "serving",
        '<path d="M64 18 v92" stroke="#fff" stroke-width="4" stroke-dasharray="8 6"/>'
        '<g font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="46" '
        'fill="#fff" text-anchor="middle"><text x="36" y="80">A</text>'
        '<text x="92" y="80">B</text></g>',
    ),
    "drift_detector": (
        "monitoring",
        '<path d="M14 100 C34 100 34 40 48 40 C62 40 62 100 82 100" ' + W + "/>"
        '<path d="M46 100 C66 100 66 40 80 40 C94 40 94 100 114 100" stroke="#FFCDD2" '
        'stroke-width="6" fill="none" stroke-dasharray="8 6" stroke-linecap="round"/>'
        f'<path d="M52 24 h26 m-8 -8 l8 8 l-8 8" {W}/>',
    ),
    "online_metrics": (
        "monitoring",
        f'<rect x="22" y="70" width="16" height="34" {F}/>'
        f'<rect x="46" y="54" width="16" height="50" {F}/>'
        f'<rect x="70" y="40" width="16" height="64" {F}/>'
        f'<rect x="94" y="26" width="16" height="78" {F}/>'
        f'<path d="M22 52 l30 -22 l20 10 l28 -22" {W}/>',
    ),
    "monitoring": (
        "monitoring",
        f'<rect x="16" y="22" width="96" height="66" rx="6" {W}/>'
        f'<path d="M28 58 h16 l8 -18 l12 34 l10 -24 l6 8 h22" {W}/>'
        f'<path d="M64 88 v14 M42 106 h44" {W}/>',
    ),
    "alerting": (
        "monitoring",
        f'<path d="M64 18 c-22 0 -32 18 -32 38 v20 l-12 16 h88 l-12 -16 v-20 c0 -20 -10 -38 -32 '
        f'-38 z" {F}/><circle cx="64" cy="104" r="10" {F}/>',
    ),
    # Caches: a store with a bolt (answers from memory, fast).
    "cache": (
        "serving",
        f'<ellipse cx="50" cy="32" rx="30" ry="10" {W}/>'
        f'<path d="M20 32 v58 c0 14 60 14 60 0 v-58" {W}/>'
        f'<path d="M20 61 c0 14 60 14 60 0" {W}/>'
        '<path d="M100 22 l-18 40 h15 l-11 42 l30 -52 h-16 l12 -30 z" fill="#FFD54F"/>',
    ),
    # Online services by what they do in the request (see icons.service_role).
    "service_fan_out": (
        "serving",
        f'<circle cx="28" cy="64" r="13" {F}/>'
        f'<path d="M41 60 L86 30 M42 64 H86 M41 68 L86 98" {W}/>'
        f'<circle cx="98" cy="28" r="11" {F}/><circle cx="98" cy="64" r="11" {F}/>'
        f'<circle cx="98" cy="100" r="11" {F}/>',
    ),
    "service_lookup": (
        "serving",
        f'<rect x="16" y="20" width="66" height="88" rx="6" {W}/>'
        '<path d="M30 42 h38 M30 62 h38 M30 82 h24" stroke="#fff" stroke-width="5" stroke-linecap="round"/>'
        '<circle cx="88" cy="80" r="17" stroke="#fff" stroke-width="6" fill="#1565C0"/>'
        f'<path d="M100 93 l12 12" {W}/>',
    ),
    "service_writer": (
        "serving",
        f'<rect x="14" y="34" width="44" height="60" rx="6" {W}/>'
        f'<path d="M26 52 h20 M26 66 h20 M26 80 h12" {W}/>'
        f'<path d="M62 64 h18 m-8 -8 l8 8 l-8 8" {W}/>'
        f'<rect x="86" y="38" width="11" height="52" rx="2" {F}/>'
        f'<rect x="101" y="38" width="11" height="52" rx="2" {F} opacity=".6"/>',
    ),
    "custom": (
        "custom",
        f'<path d="M64 20 l38 22 v44 l-38 22 l-38 -22 v-44 z" {W}/>'
        '<text x="64" y="78" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
        'font-weight="bold" font-size="34" fill="#fff">x-</text>',
    ),
}


def icon_svg(kind: str) -> str:
    """The SVG text of the project's icon for ``kind``."""
    stage, glyph = GLYPHS[kind]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
        f'<rect x="2" y="2" width="124" height="124" rx="24" fill="{STAGE_COLOURS[stage]}"/>{glyph}</svg>\n'
    )


def main(only: list[str] | None = None) -> None:
    """Write every SVG source (or those named in ``only``) and rasterise it to PNG with headless Chromium."""
    from playwright.sync_api import sync_playwright

    (HERE / "svg").mkdir(exist_ok=True)
    (HERE / "mlsd").mkdir(exist_ok=True)
    kinds = [k for k in GLYPHS if not only or k in only]
    for kind in kinds:
        (HERE / "svg" / f"{kind}.svg").write_text(icon_svg(kind), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 128, "height": 128})
        for kind in kinds:
            page.set_content(f'<html><body style="margin:0;background:transparent">{icon_svg(kind)}</body></html>')
            page.locator("svg").screenshot(path=str(HERE / "mlsd" / f"{kind}.png"), omit_background=True)
        browser.close()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:] or None)
