// The graph explorer: click a node to expand it; filter by concern, regulator and period;
// corporate groups drawn as compound nodes so their members stay together.
(function () {
  "use strict";
  const G = window.regkgGraph;
  const R = window.regkg;
  let cy = null;
  let kb = null;
  const expanded = new Set();
  const status = (msg) => { document.getElementById("status").textContent = msg || ""; };

  function labelOf(id) {
    const n = cy.getElementById(id);
    if (n.nonempty() && n.data("label")) return n.data("label");
    return decodeURIComponent(id.replace(/[/#]$/, "").split(/[/#]/).pop()).replace(/-/g, " ");
  }

  // Compound nodes: one per corporate group with at least two members in view.
  function regroup() {
    const members = new Map();
    cy.nodes().filter((n) => !n.isParent()).forEach((n) => {
      const g = n.data("grp");
      if (g) { if (!members.has(g)) members.set(g, new Set()); members.get(g).add(n.id()); }
    });
    for (const [g, set] of members) if (cy.getElementById(g).nonempty()) set.add(g);
    for (const [g, set] of members) {
      const pid = "group:" + g;
      if (set.size < 2) continue;
      if (cy.getElementById(pid).empty()) {
        cy.add({ group: "nodes", data: { id: pid, label: labelOf(g) + " group", kind: "group", compound: true } });
      }
      for (const id of set) {
        const n = cy.getElementById(id);
        if (n.nonempty() && n.data("parent") !== pid && n.parent().id() !== pid) n.move({ parent: pid });
      }
    }
  }

  function fillSelect(select, values) {
    const keep = select.value;
    const have = new Set([...select.options].map((o) => o.value));
    for (const [v, label] of [...values.entries()].sort((a, b) => a[1].localeCompare(b[1]))) {
      if (have.has(v)) continue;
      const o = document.createElement("option");
      o.value = v; o.textContent = label;
      select.append(o);
    }
    select.value = keep;
  }

  function refreshFilters() {
    const concerns = new Map(), regulators = new Map();
    cy.nodes().forEach((n) => {
      for (const c of n.data("concerns") || []) concerns.set(c, labelOf(c));
      const r = n.data("regulator");
      if (r) regulators.set(r, labelOf(r));
    });
    fillSelect(document.getElementById("f-concern"), concerns);
    fillSelect(document.getElementById("f-regulator"), regulators);
  }

  function applyFilters() {
    const concern = document.getElementById("f-concern").value;
    const regulator = document.getElementById("f-regulator").value;
    const from = document.getElementById("f-from").value;
    const to = document.getElementById("f-to").value;
    let hidden = 0;
    cy.nodes().filter((n) => !n.isParent()).forEach((n) => {
      const isEvent = ["action", "campaign"].includes(n.data("kind"));
      let hide = false;
      if (isEvent) {
        const d = n.data("date");
        if (concern && !(n.data("concerns") || []).includes(concern)) hide = true;
        if (regulator && n.data("regulator") !== regulator) hide = true;
        if (from && (!d || d < from)) hide = true;
        if (to && (!d || d > to)) hide = true;
      }
      n.toggleClass("filtered", hide);
      if (hide) hidden++;
    });
    status(hidden ? hidden + " actions hidden by the filters" : "");
    if (cy.nodes().length) { G.cull(cy); renderList(); }
  }

  // The text twin of the drawing: every visible node, as a button that selects it.
  function renderList() {
    const ul = document.getElementById("graph-list");
    const nodes = cy.nodes().filter((n) => !n.isParent() && n.visible());
    const sorted = nodes.sort((a, b) => (a.hasClass("start") ? -1 : b.hasClass("start") ? 1 : 0)
      || a.data("kind").localeCompare(b.data("kind")) || (a.data("label") || "").localeCompare(b.data("label") || ""));
    ul.replaceChildren(...sorted.map((n) => {
      const b = R.el("button", { type: "button", "data-id": n.id(), "aria-current": n.id() === current ? "true" : null },
        R.el("span", { class: "kind-dot kind-" + n.data("kind"), "aria-hidden": "true" }),
        R.el("span", { text: n.data("label") }),
        R.el("span", { class: "visually-hidden", text: ", " + (G.LABELS[n.data("kind")] || n.data("kind")).toLowerCase()
          + (expanded.has(n.id()) ? ", expanded" : "") }));
      b.addEventListener("click", () => { focusNode(n); });
      return R.el("li", {}, b);
    }));
    document.getElementById("graph-count").textContent = `(${nodes.length} nodes)`;
    document.getElementById("cy").dataset.nodes = String(nodes.length);
  }

  function focusNode(n) {
    cy.nodes().unselect();
    n.select();
    details(n);
    if (kb) kb.focus(n);
    const p = n.renderedPosition();
    if (p.x < 30 || p.y < 30 || p.x > cy.width() - 30 || p.y > cy.height() - 30) cy.center(n);
  }

  // Seeded: the same graph gets the same drawing. The first layout starts afresh (spectral),
  // later ones start from the current positions so the picture does not jump.
  function layout(fit, fresh) {
    G.seededRun(cy, G.layoutOptions({ randomize: !!fresh, fit: false }));
    if (fit !== false) G.fit(cy, 2);
    G.relabel(cy);
  }

  async function expand(iri) {
    const params = { iri, hops: "1", limit: "80" };
    const concern = document.getElementById("f-concern").value;
    if (concern) params.concern = concern;
    status("Loading…");
    const r = await fetch("/api/neighbourhood?" + new URLSearchParams(params), { headers: { Accept: "application/json" } });
    if (!r.ok) { status("Could not expand: " + ((await r.json()).error || {}).message); return; }
    const data = await r.json();
    const centre = cy.getElementById(iri);
    const at = centre.nonempty() ? centre.position() : { x: 0, y: 0 };
    const fresh = cy.nodes().length === 0;
    const rand = G.rng(G.hash(iri));
    let added = 0;
    cy.batch(() => {
      for (const n of data.nodes) {
        if (cy.getElementById(n.id).nonempty()) continue;
        const el = G.nodeElement(n);
        el.position = { x: at.x + (rand() - 0.5) * 160, y: at.y + (rand() - 0.5) * 160 };
        cy.add(el); added++;
      }
      for (const e of data.edges) if (cy.getElementById(G.edgeElement(e).data.id).empty()) cy.add(G.edgeElement(e));
      regroup();
    });
    expanded.add(iri);
    cy.getElementById(iri).addClass("expanded");
    refreshFilters();
    layout(cy.nodes().length < 400, fresh);
    applyFilters();
    status(`${labelOf(iri)}: ${added} new node${added === 1 ? "" : "s"}` + (data.truncated ? " (the neighbourhood was cut at 80 nodes)" : ""));
  }

  let current = null;

  async function findPath(from, to) {
    if (!from) { status("Select a node first: the path starts there."); return; }
    status("Looking for a path…");
    const r = await fetch("/api/path?" + new URLSearchParams({ from, to, max_hops: "6" }), { headers: { Accept: "application/json" } });
    if (!r.ok) { status("No path: " + ((await r.json()).error || {}).message); return; }
    const data = await r.json();
    if (!data.paths.length) { status("No path of at most 6 links between them."); return; }
    const at = cy.getElementById(from).position();
    const rand = G.rng(G.hash(from + " " + to));
    cy.batch(() => {
      for (const n of data.nodes) {
        if (cy.getElementById(n.id).nonempty()) continue;
        const el = G.nodeElement(n);
        el.position = { x: at.x + (rand() - 0.5) * 200, y: at.y + (rand() - 0.5) * 200 };
        cy.add(el);
      }
      cy.elements(".path").removeClass("path");
      for (const p of data.paths) {
        for (const e of p.edges) {
          const el = G.edgeElement(e);
          if (cy.getElementById(el.data.id).empty()) cy.add(el);
          cy.getElementById(el.data.id).addClass("path");
        }
        for (const id of p.nodes) cy.getElementById(id).addClass("path");
      }
      regroup();
    });
    refreshFilters();
    layout(true);
    applyFilters();
    const hops = data.paths[0].length;
    status(`${data.paths.length} shortest path${data.paths.length === 1 ? "" : "s"} of ${hops} link${hops === 1 ? "" : "s"}`);
  }

  function details(n) {
    current = n.id();
    const box = document.getElementById("details");
    const d = n.data();
    const rows = [R.el("h2", { text: d.label })];
    rows.push(R.el("p", { class: "kind-badge kind-" + d.kind, text: d.kind }));
    if (d.date) rows.push(R.el("p", {}, R.el("strong", { text: "Date: " }), d.date));
    if (d.regulator) rows.push(R.el("p", {}, R.el("strong", { text: "Regulator: " }), R.el("a", { href: R.pageHref(d.regulator), text: labelOf(d.regulator) })));
    if ((d.concerns || []).length) rows.push(R.el("p", {}, R.el("strong", { text: "Concerns: " }), d.concerns.map(labelOf).join(", ")));
    const links = R.el("p", { class: "buttons" },
      R.el("a", { class: "button", href: R.pageHref(d.id), text: "Open page" }));
    if (!expanded.has(d.id)) {
      const b = R.el("button", { type: "button", class: "light", text: "Expand" });
      b.addEventListener("click", () => expand(d.id).then(() => details(cy.getElementById(d.id))));
      links.append(" ", b);
    }
    rows.push(links);
    const edges = n.connectedEdges().map((e) => {
      const other = e.source().id() === d.id ? e.target() : e.source();
      const arrow = e.source().id() === d.id ? "→" : "←";
      return R.el("li", {}, `${arrow} ${e.data("label")} `, R.el("a", { href: R.pageHref(other.id()), text: other.data("label") }));
    });
    if (edges.length) rows.push(R.el("details", {}, R.el("summary", { text: edges.length + " links" }), R.el("ul", { class: "plain small" }, ...edges)));
    box.replaceChildren(...rows);
    document.querySelectorAll("#graph-list button").forEach((b) => {
      if (b.dataset.id === current) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.cytoscape) { status("The graph library is missing: run `make vendor`."); return; }
    if (window.cytoscapeFcose) window.cytoscape.use(window.cytoscapeFcose);
    const box = document.getElementById("cy");
    cy = window.cytoscape({ container: box, style: G.style, minZoom: 0.1, maxZoom: 4 });
    window.regkgExplorer = { cy, expand, applyFilters, findPath };
    G.legend(document.getElementById("legend"));
    G.readable(cy);
    G.tooltip(cy);
    kb = G.keyboard(cy, box, {
      onFocus: (n) => { cy.nodes().unselect(); n.select(); details(n); },
      onActivate: (n) => { details(n); if (!expanded.has(n.id())) expand(n.id()).then(() => details(cy.getElementById(n.id()))); },
      describe: (n) => (expanded.has(n.id()) ? ", expanded" : ", Enter expands it"),
    });
    // On a phone the controls start closed, so the graph gets the screen.
    if (window.matchMedia("(max-width: 900px)").matches) document.getElementById("controls").open = false;
    cy.on("tap", "node", (ev) => {
      const n = ev.target;
      if (n.isParent()) return;
      details(n);
      if (kb) kb.focus(n);
      if (!expanded.has(n.id())) expand(n.id());
    });
    cy.on("mouseover", "edge", (ev) => ev.target.addClass("hover"));
    cy.on("mouseout", "edge", (ev) => ev.target.removeClass("hover"));
    cy.on("mouseover", "node", (ev) => ev.target.connectedEdges().addClass("highlight"));
    cy.on("mouseout", "node", (ev) => ev.target.connectedEdges().removeClass("highlight"));
    for (const id of ["f-concern", "f-regulator", "f-from", "f-to"]) {
      document.getElementById(id).addEventListener("change", applyFilters);
      document.getElementById(id).addEventListener("input", applyFilters);
    }
    document.getElementById("f-clear").addEventListener("click", () => {
      for (const id of ["f-concern", "f-regulator", "f-from", "f-to"]) document.getElementById(id).value = "";
      applyFilters();
    });
    document.getElementById("relayout").addEventListener("click", () => layout(true, true));
    document.getElementById("fit").addEventListener("click", () => { G.fit(cy, 2); G.relabel(cy); });
    document.getElementById("reset").addEventListener("click", () => { cy.elements().remove(); expanded.clear(); status(""); renderList(); });
    document.addEventListener("regkg:pick", async (ev) => {
      if (ev.detail.pick === "path") { findPath(current, ev.detail.id); return; }
      await expand(ev.detail.id);
      const n = cy.getElementById(ev.detail.id);
      n.addClass("start"); n.select(); details(n);
    });
    const start = JSON.parse(document.getElementById("cy").dataset.start || "null");
    if (start) expand(start).then(() => { const n = cy.getElementById(start); n.addClass("start"); n.select(); details(n); });
    else status("Search for an entity to start.");
  });
})();
