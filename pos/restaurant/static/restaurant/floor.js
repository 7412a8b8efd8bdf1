import { T, api, el, poll, url } from "./common.js";

const main = document.getElementById("floor");

function tableCard(t) {
  const label = { free: T.free, busy: T.busy, bill: T.bill }[t.status];
  return el(
    "a",
    {
      class: `table ${t.status}`,
      href: url(main.dataset.order, t.id),
      style: `left:${Math.min(Math.max(t.x, 8), 92)}%;top:${Math.min(Math.max(t.y, 12), 88)}%`,
      "data-table": t.name,
      "data-status": t.status,
    },
    el("b", {}, `${T.table} ${t.name}`),
    el("small", {}, t.status === "free" ? `${label} · ${t.seats} ${T.seats}` : label),
    t.status !== "free" ? el("small", {}, `${t.minutes} ${T.min} · $ ${t.total}`) : null,
    t.ready ? el("span", { class: "badge ready" }, T.ready) : null,
  );
}

async function refresh() {
  const data = await api(main.dataset.api);
  main.replaceChildren(
    ...data.areas.map((area) =>
      el("div", { class: "area" }, el("h2", {}, area.name),
        el("div", { class: "plan" }, area.tables.map(tableCard))),
    ),
  );
}

poll(refresh, 3000);
