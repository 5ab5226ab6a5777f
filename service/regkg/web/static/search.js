// Live search suggestions for every <form data-suggest>, and the shared helpers of the pages.
(function () {
  "use strict";
  const RK = "https://w3id.org/regkg/ontology#";
  const SKOS = "http://www.w3.org/2004/02/skos/core#";
  // Most specific first; the same order as regkg.api.pages.KINDS.
  const KINDS = [
    [RK + "JudicialReview", "action"], [RK + "Probe", "action"], [RK + "Decision", "action"],
    [RK + "EnforcementAction", "action"], [RK + "Campaign", "campaign"], [RK + "Penalty", "penalty"],
    [RK + "Court", "regulator"], [RK + "Regulator", "regulator"], [RK + "Authority", "regulator"],
    [RK + "Platform", "platform"], [RK + "Publisher", "publisher"], [RK + "Company", "company"],
    [RK + "Source", "source"], [RK + "Law", "law"], [RK + "Rule", "law"],
    [RK + "Jurisdiction", "jurisdiction"], [SKOS + "Concept", "concept"],
  ];
  function kindOf(types) {
    for (const [t, k] of KINDS) if ((types || []).includes(t)) return k;
    return "other";
  }
  function pageHref(iri) { return "/page?iri=" + encodeURIComponent(iri); }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  async function search(q, limit) {
    const r = await fetch("/api/search?" + new URLSearchParams({ q, limit: String(limit) }), { headers: { Accept: "application/json" } });
    if (!r.ok) return [];
    return (await r.json()).results;
  }
  function hitItem(h, asLink) {
    const kind = kindOf(h.types);
    const inner = [
      el("span", { class: "kind-dot kind-" + kind, "aria-hidden": "true" }),
      el("span", { class: "hit-label", text: h.label }),
      el("span", { class: "hit-kind", text: kind }),
    ];
    if (h.matched && h.matched !== h.label) inner.push(el("span", { class: "hit-matched", text: "“" + h.matched + "”" }));
    return asLink ? el("a", { href: pageHref(h.id), "data-id": h.id }, ...inner) : el("span", {}, ...inner);
  }

  function attach(form) {
    const input = form.querySelector("input[type=search]");
    const list = form.querySelector(".suggestions");
    const pick = form.dataset.pick;
    let timer = null, hits = [], active = -1, seq = 0;
    function close() { list.hidden = true; active = -1; }
    function choose(h) {
      if (pick) {
        document.dispatchEvent(new CustomEvent("regkg:pick", { detail: { ...h, pick } }));
        input.value = ""; close();
      } else {
        window.location.href = pageHref(h.id);
      }
    }
    function render() {
      list.replaceChildren();
      hits.forEach((h, i) => {
        const li = el("li", { role: "option", "aria-selected": i === active ? "true" : "false" }, hitItem(h, true));
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(h); });
        list.append(li);
      });
      list.hidden = hits.length === 0;
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { hits = []; render(); return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        const found = await search(q, 8);
        if (mine !== seq) return;
        hits = found; active = -1; render();
      }, 120);
    });
    input.addEventListener("keydown", (ev) => {
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { active = Math.min(active + 1, hits.length - 1); render(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(active - 1, -1); render(); ev.preventDefault(); }
      else if (ev.key === "Escape") { close(); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(hits[active]); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    form.addEventListener("submit", (ev) => {
      const results = document.getElementById("results");
      if (pick) { ev.preventDefault(); if (hits.length) choose(hits[0]); return; }
      if (results) { ev.preventDefault(); showResults(input.value.trim(), results); close(); }
    });
    if (form.hasAttribute("data-autofocus")) input.focus();
  }

  async function showResults(q, box) {
    if (!q) { box.hidden = true; return; }
    history.replaceState(null, "", "/?" + new URLSearchParams({ q }));
    const found = await search(q, 30);
    box.replaceChildren(
      el("h2", { text: found.length ? `Results for “${q}”` : `Nothing found for “${q}”` }),
      el("ol", {}, ...found.map((h) => el("li", {}, hitItem(h, true)))),
    );
    box.hidden = false;
  }

  window.regkg = { kindOf, pageHref, el, search };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-suggest]").forEach(attach);
    const box = document.getElementById("results");
    const q = new URLSearchParams(location.search).get("q");
    if (box && q) showResults(q, box);
  });
})();
