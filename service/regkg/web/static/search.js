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
    return asLink ? el("a", { href: pageHref(h.id), "data-id": h.id }, ...inner) : inner;
  }
  // One polite live region per page (base.html) for what sighted users see change.
  let announceTimer = null;
  function announce(text) {
    const box = document.getElementById("announce");
    if (!box) return;
    clearTimeout(announceTimer);
    box.textContent = "";
    announceTimer = setTimeout(() => { box.textContent = text; }, 60);
  }

  // The ARIA 1.2 combobox pattern: the input keeps focus, aria-activedescendant names the option.
  function attach(form) {
    const input = form.querySelector("input[type=search]");
    const list = form.querySelector(".suggestions");
    const pick = form.dataset.pick;
    if (!list.id) list.id = (input.id || "q") + "-list";
    let timer = null, hits = [], active = -1, seq = 0, open = false;
    function setOpen(value) {
      open = value;
      list.hidden = !value;
      input.setAttribute("aria-expanded", value ? "true" : "false");
      if (!value) { active = -1; input.removeAttribute("aria-activedescendant"); }
    }
    function close() { setOpen(false); }
    function choose(h) {
      if (pick) {
        document.dispatchEvent(new CustomEvent("regkg:pick", { detail: { ...h, pick } }));
        input.value = ""; hits = []; close();
        announce(h.label + " chosen");
      } else {
        window.location.href = pageHref(h.id);
      }
    }
    function render() {
      list.replaceChildren();
      hits.forEach((h, i) => {
        const li = el("li", { role: "option", id: list.id + "-" + i, "aria-selected": i === active ? "true" : "false",
          "data-id": h.id }, ...hitItem(h, false));
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(h); });
        li.addEventListener("mousemove", () => { if (active !== i) { active = i; mark(); } });
        list.append(li);
      });
      setOpen(hits.length > 0);
      mark();
    }
    function mark() {
      [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
      if (active >= 0) {
        const li = list.children[active];
        input.setAttribute("aria-activedescendant", li.id);
        li.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
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
        announce(found.length ? `${found.length} suggestion${found.length === 1 ? "" : "s"}: the first is ${found[0].label}. Up and down arrows to choose.` : "No suggestions");
      }, 120);
    });
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (!open) { if (hits.length) { render(); } return; }
        const n = hits.length;
        if (ev.key === "ArrowDown") active = active + 1 >= n ? 0 : active + 1;
        else active = active <= 0 ? n - 1 : active - 1;
        mark();
        ev.preventDefault();
      } else if (ev.key === "Escape") {
        if (open) { close(); ev.preventDefault(); } else if (input.value) { input.value = ""; hits = []; }
      } else if (ev.key === "Enter" && open && active >= 0) {
        ev.preventDefault(); choose(hits[active]);
      } else if (ev.key === "Tab") {
        close();  // focus moves on to the next control as usual
      } else if (ev.key === "Home" || ev.key === "End") {
        if (open && active >= 0) { active = ev.key === "Home" ? 0 : hits.length - 1; mark(); ev.preventDefault(); }
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    form.addEventListener("submit", (ev) => {
      const results = document.getElementById("results");
      if (pick) { ev.preventDefault(); if (hits.length) choose(hits[0]); return; }
      if (results) { ev.preventDefault(); showResults(input.value.trim(), results); close(); }
    });
    if (form.hasAttribute("data-autofocus") && !new URLSearchParams(location.search).get("q")) input.focus();
  }

  async function showResults(q, box) {
    if (!q) { box.hidden = true; return; }
    history.replaceState(null, "", "/?" + new URLSearchParams({ q }));
    const found = await search(q, 30);
    const title = found.length ? `${found.length} result${found.length === 1 ? "" : "s"} for “${q}”` : `Nothing found for “${q}”`;
    box.replaceChildren(
      el("h2", { id: "results-title", text: title }),
      el("ol", {}, ...found.map((h) => el("li", {}, hitItem(h, true)))),
    );
    box.hidden = false;
    announce(title);
  }

  window.regkg = { kindOf, pageHref, el, search, announce };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-suggest]").forEach(attach);
    const box = document.getElementById("results");
    const q = new URLSearchParams(location.search).get("q");
    if (box && q) showResults(q, box);
  });
})();
