// The small neighbourhood graph of an entity page.
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
      container: box, style: G.style, maxZoom: 1.2, minZoom: 0.2,
      elements: [...data.nodes.map(G.nodeElement), ...data.edges.map(G.edgeElement)],
      layout: window.cytoscapeFcose
        ? { name: "fcose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 80, padding: 10 }
        : { name: "concentric", concentric: (n) => (n.id() === iri ? 10 : 1), levelWidth: () => 1, minNodeSpacing: 30, animate: false },
    });
    cy.getElementById(iri).addClass("start");
    cy.on("tap", "node", (ev) => { if (ev.target.id() !== iri) window.location.href = window.regkg.pageHref(ev.target.id()); });
    cy.on("mouseover", "edge", (ev) => ev.target.addClass("hover"));
    cy.on("mouseout", "edge", (ev) => ev.target.removeClass("hover"));
    if (data.truncated) box.insertAdjacentHTML("afterend", '<p class="muted small">Only the first 30 neighbours are shown.</p>');
  });
})();
