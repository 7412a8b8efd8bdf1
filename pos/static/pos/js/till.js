// The till: open with a float, cash in/out with a reason, X report, and a BLIND
// close (the cashier types what is in the drawer before seeing the expected).
import {api, errorText, get} from "./api.js";
import {cents, config, money, t} from "./i18n.js";
import {$, button, el, modal, toast} from "./ui.js";

export const till = {session: null};
const METHODS = ["01", "16", "19", "20"];

export async function loadSession() {
  const r = await get(`/pos/api/cash-sessions?emission_point=${$("point").value}`);
  till.session = r.ok ? r.data : null;
  if (!r.ok && r.data?.error !== "cash_session_closed") toast(errorText(r), "err");
  const btn = $("till-btn");
  btn.firstChild.textContent = `${till.session ? t("tillOpen") : t("tillClosed")} `;
  btn.classList.toggle("open", Boolean(till.session));
  return till.session;
}

function moneyField(id, label) {
  return [el("label", {for: id, text: label}),
          el("input", {id, inputmode: "decimal", autocomplete: "off"})];
}

function readMoney(id, error) {
  const v = $(id).value.trim().replace(",", ".");
  const c = cents(v);
  if (c === null || c < 0 || !/^\d+(\.\d{1,2})?$/.test(v)) { error.textContent = t("invalidAmount"); return null; }
  return money(c);
}

function openDialog() {
  return modal(t("openTill"), (dialog, close) => {
    const error = el("p", {class: "error"});
    const form = el("form", {onsubmit: async (e) => {
      e.preventDefault();
      const amount = readMoney("till-float", error);
      if (amount === null) return;
      const r = await api("/pos/api/cash-sessions", {emission_point: Number($("point").value), opening_float: amount});
      if (!r.ok) { error.textContent = errorText(r); return; }
      close(true);
      await loadSession();
    }}, ...moneyField("till-float", t("openingFloat")), error,
      el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)),
         el("button", {type: "submit", id: "till-open-submit", text: t("openTill")})));
    dialog.append(form);
    form.querySelector("input").autofocus = true;
  });
}

function movementDialog(kind) {
  return modal(kind === "in" ? t("cashIn") : t("cashOut"), (dialog, close) => {
    const error = el("p", {class: "error"});
    const reason = el("input", {id: "move-reason", maxlength: 300});
    dialog.append(el("form", {onsubmit: async (e) => {
      e.preventDefault();
      const amount = readMoney("move-amount", error);
      if (amount === null) return;
      if (!reason.value.trim()) { error.textContent = t("reasonRequired"); return; }
      const r = await api(`/pos/api/cash-sessions/${till.session.id}/movements`,
                          {kind, amount, reason: reason.value.trim()});
      if (!r.ok) { error.textContent = errorText(r); return; }
      toast(t("movementDone"), "ok");
      close(true);
    }}, ...moneyField("move-amount", t("amountLabel")), el("label", {for: "move-reason", text: t("reason")}),
      reason, error, el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)),
                        el("button", {type: "submit", text: t("accept")}))));
  });
}

function table(rows) {
  return el("table", {class: "report"}, rows.map(([label, value, cls]) =>
    el("tr", {}, el("td", {text: label}), el("td", {class: cls || "", text: value}))));
}

async function xReport() {
  const r = await get(`/pos/api/cash-sessions/${till.session.id}/x-report`);
  if (!r.ok) { toast(errorText(r), "err"); return; }
  const x = r.data;
  const rows = [[t("openedAt"), new Date(x.opened_at).toLocaleString("es-EC")],
                [t("float"), x.float],
                [t("salesCount"), `${x.sales_count} · ${x.sales_total}`]];
  for (const [m, v] of Object.entries(x.sales_by_method || {})) rows.push([`· ${t(`method${m}`)}`, v]);
  for (const tax of x.taxes || []) rows.push([t("tax", {rate: tax.rate}), tax.tax]);
  if (x.voids_count) rows.push([t("voids"), `${x.voids_count} · ${x.voids_total}`]);
  if (x.returns_count) rows.push([t("returns"), `${x.returns_count} · ${x.returns_total}`]);
  rows.push([t("cashIn"), x.cash_in], [t("cashOut"), x.cash_out]);
  for (const mv of x.movements || []) {
    if (mv.kind === "in" || mv.kind === "out") rows.push([`· ${mv.kind_label}: ${mv.reason || ""}`, mv.amount]);
  }
  // A cashier counts blind: the expected amounts only after the count, at closing.
  if (config.canVoid) {
    for (const [m, v] of Object.entries(x.expected || {})) rows.push([`${t("expected")} · ${t(`method${m}`)}`, v]);
  }
  await modal(t("xReport"), (dialog, close) => {
    dialog.append(table(rows), el("div", {class: "dlg-actions"}, button(t("close"), () => close(null))));
  }, {id: "x-report"});
}

function closeDialog() {
  return modal(t("closeTill"), (dialog, close) => {
    const error = el("p", {class: "error"});
    const fields = METHODS.flatMap((m) => moneyField(`count-${m}`, `${t("counted")} · ${t(`method${m}`)}`));
    const form = el("form", {onsubmit: async (e) => {
      e.preventDefault();
      const counted = {};
      for (const m of METHODS) {
        if (!$(`count-${m}`).value.trim() && m !== "01") continue;
        const v = readMoney(`count-${m}`, error);
        if (v === null) return;
        counted[m] = v;
      }
      const r = await api(`/pos/api/cash-sessions/${till.session.id}/close`, {counted});
      if (!r.ok) { error.textContent = errorText(r); return; }
      // Only now, after the count, the expected amounts and the difference.
      const rows = [];
      for (const m of METHODS) {
        const exp = r.data.expected?.[m];
        const cnt = r.data.counted?.[m];
        if (exp === undefined && cnt === undefined) continue;
        rows.push([`${t("counted")} · ${t(`method${m}`)}`, cnt ?? "0.00"], [`${t("expected")} · ${t(`method${m}`)}`, exp ?? "0.00"]);
      }
      const diff = r.data.difference ?? "0.00";
      rows.push([t("difference"), diff, cents(diff) < 0 ? "neg" : cents(diff) > 0 ? "pos" : ""]);
      form.replaceWith(el("div", {id: "close-result"}, table(rows),
        el("p", {class: "big", text: `${t("difference")}: ${diff}`}),
        el("div", {class: "dlg-actions"}, button(t("close"), () => close(true)))));
      await loadSession();
    }}, el("p", {class: "muted", text: t("blindHelp")}), ...fields, error,
      el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null)),
         el("button", {type: "submit", id: "close-submit", class: "danger", text: t("closeTill")})));
    dialog.append(form);
  }, {id: "close-dialog"});
}

export async function tillMenu() {
  await loadSession();
  if (!till.session) return openDialog();
  const choice = await modal(t("tillOpen"), (dialog, close) => {
    dialog.append(el("div", {class: "row"},
      button(t("cashIn"), () => close("in")), button(t("cashOut"), () => close("out"))),
    el("div", {class: "row"}, button(t("xReport"), () => close("x")),
       button(t("closeTill"), () => close("close"), {class: "danger"})),
    el("div", {class: "dlg-actions"}, button(t("cancel"), () => close(null))));
  });
  if (choice === "in" || choice === "out") return movementDialog(choice);
  if (choice === "x") return xReport();
  if (choice === "close") return closeDialog();
  return null;
}
