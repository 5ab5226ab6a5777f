// /draft: paste an article, review the proposed action with its evidence marked in the text,
// edit, validate (POST /api/draft/render), download Turtle or CSV, submit through /graph-store.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const status = $("d-status");
  let draft = null;      // the draft as /api/draft answered it, updated from the form
  let rendered = null;   // the last /api/draft/render answer
  const urls = {};

  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  }
  function headers(extra) {
    return Object.assign({ Authorization: "Bearer " + $("d-token").value.trim() }, extra || {});
  }
  async function errorText(resp) {
    try {
      const body = await resp.json();
      if (body && body.error) return body.error.message || body.error.code;
    } catch (e) { /* not JSON */ }
    return resp.status + " " + resp.statusText;
  }
  function get(obj, path) {
    return path.split(".").reduce((o, k) => (o == null ? null : o[k]), obj);
  }
  function entityLines(list) {
    return (list || []).map((e) => (e.new ? e.label : e.iri)).join("\n");
  }

  function fill() {
    document.querySelectorAll("#d-fields [data-path]").forEach((el) => {
      const path = el.dataset.path;
      let value;
      if (path === "targets" || path === "platforms") value = entityLines(draft[path]);
      else if (path === "concern") value = (draft.concern || []).join("\n");
      else value = get(draft, path);
      el.value = value == null ? "" : value;
    });
    const unsure = $("d-unsure");
    unsure.replaceChildren();
    const fields = new Set();
    (draft.unsure || []).forEach((u) => {
      fields.add(u.field);
      const li = document.createElement("li");
      const b = document.createElement("strong");
      b.textContent = u.field + ": ";
      li.append(b, document.createTextNode(u.reason));
      unsure.append(li);
    });
    if (!unsure.children.length) {
      const li = document.createElement("li");
      li.textContent = "Nothing: still, check every field against the text.";
      unsure.append(li);
    }
    document.querySelectorAll(".draft-field[data-field]").forEach((div) => {
      div.classList.toggle("is-unsure", fields.has(div.dataset.field));
    });
    document.querySelectorAll(".ev[data-for]").forEach((span) => {
      const ev = evidenceOf(span.dataset.for);
      span.textContent = ev ? "“" + ev + "”" : "";
    });
    mark();
  }

  function evidenceOf(field) {
    const e = draft.evidence || {};
    if (field === "regulator") return draft.regulator && draft.regulator.evidence;
    if (field === "targets" || field === "platforms") return (draft[field] || []).map((t) => t.evidence).filter(Boolean)[0];
    if (field === "amount") return draft.amount && draft.amount.evidence;
    return e[field] ? e[field].text : null;
  }

  function spans() {
    const out = [];
    const push = (field, span, note) => { if (span) out.push({ field, start: span[0], end: span[1], note }); };
    if (draft.regulator) push("regulator", draft.regulator.span, "regulator");
    (draft.targets || []).forEach((t) => push("targets", t.span, "target" + (t.new ? " (new)" : "")));
    (draft.platforms || []).forEach((p) => push("platforms", p.span, "platform"));
    if (draft.amount) push("amount", draft.amount.span, "amount");
    Object.entries(draft.evidence || {}).forEach(([k, v]) => {
      if (k !== "amount") push(k.split(":")[0], [v.start, v.end], k.replace("_", " "));
    });
    out.sort((a, b) => a.start - b.start || b.end - a.end);
    return out;
  }

  function mark() {
    const box = $("d-marked");
    box.replaceChildren();
    const text = draft.text || "";
    let pos = 0;
    spans().forEach((s) => {
      if (s.start < pos) return; // overlapping: the first one wins
      box.append(document.createTextNode(text.slice(pos, s.start)));
      const m = document.createElement("mark");
      m.className = "ev-" + s.field;
      m.textContent = text.slice(s.start, s.end);
      m.title = s.note;
      m.dataset.field = s.field;
      box.append(m);
      pos = s.end;
    });
    box.append(document.createTextNode(text.slice(pos)));
  }

  function collect() {
    const d = JSON.parse(JSON.stringify(draft));
    const val = (id) => $(id).value.trim();
    const lines = (id) => $(id).value.split("\n").map((s) => s.trim()).filter(Boolean);
    const entity = (line, old) => {
      const known = (old || []).find((e) => e.iri === line || (e.new && e.label === line));
      if (known) return known;
      return /^https?:\/\//.test(line) ? { iri: line, label: line.split("/").pop(), new: false } : { iri: "", label: line, new: true };
    };
    const reg = val("f-regulator");
    d.regulator = reg ? entity(reg, draft.regulator ? [draft.regulator] : []) : null;
    d.targets = lines("f-targets").map((l) => entity(l, draft.targets));
    d.platforms = lines("f-platforms").map((l) => entity(l, draft.platforms));
    d.kind = val("f-kind") || null;
    d.concern = lines("f-concern");
    d.date_decided = val("f-date_decided") || null;
    d.date_announced = val("f-date_announced") || null;
    const amount = val("f-amount");
    d.amount = amount ? Object.assign({}, draft.amount || {}, { value: amount, currency: val("f-currency").toUpperCase() }) : null;
    d.label = val("f-label");
    d.source = { url: val("f-source-url") || null, title: val("f-source-title") || null,
      publisher: val("f-source-publisher") || null, date: val("f-source-date") || null };
    return d;
  }

  function setLink(a, text, type) {
    if (urls[a.id]) URL.revokeObjectURL(urls[a.id]);
    if (!text) { a.removeAttribute("href"); a.setAttribute("aria-disabled", "true"); return; }
    urls[a.id] = URL.createObjectURL(new Blob([text], { type }));
    a.href = urls[a.id];
    a.removeAttribute("aria-disabled");
  }

  function invalidate() {
    rendered = null;
    $("d-submit").disabled = true;
    setLink($("d-ttl"), "", "");
  }

  $("draft-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("d-text").value;
    if (!$("d-token").value.trim()) { say("Give a writer token first.", true); $("d-token").focus(); return; }
    if (!text.trim()) { say("Paste an article first.", true); $("d-text").focus(); return; }
    say("Drafting…");
    const url = $("d-url").value.trim();
    const type = /<(html|body|p|div|article)\b/i.test(text) ? "text/html" : "text/plain";
    const resp = await fetch("/api/draft" + (url ? "?url=" + encodeURIComponent(url) : ""), {
      method: "POST", headers: headers({ "Content-Type": type + "; charset=utf-8" }), body: text });
    if (!resp.ok) { say("Not drafted: " + (await errorText(resp)), true); return; }
    draft = await resp.json();
    invalidate();
    $("d-problems").replaceChildren();
    $("d-review").hidden = false;
    fill();
    setLink($("d-csv"), "", "");
    say("Drafted: " + (draft.unsure || []).length + " field(s) unsure. Review each field, then validate.");
    $("d-review-title").scrollIntoView({ behavior: "smooth", block: "start" });
  });

  $("d-fields").addEventListener("input", invalidate);

  $("d-validate").addEventListener("click", async () => {
    if (!draft) return;
    say("Validating…");
    const resp = await fetch("/api/draft/render", {
      method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(collect()) });
    if (!resp.ok) { say("Not validated: " + (await errorText(resp)), true); return; }
    rendered = await resp.json();
    const box = $("d-problems");
    box.replaceChildren();
    if (rendered.problems.length) {
      const h = document.createElement("h3");
      h.textContent = rendered.problems.length + " problem(s)";
      const ul = document.createElement("ul");
      rendered.problems.forEach((p) => {
        const li = document.createElement("li");
        li.textContent = (p.column ? p.column + ": " : "") + p.message;
        ul.append(li);
      });
      box.append(h, ul);
    }
    setLink($("d-csv"), rendered.csv, "text/csv");
    setLink($("d-ttl"), rendered.turtle, "text/turtle");
    $("d-submit").disabled = !rendered.ok;
    say(rendered.ok ? "Valid: " + rendered.action + ". Download it, or submit it into " + rendered.graph + "."
      : "Not valid yet: fix the problems listed below the form.", !rendered.ok);
  });

  $("d-submit").addEventListener("click", async () => {
    if (!rendered || !rendered.ok) return;
    say("Submitting…");
    const resp = await fetch("/graph-store?graph=" + encodeURIComponent(rendered.graph), {
      method: "POST", headers: headers({ "Content-Type": "text/turtle; charset=utf-8" }), body: rendered.turtle });
    if (resp.ok) { say("Submitted into " + rendered.graph + " (" + resp.status + ")."); $("d-submit").disabled = true; return; }
    say("Not submitted: " + (await errorText(resp)), true);
  });
})();
