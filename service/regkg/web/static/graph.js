// Shared Cytoscape.js set-up: colours by type, element conversion from /api/neighbourhood JSON,
// readable labels (shortened in the middle, labels of constant screen size, colliding labels hidden
// until zoomed in), a seeded layout (the same graph is drawn the same way), a tooltip with the full
// name, and keyboard operation (arrow keys move between nodes, Enter activates).
(function () {
  "use strict";
  const COLOURS = {
    action: "#c8423b", campaign: "#e07b24", penalty: "#e9a93a", regulator: "#2f6fd6", company: "#6a44b8",
    platform: "#14918c", source: "#7d8590", publisher: "#a4abb3", law: "#8a5a44", jurisdiction: "#4e9a4e",
    concept: "#9a9a1e", other: "#b9bec5",
  };
  const LABELS = {
    action: "Enforcement action", campaign: "Campaign", penalty: "Penalty", regulator: "Regulator or court",
    company: "Company", platform: "Platform", source: "Source", publisher: "Publisher", law: "Law or rule",
    jurisdiction: "Jurisdiction", concept: "Concept (concern, sector)", other: "Other",
  };
  // Labels keep their beginning and their end ("SAMR fines Alibaba … purchase of Guangzhou F.C."):
  // sibling actions differ at the end, which a cut at the end would lose.
  function shorten(s, n) {
    if (!s || s.length <= n) return s;
    const headLen = Math.round(n * 0.45), tailLen = n - headLen - 1;
    let head = s.slice(0, headLen);
    const sp = head.lastIndexOf(" ");
    if (sp > headLen * 0.6) head = head.slice(0, sp);
    let tail = s.slice(s.length - tailLen);
    const sp2 = tail.indexOf(" ");
    if (sp2 >= 0 && sp2 < tailLen * 0.4) tail = tail.slice(sp2 + 1);
    return head.replace(/[\s,;:(]+$/, "") + " … " + tail;
  }
  const FONT = 11;        // label size in screen pixels, whatever the zoom
  const WRAP = 150;       // label width in screen pixels (a narrow canvas, a phone's, uses NARROW_WRAP)
  const NARROW_WRAP = 96;
  const RANK = { regulator: 6, company: 6, platform: 6, action: 5, campaign: 5, law: 4, penalty: 3, jurisdiction: 3, concept: 2, source: 1, publisher: 1, other: 1 };
  // The sizes of text are given in model units divided by the zoom, so that labels keep their size on
  // screen; the style sheet is rebuilt when the zoom changes (relabel), as Cytoscape.js caches labels
  // drawn with size functions at their first size.
  function styleFor(zoom, width) {
    const z = zoom || 1;
    const wrap = width && width < 600 ? NARROW_WRAP : WRAP;
    return [
    { selector: "node", style: {
      "background-color": (n) => COLOURS[n.data("kind")] || COLOURS.other,
      label: (n) => shorten(n.data("label") || "", 48), "font-size": FONT / z, color: "#1d2330",
      "text-valign": "bottom", "text-margin-y": 3 / z, "text-wrap": "wrap", "text-max-width": wrap / z,
      width: 22, height: 22, "border-width": 0, "min-zoomed-font-size": 6,
      "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 / z,
    } },
    { selector: "node[kind = 'action']", style: { shape: "round-rectangle", width: 18, height: 18 } },
    { selector: "node[kind = 'regulator']", style: { shape: "round-diamond", width: 28, height: 28 } },  // a plain diamond misses clicks at its centre (Cytoscape.js 3.34)
    { selector: "node[kind = 'company']", style: { shape: "round-hexagon", width: 28, height: 28 } },
    { selector: "node[kind = 'platform']", style: { shape: "ellipse", width: 26, height: 26 } },
    { selector: "node[kind = 'source'], node[kind = 'publisher']", style: { width: 12, height: 12 } },
    { selector: "node.nolabel", style: { label: "" } },
    { selector: "node.start", style: { "border-width": 4, "border-color": "#111" } },
    { selector: "node.expanded", style: { "border-width": 2, "border-color": "#333", "border-style": "double" } },
    { selector: "node:selected", style: { "overlay-color": "#f5c518", "overlay-opacity": 0.35, "overlay-padding": 6 } },
    { selector: "node.filtered", style: { display: "none" } },
    { selector: ":parent", style: {
      "background-color": "#f3effc", "background-opacity": 0.6, "border-width": 1.5, "border-style": "dashed",
      "border-color": "#6a44b8", label: "data(label)", "text-valign": "top", "text-halign": "center",
      "font-size": (FONT + 1) / z, "font-weight": "bold", color: "#4b2f8f", shape: "round-rectangle", padding: 14,
      "text-max-width": 2 * WRAP / z,
    } },
    { selector: "edge", style: {
      width: 1.2, "line-color": "#b6bcc6", "target-arrow-color": "#b6bcc6", "target-arrow-shape": "triangle",
      "arrow-scale": 0.7, "curve-style": "bezier", label: "", "font-size": (FONT - 2) / z, color: "#3b4452",
      "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.85,
    } },
    { selector: "edge.hover, edge:selected", style: { label: "data(label)" } },
    { selector: "edge.path", style: { width: 4, "line-color": "#f08c00", "target-arrow-color": "#f08c00", label: "data(label)" } },
    { selector: "node.path", style: { "border-width": 4, "border-color": "#f08c00" } },
    { selector: "edge.highlight", style: { label: "data(label)", "line-color": "#444", "target-arrow-color": "#444", width: 2 } },
    { selector: "node.kbd", style: { "border-width": 4, "border-color": "#f5a300", "border-style": "solid", label: (n) => n.data("label"), "z-index": 20 } },
    { selector: "node.showlabel", style: { label: (n) => n.data("label"), "z-index": 20 } },
    ];
  }
  const style = styleFor(1);
  function nodeElement(n) {
    return { group: "nodes", data: { id: n.id, label: n.label, types: n.types, kind: window.regkg.kindOf(n.types),
      date: n.date || null, regulator: n.regulator || null, concerns: n.concerns || [], grp: n.group || null } };
  }
  function edgeElement(e) {
    return { group: "edges", data: { id: e.source + " " + e.predicate + " " + e.target, source: e.source, target: e.target,
      predicate: e.predicate, label: e.label } };
  }
  function legend(ul) {
    for (const [k, c] of Object.entries(COLOURS)) {
      const li = document.createElement("li");
      const dot = document.createElement("span");
      dot.className = "kind-dot"; dot.style.background = c;
      dot.setAttribute("aria-hidden", "true");
      li.append(dot, " " + LABELS[k]);
      ul.append(li);
    }
  }

  // A seeded pseudo-random source, so that a layout of the same graph comes out the same.
  function hash(s) {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
    return h >>> 0;
  }
  function rng(seed) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6D2B79F5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function seededRun(cy, opts, done) {
    const ids = cy.nodes().map((n) => n.id()).sort().join("|");
    const saved = Math.random;
    Math.random = rng(hash(ids));
    try {
      const l = cy.layout(opts);
      l.one("layoutstop", () => { orient(cy); if (done) done(); });
      l.run();
    } finally {
      Math.random = saved;
    }
  }
  function layoutOptions(extra) {
    return window.cytoscapeFcose
      ? { name: "fcose", quality: "proof", animate: false, nodeDimensionsIncludeLabels: true, nodeRepulsion: 9000,
          idealEdgeLength: 90, nestingFactor: 0.15, gravity: 0.25, nodeSeparation: 80, padding: 30, packComponents: true, ...extra }
      : { name: "cose", animate: false, padding: 30, ...extra };
  }
  // Fill the canvas with the nodes, leaving room at the sides and below for their labels (which keep
  // their screen size), up to a zoom where the drawing would be coarser than the text around it.
  function fit(cy, maxZoom, sides) {
    const els = cy.nodes(":visible");
    if (!els.length) return;
    const bb = els.boundingBox({ includeLabels: false, includeOverlays: false });
    const W = cy.width(), H = cy.height();
    const padX = Math.min(80, W * (sides || 0.16)), padTop = 30, padBottom = 48;
    let z = Math.min((W - 2 * padX) / Math.max(bb.w, 1), (H - padTop - padBottom) / Math.max(bb.h, 1));
    z = Math.max(cy.minZoom(), Math.min(z, maxZoom || 2));
    cy.zoom(z);
    cy.pan({ x: (W - bb.w * z) / 2 - bb.x1 * z, y: padTop + (H - padTop - padBottom - bb.h * z) / 2 - bb.y1 * z });
  }
  // A layout comes out landscape or portrait as it happens; turn it to match the screen (a mirror
  // across the diagonal keeps every distance), so a phone's tall canvas is filled.
  function orient(cy) {
    const nodes = cy.nodes().filter((n) => !n.isParent());
    if (nodes.length < 3) return;
    const bb = nodes.boundingBox({ includeLabels: false });
    const tallScreen = cy.height() > cy.width() * 1.15, wideScreen = cy.width() > cy.height() * 1.15;
    if ((tallScreen && bb.w > bb.h * 1.15) || (wideScreen && bb.h > bb.w * 1.15)) {
      cy.batch(() => nodes.positions((n) => ({ x: n.position("y"), y: n.position("x") })));
    }
  }

  // Label culling: labels have a constant size on screen, so zooming in spreads the nodes and frees
  // room; a label that would overlap one of a more important node is hidden (hover, select or
  // focus the node to read it).
  function priority(n) {
    let p = (RANK[n.data("kind")] || 1) * 10 + Math.min(n.degree(false), 30);
    if (n.hasClass("start")) p += 1000;
    if (n.selected()) p += 500;
    if (n.hasClass("expanded")) p += 100;
    if (n.hasClass("path")) p += 200;
    return p;
  }
  function cull(cy) {
    const nodes = cy.nodes().filter((n) => !n.isParent() && n.visible());
    cy.batch(() => nodes.removeClass("nolabel"));
    const boxes = nodes.map((n) => ({ n, p: priority(n), b: n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true }) }));
    boxes.sort((a, b) => b.p - a.p);
    const kept = cy.nodes(":parent").filter((n) => n.visible())
      .map((n) => n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true }))
      .filter((b) => b && b.w > 0);
    const hide = [];
    for (const x of boxes) {
      const b = x.b;
      if (!b || b.w === 0) continue;
      const clash = kept.some((k) => b.x1 < k.x2 && b.x2 > k.x1 && b.y1 < k.y2 && b.y2 > k.y1);
      if (clash) hide.push(x.n); else kept.push(b);
    }
    cy.batch(() => { for (const n of hide) n.addClass("nolabel"); });
    return { shown: kept.length, hidden: hide.length };
  }
  function relabel(cy) {
    const z = Math.round(cy.zoom() * 100) / 100;
    if (cy.scratch("regkgZoom") !== z) { cy.style(styleFor(z, cy.width())); cy.scratch("regkgZoom", z); }
    return cull(cy);
  }
  function readable(cy) {
    let timer = null;
    const again = () => { clearTimeout(timer); timer = setTimeout(() => relabel(cy), 90); };
    cy.on("zoom", again);
    return again;
  }

  // The full name beside the pointer.
  function tooltip(cy) {
    const tip = document.createElement("div");
    tip.className = "tip"; tip.hidden = true; tip.setAttribute("aria-hidden", "true");
    document.body.append(tip);
    cy.on("mouseover", "node", (ev) => {
      const n = ev.target;
      if (n.isParent()) return;
      tip.textContent = n.data("label");
      const oe = ev.originalEvent;
      if (oe) { tip.style.left = Math.min(oe.clientX + 14, window.innerWidth - 330) + "px"; tip.style.top = oe.clientY + 14 + "px"; }
      tip.hidden = false;
      n.addClass("showlabel");
    });
    cy.on("mouseout", "node", (ev) => { tip.hidden = true; ev.target.removeClass("showlabel"); });
    cy.on("viewport", () => { tip.hidden = true; });
  }

  // Keyboard: the container takes focus; arrow keys move to the nearest node in that direction,
  // Enter (or Space) activates it, + and - zoom, 0 fits, Escape leaves the node.
  function keyboard(cy, box, opts) {
    let current = null;
    const R = window.regkg;
    const usable = () => cy.nodes().filter((n) => !n.isParent() && n.visible());
    function describe(n) {
      const kind = LABELS[n.data("kind")] || n.data("kind");
      const links = n.connectedEdges().length;
      return `${n.data("label")}, ${kind.toLowerCase()}, ${links} link${links === 1 ? "" : "s"}` + (opts.describe ? opts.describe(n) : "");
    }
    function show(n) {
      const p = n.renderedPosition();
      const w = cy.width(), h = cy.height();
      if (p.x < 40 || p.y < 40 || p.x > w - 40 || p.y > h - 40) cy.center(n);
    }
    function go(n, quiet) {
      if (current && current.inside()) current.removeClass("kbd");
      current = n;
      if (!n) return;
      n.addClass("kbd");
      if (!quiet) show(n);
      if (!quiet) R.announce(describe(n));
      if (opts.onFocus) opts.onFocus(n);
    }
    function towards(dx, dy) {
      const from = current.position();
      let best = null, bestCost = Infinity;
      usable().forEach((n) => {
        if (n.same(current)) return;
        const p = n.position();
        const vx = p.x - from.x, vy = p.y - from.y;
        const along = vx * dx + vy * dy;
        if (along <= 0) return;
        const across = Math.abs(vx * dy - vy * dx);
        const cost = along + 2 * across;
        if (cost < bestCost) { bestCost = cost; best = n; }
      });
      return best;
    }
    function first() {
      const sel = cy.nodes(":selected").filter((n) => !n.isParent());
      if (sel.nonempty()) return sel[0];
      const start = cy.nodes(".start");
      if (start.nonempty()) return start[0];
      const all = usable();
      return all.nonempty() ? all[0] : null;
    }
    // A click also focuses the container: then the node clicked is the one, and the view must not move
    // between the press and the release (that would lose the click).
    let pointer = false;
    box.addEventListener("pointerdown", () => { pointer = true; }, true);
    box.addEventListener("focus", () => {
      if (pointer) { pointer = false; return; }
      if (!current || !current.inside() || !current.visible()) go(first());
      else R.announce(describe(current));
    });
    box.addEventListener("blur", () => { if (current && current.inside()) current.removeClass("kbd"); });
    box.addEventListener("keydown", (ev) => {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (dirs[ev.key]) {
        ev.preventDefault();
        if (!current || !current.inside()) { go(first()); return; }
        const next = towards(...dirs[ev.key]);
        if (next) go(next); else R.announce("No node further " + ev.key.replace("Arrow", "").toLowerCase());
      } else if ((ev.key === "Enter" || ev.key === " ") && current && current.inside()) {
        ev.preventDefault();
        opts.onActivate(current);
      } else if (ev.key === "+" || ev.key === "=") {
        ev.preventDefault(); cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      } else if (ev.key === "-") {
        ev.preventDefault(); cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      } else if (ev.key === "0") {
        ev.preventDefault(); fit(cy);
      } else if (ev.key === "Escape" && current) {
        current.removeClass("kbd"); current = null;
      }
    });
    return { focus: (n) => go(n, true), current: () => current };
  }

  window.regkgGraph = { COLOURS, LABELS, style, nodeElement, edgeElement, legend, shorten, hash, rng, seededRun, layoutOptions,
    styleFor, fit, cull, relabel, readable, tooltip, keyboard };
})();
