// Sales of the current till session: open one, reprint, void (reason; a cashier
// needs a manager's PIN), partial return (pick lines and quantities).
import {api, errorText, get} from "./api.js";
import {config, milli, qtyText, t} from "./i18n.js";
import {printReceipt} from "./payment.js";
import {button, el, modal, toast} from "./ui.js";

function badges(s) {
  return [s.voided ? el("strong", {class: "error", text: t("voided")}) : null,
          s.returned ? el("em", {text: t("returned")}) : null];
}

export async function salesList() {
  const r = await get("/pos/api/sales?cash_session=current");
  if (!r.ok) { toast(errorText(r), "err"); return; }
  const choice = await modal(t("salesTitle"), (dialog, close) => {
    const rows = r.data.results.map((s) => el("li", {dataset: {id: s.id}},
      el("span", {}, el("strong", {text: s.number}), " · ",
         new Date(s.created_at).toLocaleTimeString("es-EC", {hour: "2-digit", minute: "2-digit"}),
         " · ", (typeof s.customer === "string" ? s.customer : s.customer?.name) || t("finalConsumer"), " ", ...badges(s)),
      el("b", {text: s.total}),
      button(t("reprint"), () => printReceipt(s.receipt_html_url || `/pos/sales/${s.id}/receipt`)),
      button("›", () => close(s), {"aria-label": s.number, class: "open-sale"})));
    dialog.append(rows.length ? el("ul", {class: "list", id: "sales-list"}, rows)
                              : el("p", {class: "muted", text: t("noSales")}),
                  el("div", {class: "dlg-actions"}, button(t("close"), () => close(null))));
  }, {id: "sales-dialog"});
  if (choice) await saleDetail(choice.id);
}

function pinField() {
  if (config.canVoid) return {nodes: [], value: () => ""};
  const input = el("input", {id: "supervisor-pin", type: "password", inputmode: "numeric", autocomplete: "off"});
  return {nodes: [el("label", {for: "supervisor-pin", text: t("pinLabel")}), input], value: () => input.value.trim()};
}

async function saleDetail(id) {
  const r = await get(`/pos/api/sales/${id}`);
  if (!r.ok) { toast(errorText(r), "err"); return; }
  const sale = r.data;
  const action = await modal(sale.number, (dialog, close) => {
    dialog.append(el("p", {}, sale.customer?.name || t("finalConsumer"), " ", ...badges(sale)),
      el("table", {class: "report"}, sale.lines.map((l) => el("tr", {},
        el("td", {text: `${l.quantity} × ${l.name}`}), el("td", {text: l.total ?? l.base})))),
      el("p", {class: "big", text: `${t("total")} ${sale.total}`}),
      el("div", {class: "dlg-actions"},
        button(t("reprint"), () => printReceipt(sale.receipt_html_url)),
        sale.voided ? null : button(t("return"), () => close("return"), {id: "sale-return"}),
        sale.voided ? null : button(t("void"), () => close("void"), {class: "danger", id: "sale-void"}),
        button(t("close"), () => close(null))));
  }, {id: "sale-dialog"});
  if (action === "void") await voidDialog(sale);
  if (action === "return") await returnDialog(sale);
}

function voidDialog(sale) {
  return modal(`${t("void")} ${sale.number}`, (dialog, close) => {
    const reason = el("input", {id: "void-reason", maxlength: 300, autofocus: true});
    const pin = pinField();
    const error = el("p", {class: "error"});
    dialog.append(el("form", {onsubmit: async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { error.textContent = t("reasonRequired"); return; }
      const r = await api(`/pos/api/sales/${sale.id}/void`, {reason: reason.value.trim(), supervisor_pin: pin.value()});
      if (!r.ok) { error.textContent = errorText(r); return; }
      toast(t("voidDone", {document: r.data.document || r.data.credit_note || ""}), "ok", 6000);
      close(true);
    }}, el("label", {for: "void-reason", text: t("reason")}), reason, ...pin.nodes, error,
      el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)),
         el("button", {type: "submit", class: "danger", id: "void-submit", text: t("void")}))));
  });
}

function returnDialog(sale) {
  const key = crypto.randomUUID();  // one return however often "Devolución" is tapped
  return modal(`${t("return")} ${sale.number}`, (dialog, close) => {
    const inputs = sale.lines.map((l, i) => el("input", {inputmode: "decimal", id: `return-qty-${i}`,
      "aria-label": l.name, placeholder: "0", dataset: {max: l.quantity}}));
    const reason = el("input", {id: "return-reason", maxlength: 300});
    const pin = pinField();
    const error = el("p", {class: "error"});
    dialog.append(el("form", {onsubmit: async (e) => {
      e.preventDefault();
      const lines = [];
      for (const [i, input] of inputs.entries()) {
        const v = input.value.trim().replace(",", ".");
        if (!v) continue;
        const m = milli(v);
        if (m === null || m <= 0 || m > milli(sale.lines[i].quantity)) { error.textContent = t("invalidQuantity"); return; }
        lines.push({line: sale.lines[i].id, quantity: qtyText(m)});
      }
      if (!lines.length) { error.textContent = t("returnPick"); return; }
      if (!reason.value.trim()) { error.textContent = t("reasonRequired"); return; }
      const r = await api(`/pos/api/sales/${sale.id}/returns`,
                          {idempotency_key: key, reason: reason.value.trim(), pin: pin.value(), lines});
      if (!r.ok) { error.textContent = errorText(r); return; }
      toast(t("returnDone", {total: r.data.total}), "ok", 6000);
      close(true);
    }}, el("p", {class: "muted", text: t("returnPick")}),
      el("table", {class: "report"}, sale.lines.map((l, i) => el("tr", {},
        el("td", {text: `${l.name} (${t("sold")} ${l.quantity})`}), el("td", {}, inputs[i])))),
      el("label", {for: "return-reason", text: t("reason")}), reason, ...pin.nodes, error,
      el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)),
         el("button", {type: "submit", id: "return-submit", text: t("return")}))));
  });
}
