"""The human part of a referral: an HTML page and a PDF with the same facts.

The PDF is drawn with reportlab (pure Python), so no browser or system library is needed.
"""

from __future__ import annotations

import io
from datetime import datetime
from html import escape
from importlib import resources
from string import Template

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from vaktpost.report.referral import Agency, ReferralInput
from vaktpost.text.funnel import STEPS

TIMELINE_ROWS = 500  # the full conversation is in messages.jsonl


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _person_rows(data: ReferralInput) -> list[list[str]]:
    return [
        [p.esp_service or "", p.esp_identifier, p.screen_name or "", p.estimated_location or "",
         "; ".join(f"{e.ip_address} ({e.at.isoformat()})" for e in p.ip_events)]
        for p in data.case.persons
    ]


def _timeline_rows(data: ReferralInput) -> list[list[str]]:
    msgs = sorted(data.messages, key=lambda m: m.get("sent_at", ""))[:TIMELINE_ROWS]
    return [[m.get("sent_at", ""), m.get("conversation_id", ""), (m.get("sender") or {}).get("id", ""), m.get("text", "")]
            for m in msgs]


def _funnel_svg(counts: dict[str, int]) -> str:
    top = max([1, *counts.values()])
    bars = []
    for i, step in enumerate(STEPS):
        n = counts.get(step, 0)
        w = int(300 * n / top)
        y = i * 22
        bars.append(f'<text x="0" y="{y + 15}" font-size="12">{step}</text>'
                    f'<rect x="120" y="{y + 3}" width="{w}" height="16" fill="#4a6fa5"/>'
                    f'<text x="{125 + w}" y="{y + 15}" font-size="12">{n}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="{22 * len(STEPS)}">{"".join(bars)}</svg>'


def summary_html(data: ReferralInput, agency: Agency, created_at: datetime) -> str:
    case = data.case
    funnels = "".join(f"<h3>{escape(actor)}</h3>{_funnel_svg(c)}" for actor, c in sorted(data.funnels.items()))
    template = Template(resources.files(__package__).joinpath("referral_summary.html").read_text())
    return template.substitute(
        case_ref=escape(case.case_ref),
        agency=escape(f"{agency.name} [{agency.id}]"),
        created_at=escape(created_at.isoformat(timespec="seconds")),
        incident_type=escape(case.incident_type),
        annotations=escape(f" ({', '.join(case.annotations)})" if case.annotations else ""),
        incident_time=escape(case.incident_time.isoformat()),
        ncmec_ids=escape(", ".join(data.ncmec_report_ids) or "none yet"),
        persons=_table(["service", "account id", "screen name", "country", "IP addresses seen"], _person_rows(data)),
        funnel=funnels or "<p>No funnel figures.</p>",
        timeline=_table(["sent at", "conversation", "sender", "text"], _timeline_rows(data)),
        files=_table(["name", "SHA-256", "MD5", "viewed by reviewer"],
                     [[f.original_name, f.sha256, f.md5, "yes" if f.viewed_by_esp else "no"] for f in case.files]),
    )


def _funnel_drawing(counts: dict[str, int]) -> Drawing:
    d = Drawing(440, 170)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 110, 10, 300, 150
    chart.data = [[counts.get(s, 0) for s in reversed(STEPS)]]
    chart.categoryAxis.categoryNames = list(reversed(STEPS))
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#4a6fa5")
    d.add(chart)
    return d


def summary_pdf(data: ReferralInput, agency: Agency, created_at: datetime) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    case = data.case
    P = lambda text, style=styles["BodyText"]: Paragraph(escape(str(text)), style)
    story = [
        Paragraph(escape(f"Referral: case {case.case_ref}"), styles["Title"]),
        P(f"To: {agency.name} [{agency.id}]. Prepared {created_at.isoformat(timespec='seconds')} by vaktpost. "
          "Restricted: for law enforcement only."),
        Paragraph("What", styles["Heading2"]),
        P(f"Incident type: {case.incident_type}"
          + (f" ({', '.join(case.annotations)})" if case.annotations else "")
          + f". Incident time: {case.incident_time.isoformat()}. "
          f"NCMEC CyberTipline reports: {', '.join(data.ncmec_report_ids) or 'none yet'}."),
        Paragraph("Who: linked accounts", styles["Heading2"]),
        Table([[P(h, small) for h in ("service", "account id", "screen name", "country", "IP addresses seen")]]
              + [[P(c, small) for c in row] for row in _person_rows(data)], repeatRows=1),
        Paragraph("Funnel", styles["Heading2"]),
    ]
    for actor, counts in sorted(data.funnels.items()):
        story += [P(actor), _funnel_drawing(counts)]
    story += [Paragraph("Timeline", styles["Heading2"]),
              Table([[P(h, small) for h in ("sent at", "conversation", "sender", "text")]]
                    + [[P(c, small) for c in row] for row in _timeline_rows(data)],
                    colWidths=[95, 60, 60, 300], repeatRows=1),
              Spacer(1, 8),
              Paragraph("Files", styles["Heading2"])]
    story += [P(f"{f.original_name}: SHA-256 {f.sha256}, MD5 {f.md5}, viewed by reviewer: "
                f"{'yes' if f.viewed_by_esp else 'no'}", small) for f in case.files] or [P("None.")]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"Referral {case.case_ref}", author="vaktpost",
                            invariant=1)
    doc.build(story)
    return buf.getvalue()
