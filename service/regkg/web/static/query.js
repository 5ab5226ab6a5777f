// The SPARQL editor: YASGUI on /sparql, one tab per example query of queries/*.rq.
(function () {
  "use strict";
  // YASGUI's markup, made valid for assistive technologies (re-applied whenever YASGUI redraws):
  // its "add tab" button sits inside the tab list (only tabs may), tabs name panels that exist only
  // once the tab is opened, and the endpoint and tab-name inputs have no label.
  function repair(root) {
    root.querySelectorAll(".tabsList").forEach((list) => {
      list.querySelectorAll("button").forEach((b) => {
        const holder = b.parentElement === list ? b : b.closest(".tabsList > *");
        holder.classList.add("add-tab-holder");
        list.after(holder);
      });
    });
    root.querySelectorAll("[role=tab]").forEach((tab) => {
      const target = tab.getAttribute("aria-controls") || tab.dataset.controls;
      if (!target) return;
      tab.dataset.controls = target;
      if (document.getElementById(target)) { if (tab.getAttribute("aria-controls") !== target) tab.setAttribute("aria-controls", target); }
      else if (tab.hasAttribute("aria-controls")) tab.removeAttribute("aria-controls");
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach((i) => i.setAttribute("aria-label", "SPARQL endpoint"));
    root.querySelectorAll(".tab input[type=text]:not([aria-label])").forEach((i) => i.setAttribute("aria-label", "Tab name"));
    root.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach((t) => t.setAttribute("aria-label", "SPARQL query"));
    root.querySelectorAll("select.tableSizer:not([aria-label])").forEach((s) => s.setAttribute("aria-label", "Rows per page"));
    root.querySelectorAll(".yasr input:not([aria-label]), .yasr select:not([aria-label])").forEach((i) => {
      if (!i.labels || !i.labels.length) i.setAttribute("aria-label", i.getAttribute("placeholder") || i.getAttribute("title") || "Result option");
    });
    root.querySelectorAll(".yasr .dataTables_wrapper, .yasr_results").forEach((el) => {
      if (el.scrollWidth > el.clientWidth && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); el.setAttribute("aria-label", "Query results"); }
    });
  }
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
    repair(root);
    new MutationObserver(() => repair(root)).observe(root, { childList: true, subtree: true });
    function select(hash) {
      const i = examples.findIndex((e) => "#" + e.name === hash);
      if (i >= 0) yasgui.selectTabId(tabs[i].getId());
    }
    document.querySelectorAll("[data-example]").forEach((a) => a.addEventListener("click", () => setTimeout(() => select(a.getAttribute("href")))));
    if (location.hash) select(location.hash);
  });
})();
