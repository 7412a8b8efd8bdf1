import { T, api, el, poll, url } from "./common.js";

const main = document.getElementById("kitchen");

function card(ticket) {
  const cancel = ticket.kind === "cancel";
  return el(
    "article",
    { class: `kt${cancel ? " cancel" : ""}${ticket.ready ? " ready" : ""}`, "data-ticket": ticket.id },
    el("h3", {}, el("span", {}, `${T.table} ${ticket.table}`), el("span", {}, ticket.at)),
    cancel ? el("strong", { class: "struck" }, T.cancelTicket) : null,
    el("ul", {}, ticket.lines.map((line) =>
      el("li", { class: line.cancel ? "struck" : "" },
        `${line.quantity} × ${line.name}`,
        line.seat ? el("div", {}, `${T.seat} ${line.seat} · ${T.course} ${line.course}`)
          : el("div", {}, `${T.course} ${line.course}`),
        line.note ? el("div", { class: "note" }, line.note) : null))),
    el("div", { class: "actions" },
      ticket.ready ? el("span", { class: "badge ready" }, T.ready)
        : el("button", { class: "primary", onclick: () => ready(ticket.id) }, T.done),
      el("a", { class: "button", href: url(main.dataset.print, ticket.id), target: "_blank" }, T.print)),
  );
}

async function ready(id) {
  await api(url(main.dataset.ready, id), {});
  await refresh();
}

async function refresh() {
  const data = await api(main.dataset.api);
  main.replaceChildren(
    ...(data.tickets.length ? data.tickets.map(card) : [el("p", { class: "muted" }, T.noTickets)]),
  );
}

poll(refresh, 3000);
