// The small neighbourhood graph of an entity page: click a node (or move to it with the arrow keys
// and press Enter) to open its page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", async () => {
    const box = document.getElementById("mini-graph");
    if (!box || !window.cytoscape) return;
    const iri = box.dataset.iri;
    const r = await fetch("/api/neighbourhood?" + new URLSearchParams({ iri, limit: "30" }), { headers: { Accept: "application/json" } });
    if (!r.ok) { box.textContent = "The neighbourhood could not be loaded."; return; }
    const data = await r.json();
    const G = window.regkgGraph;
    if (window.cytoscapeFcose) window.cytoscape.use(window.cytoscapeFcose);
    const cy = window.cytoscape({
      container: box, style: G.style, maxZoom: 3, minZoom: 0.2,
      elements: [...data.nodes.map(G.nodeElement), ...data.edges.map(G.edgeElement)],
    });
    cy.getElementById(iri).addClass("start");
    G.seededRun(cy, G.layoutOptions({ randomize: true, fit: false, padding: 10 }));
    G.fit(cy, 1.6, 0.22);  // a small canvas: more room at the sides for the labels
    G.relabel(cy);
    G.readable(cy);
    G.tooltip(cy);
    const open = (n) => { if (n.id() !== iri) window.location.href = window.regkg.pageHref(n.id()); };
    G.keyboard(cy, box, { onActivate: open, describe: (n) => (n.id() === iri ? ", this page" : ", Enter opens its page") });
    box.setAttribute("aria-label", `The ${data.nodes.length - 1} entities linked to ${cy.getElementById(iri).data("label") || "this entity"}`);
    cy.on("tap", "node", (ev) => open(ev.target));
    cy.on("mouseover", "edge", (ev) => ev.target.addClass("hover"));
    cy.on("mouseout", "edge", (ev) => ev.target.removeClass("hover"));
    if (data.truncated) box.insertAdjacentHTML("afterend", '<p class="muted small">Only the first 30 neighbours are shown.</p>');
    window.regkgMiniGraph = cy;
  });
})();
