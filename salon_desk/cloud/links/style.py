"""The customer pages' stylesheet, inlined in every page: no external assets, system fonts only.

Mobile-first; logical properties (margin-inline, text-align: start) so one sheet serves RTL and LTR.
The font stack lists Arabic-capable system fonts first for Arabic pages.
"""

from __future__ import annotations

FONTS = {
    "ar": '"Noto Sans Arabic", "Noto Naskh Arabic", "Geeza Pro", Tahoma, "Segoe UI", system-ui, sans-serif',
    "en": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", Tahoma, sans-serif',
}

CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f6f3f1;color:#2b2624;font:16px/1.6 var(--font);}
header{background:#6d3b47;color:#fff;padding:14px 16px;display:flex;align-items:center;gap:12px}
header h1{font-size:1.15rem;margin:0;flex:1;font-weight:600}
header a{color:#fff;font-size:.9rem;text-decoration:underline;white-space:nowrap}
main{max-width:34rem;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:14px;padding:16px;margin-block-end:14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card h2{font-size:1.05rem;margin:0 0 10px}
.status{display:inline-block;padding:2px 12px;border-radius:999px;font-size:.9rem;font-weight:600;
  background:#eee;color:#333}
.status-requested{background:#fff4d6;color:#7a5600}
.status-confirmed{background:#dcf3e3;color:#17603a}
.status-cancelled,.status-no_show{background:#fbe1e1;color:#8a1f1f}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:6px 14px}
dt{color:#76706d}
dd{margin:0;font-weight:500}
.hijri{display:block;color:#76706d;font-weight:400;font-size:.92rem}
ul.items{list-style:none;margin:0;padding:0}
ul.items li{padding:10px 0;border-block-end:1px solid #eee;display:flex;justify-content:space-between;gap:8px}
ul.items li:last-child{border-block-end:0}
.muted{color:#76706d;font-size:.92rem}
.total{display:flex;justify-content:space-between;font-weight:600;padding-block-start:8px}
.notice{border-radius:12px;padding:12px 14px;margin-block-end:14px}
.notice-ok{background:#dcf3e3;color:#17603a}
.notice-error{background:#fbe1e1;color:#8a1f1f}
.notice-info{background:#e7eef9;color:#1f3f73}
form{margin:0}
label{display:block;font-weight:600;margin-block-end:6px}
input[type=text]{width:100%;font:inherit;font-size:1.4rem;letter-spacing:.3em;text-align:center;padding:10px;
  border:1px solid #cfc7c3;border-radius:10px;direction:ltr}
button{display:block;width:100%;font:inherit;font-weight:600;padding:12px;border-radius:10px;border:0;
  margin-block-start:10px;cursor:pointer;background:#6d3b47;color:#fff}
button.secondary{background:#fff;color:#8a1f1f;border:1px solid #d9a3a3}
a.button{display:block;text-align:center;font-weight:600;padding:12px;border-radius:10px;
  margin-block-start:10px;background:#1f6d4a;color:#fff;text-decoration:none}
button.link{background:none;color:#6d3b47;text-decoration:underline;font-weight:500}
footer{text-align:center;color:#9a9390;font-size:.8rem;padding:8px 16px 24px}
"""


def stylesheet(lang: str) -> str:
    return f":root{{--font:{FONTS.get(lang, FONTS['en'])}}}{CSS}"
