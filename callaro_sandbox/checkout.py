"""The sandbox's stand-in for a payment gateway: one HTML page per pending recharge.

The console opens `checkout_url` in the system browser, exactly as it would a real gateway,
then polls the recharge. The page needs no sign-in: the unguessable token in the URL is the
capability, as with a real hosted checkout. Pay/Fail are plain POST forms (no JavaScript,
no form fields) and answer with a 303 back to the page, so a browser refresh never pays twice.

Money model: the wallet holds GST-inclusive money, so a paid recharge credits its `total`
(credits + GST); the billing overview's usable credit then rises by exactly the credits bought.
"""

from __future__ import annotations

import html
import sqlite3
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from callaro_sandbox.db import Database
from callaro_sandbox.envelope import ApiFail, now_iso
from callaro_sandbox.gst import GST_RATE_BP, format_inr

router = APIRouter(tags=["sandbox checkout"], include_in_schema=False)

Outcome = Literal["paid", "failed"]
CHECKOUT_PATH = "/sandbox/checkout/{token}"


def checkout_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + CHECKOUT_PATH.format(token=token)


def _recharge_by_token(db: Database, token: str) -> sqlite3.Row | None:
    return db.one(
        "SELECT r.*, t.name AS tenant_name FROM billing_recharges r"
        " JOIN tenants t ON t.id = r.tenant_id WHERE r.token = ?",
        (token,),
    )


def settle(db: Database, token: str, outcome: Outcome) -> sqlite3.Row:
    """Move a pending recharge to `outcome`; crediting the wallet happens in the same commit.

    Repeating the same outcome is a no-op (double-clicks, refreshes). The opposite outcome on a
    settled recharge is a 409: a gateway never turns a paid order into a failed one.
    """
    with db.transaction():
        row = _recharge_by_token(db, token)
        if row is None:
            raise ApiFail(404, "RECHARGE_NOT_FOUND", "Checkout not found")
        status = str(row["status"])
        if status == outcome:
            return row
        if status != "pending":
            raise ApiFail(409, "CONFLICT", f"This recharge is already {status}")
        stamp = now_iso()
        if outcome == "paid":
            db.execute(
                "UPDATE billing_recharges SET status = 'paid', paid_at = ? WHERE id = ?",
                (stamp, row["id"]),
            )
            db.execute(
                "INSERT INTO billing_accounts (tenant_id, balance_minor) VALUES (?, ?)"
                " ON CONFLICT (tenant_id) DO UPDATE"
                " SET balance_minor = balance_minor + excluded.balance_minor",
                (row["tenant_id"], int(row["total_minor"])),
            )
        else:
            db.execute(
                "UPDATE billing_recharges SET status = 'failed', failed_at = ? WHERE id = ?",
                (stamp, row["id"]),
            )
        fresh = _recharge_by_token(db, token)
        assert fresh is not None
        return fresh


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f4f5f7;margin:0}
main{max-width:420px;margin:48px auto;background:#fff;border-radius:12px;padding:28px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 4px}p.sub{color:#666;margin:0 0 20px}
table{width:100%;border-collapse:collapse;margin-bottom:20px}
td{padding:6px 0}td.amt{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{border-top:1px solid #ddd;font-weight:600;padding-top:10px}
form{display:inline}button{font-size:15px;padding:10px 18px;border-radius:8px;border:0;
cursor:pointer;margin-right:8px}button.pay{background:#1a7f37;color:#fff}
button.fail{background:#eee;color:#a40e26}
.status{padding:12px;border-radius:8px;margin-bottom:16px}
.paid{background:#e6f4ea;color:#1a7f37}.failed{background:#fdecea;color:#a40e26}
.note{color:#888;font-size:12px;margin-top:20px}
"""


def render_page(row: sqlite3.Row, *, error: str | None = None) -> str:
    """The checkout page for one recharge (every value escaped: tenant names are user data)."""
    token = html.escape(str(row["token"]), quote=True)
    status = str(row["status"])
    rate = f"{GST_RATE_BP / 100:g}%"
    rows = [
        ("Credits", format_inr(int(row["credits_minor"]))),
        (f"GST @ {rate}", format_inr(int(row["gst_minor"]))),
    ]
    lines = "".join(
        f"<tr><td>{html.escape(label)}</td><td class='amt'>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    total = html.escape(format_inr(int(row["total_minor"])))
    if status == "pending":
        action = (
            f"<form method='post' action='/sandbox/checkout/{token}/pay'>"
            f"<button class='pay' type='submit'>Pay {total}</button></form>"
            f"<form method='post' action='/sandbox/checkout/{token}/fail'>"
            "<button class='fail' type='submit'>Fail payment</button></form>"
        )
    else:
        word = "Payment received" if status == "paid" else "Payment failed"
        action = (
            f"<div class='status {html.escape(status)}'>{word}. "
            "You can close this window and return to Callaro Desktop.</div>"
        )
    problem = f"<div class='status failed'>{html.escape(error)}</div>" if error else ""
    tenant = html.escape(str(row["tenant_name"]))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Callaro checkout #{int(row['id'])}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>Recharge {tenant}</h1>"
        f"<p class='sub'>Sandbox checkout &middot; recharge #{int(row['id'])}</p>"
        f"{problem}<table>{lines}<tr class='total'><td>Total</td>"
        f"<td class='amt'>{total}</td></tr></table>{action}"
        "<p class='note'>This is the Callaro sandbox: no real money moves.</p>"
        "</main></body></html>"
    )


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


_NOT_FOUND = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Not found</title>"
    "</head><body><p>This checkout link is not valid.</p></body></html>"
)


@router.get("/sandbox/checkout/{token}", response_class=HTMLResponse)
async def checkout_page(token: str, request: Request) -> HTMLResponse:
    row = _recharge_by_token(_db(request), token)
    if row is None:
        return HTMLResponse(_NOT_FOUND, status_code=404)
    return HTMLResponse(render_page(row), headers={"Cache-Control": "no-store"})


async def _finish(token: str, request: Request, outcome: Outcome) -> Response:
    db = _db(request)
    try:
        settle(db, token, outcome)
    except ApiFail as exc:
        row = _recharge_by_token(db, token)
        if row is None:
            return HTMLResponse(_NOT_FOUND, status_code=404)
        return HTMLResponse(render_page(row, error=exc.message), status_code=exc.status)
    # Post/Redirect/Get: reloading the result page never re-submits the payment.
    return RedirectResponse(CHECKOUT_PATH.format(token=token), status_code=303)


@router.post("/sandbox/checkout/{token}/pay", response_class=HTMLResponse)
async def checkout_pay(token: str, request: Request) -> Response:
    return await _finish(token, request, "paid")


@router.post("/sandbox/checkout/{token}/fail", response_class=HTMLResponse)
async def checkout_fail(token: str, request: Request) -> Response:
    return await _finish(token, request, "failed")
