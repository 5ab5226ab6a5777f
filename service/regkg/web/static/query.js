// The SPARQL editor: YASGUI on /sparql, one tab per example query of queries/*.rq.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("yasgui");
    if (!window.Yasgui) { root.textContent = "The query editor is missing: run `make vendor`."; return; }
    const examples = JSON.parse(document.getElementById("examples-data").textContent);
    const prefixes = JSON.parse(document.getElementById("prefixes-data").textContent);
    const header = Object.entries(prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
    const endpoint = new URL("/sparql", window.location.href).href;
    const yasgui = new window.Yasgui(root, {
      requestConfig: { endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9" },
      copyEndpointOnNewTab: true,
      persistenceId: null,
      populateFromUrl: false,
      autoAddOnInit: false,
      endpointCatalogueOptions: { getData: () => [{ endpoint }] },
      yasqe: { autocompleters: ["prefixes", "variables"], value: header + "\n\nSELECT * WHERE { ?s ?p ?o } LIMIT 10" },
      yasr: { prefixes },
    });
    const tabs = [];
    if (examples.length) {
      examples.forEach((e, i) => {
        const title = e.title.replace(/[.?]$/, "");
        const name = (i + 1) + ". " + (title.length > 34 ? title.slice(0, 33) + "…" : title);
        tabs.push(yasgui.addTab(i === 0, { name, yasqe: { value: e.query }, requestConfig: { endpoint } }));
      });
    } else {
      tabs.push(yasgui.addTab(true, { name: "Query", requestConfig: { endpoint } }));
    }
    window.regkgYasgui = yasgui;
    function select(hash) {
      const i = examples.findIndex((e) => "#" + e.name === hash);
      if (i >= 0) yasgui.selectTabId(tabs[i].getId());
    }
    document.querySelectorAll("[data-example]").forEach((a) => a.addEventListener("click", () => setTimeout(() => select(a.getAttribute("href")))));
    if (location.hash) select(location.hash);
  });
})();
