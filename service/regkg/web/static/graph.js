// Shared Cytoscape.js set-up: colours by type, element conversion from /api/neighbourhood JSON.
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
  function shorten(s, n) { return s && s.length > n ? s.slice(0, n - 1) + "…" : s; }
  const style = [
    { selector: "node", style: {
      "background-color": (n) => COLOURS[n.data("kind")] || COLOURS.other,
      label: (n) => shorten(n.data("label"), 38), "font-size": 10, color: "#1d2330",
      "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap", "text-max-width": 140,
      width: 22, height: 22, "border-width": 0,
      "text-background-color": "#fff", "text-background-opacity": 0.75, "text-background-padding": 1,
    } },
    { selector: "node[kind = 'action']", style: { shape: "round-rectangle", width: 18, height: 18 } },
    { selector: "node[kind = 'regulator']", style: { shape: "diamond", width: 28, height: 28 } },
    { selector: "node[kind = 'company']", style: { shape: "round-hexagon", width: 28, height: 28 } },
    { selector: "node[kind = 'platform']", style: { shape: "ellipse", width: 26, height: 26 } },
    { selector: "node[kind = 'source'], node[kind = 'publisher']", style: { width: 12, height: 12, "font-size": 8 } },
    { selector: "node.start", style: { "border-width": 4, "border-color": "#111" } },
    { selector: "node.expanded", style: { "border-width": 2, "border-color": "#333", "border-style": "double" } },
    { selector: "node:selected", style: { "overlay-color": "#f5c518", "overlay-opacity": 0.35, "overlay-padding": 6 } },
    { selector: "node.filtered", style: { display: "none" } },
    { selector: ":parent", style: {
      "background-color": "#f3effc", "background-opacity": 0.6, "border-width": 1.5, "border-style": "dashed",
      "border-color": "#6a44b8", label: "data(label)", "text-valign": "top", "text-halign": "center",
      "font-size": 11, "font-weight": "bold", color: "#4b2f8f", shape: "round-rectangle", padding: 14,
    } },
    { selector: "edge", style: {
      width: 1.2, "line-color": "#b6bcc6", "target-arrow-color": "#b6bcc6", "target-arrow-shape": "triangle",
      "arrow-scale": 0.7, "curve-style": "bezier", label: "", "font-size": 8, color: "#555",
      "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8,
    } },
    { selector: "edge.hover, edge:selected", style: { label: "data(label)" } },
    { selector: "edge.path", style: { width: 4, "line-color": "#f08c00", "target-arrow-color": "#f08c00", label: "data(label)" } },
    { selector: "node.path", style: { "border-width": 4, "border-color": "#f08c00" } },
    { selector: "edge.highlight", style: { label: "data(label)", "line-color": "#444", "target-arrow-color": "#444", width: 2 } },
  ];
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
      li.append(dot, " " + LABELS[k]);
      ul.append(li);
    }
  }
  window.regkgGraph = { COLOURS, LABELS, style, nodeElement, edgeElement, legend };
})();
