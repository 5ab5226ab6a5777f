// /insights: each chart's query file (embedded in the page as #insights-data) is sent to the SPARQL
// endpoint, and its answer drawn with Observable Plot (static/vendor/plot.umd.min.js, D3 beside it),
// with a text summary and a table in the page's language (English or Chinese).
(function () {
  "use strict";

  const page = JSON.parse(document.getElementById("insights-data").textContent);
  const state = { lang: document.body.classList.contains("lang-zh") ? "zh" : "en", currency: "EUR", data: {} };
  const TOP_JURISDICTIONS = 7;
  const TOP_REGULATORS = 20;
  const FIRST_YEAR = 2015; // the rate table and most of the record start here; earlier years stay in the table

  const TEXT = {
    en: {
      other: "Other jurisdictions",
      year: "Year",
      jurisdiction: "Jurisdiction",
      total: (c) => `Total (${c})`,
      fines: "Fines",
      unconverted: "No rate",
      concern: "Concern",
      actions: "Actions",
      group: "Group",
      jurisdictions: "Jurisdictions",
      finesImposed: "Actions with a fine",
      years: "Years",
      regulator: "Authority",
      probes: "Probes",
      decisions: "Decisions",
      rulings: "Court rulings",
      allYears: "All years",
      failed: (m) => `The query did not answer: ${m}`,
      finesSummary: (d) =>
        `From ${d.first} to ${d.last}, ${d.count} fines add up to ${d.total}. ` +
        `The largest year is ${d.peakYear} (${d.peakTotal}, ${d.peakShare} of it in ${d.peakLeader}). ` +
        `Over all years ${d.leader} leads with ${d.leaderTotal}.` +
        (d.missing ? ` ${d.missing} fines have no ${d.currency} value (no exchange rate for their currency and month) and are not counted.` : ""),
      concernsSummary: (d) =>
        `${d.top} is the most frequent concern (${d.topCount} actions), then ${d.second} (${d.secondCount}). ` +
        `The busiest year is ${d.peakYear}, with ${d.peakCount} actions under ${d.peakConcern}.` +
        (d.before ? ` ${d.before} ${d.before === 1 ? "action" : "actions"} before ${FIRST_YEAR} ${d.before === 1 ? "is" : "are"} in the table, not the chart.` : ""),
      groupsSummary: (d) =>
        `${d.first} has the most actions (${d.firstCount}, in ${d.firstJur} jurisdictions), then ${d.second} (${d.secondCount}) and ${d.third} (${d.thirdCount}). ` +
        `These ${d.n} groups account for ${d.sum} actions.`,
      regulatorsSummary: (d) =>
        `${d.first} has taken the most actions (${d.firstCount}), then ${d.second} (${d.secondCount}) and ${d.third} (${d.thirdCount}). ` +
        `Of these ${d.n} authorities, the busiest year was ${d.peakYear} (${d.peakCount} actions by ${d.peakName}). The graph names ${d.all} authorities in all.`,
    },
    zh: {
      other: "其他司法管辖区",
      year: "年份",
      jurisdiction: "司法管辖区",
      total: (c) => `总额（${c}）`,
      fines: "罚款笔数",
      unconverted: "无汇率",
      concern: "关注事项",
      actions: "行动数",
      group: "集团",
      jurisdictions: "司法管辖区数",
      finesImposed: "含罚款的行动",
      years: "年份",
      regulator: "机构",
      probes: "调查",
      decisions: "决定",
      rulings: "法院裁决",
      allYears: "各年合计",
      failed: (m) => `查询未能返回结果：${m}`,
      finesSummary: (d) =>
        `${d.first}年至${d.last}年，共 ${d.count} 笔罚款，合计 ${d.total}。` +
        `罚款最多的年份是${d.peakYear}年（${d.peakTotal}，其中 ${d.peakShare} 来自${d.peakLeader}）。` +
        `各年合计，${d.leader}最多，为 ${d.leaderTotal}。` +
        (d.missing ? `另有 ${d.missing} 笔罚款因其货币和月份没有汇率而无 ${d.currency} 金额，未计入。` : ""),
      concernsSummary: (d) =>
        `最常见的关注事项是${d.top}（${d.topCount} 项行动），其次是${d.second}（${d.secondCount} 项）。` +
        `行动最多的是${d.peakYear}年，${d.peakConcern}方面有 ${d.peakCount} 项。` +
        (d.before ? `${FIRST_YEAR}年以前的 ${d.before} 项行动列在数据表中，未画入图表。` : ""),
      groupsSummary: (d) =>
        `${d.first}的执法行动最多（${d.firstCount} 项，涉及 ${d.firstJur} 个司法管辖区），其次是${d.second}（${d.secondCount} 项）和${d.third}（${d.thirdCount} 项）。` +
        `这 ${d.n} 个集团共涉及 ${d.sum} 项行动。`,
      regulatorsSummary: (d) =>
        `${d.first}的执法行动最多（${d.firstCount} 项），其次是${d.second}（${d.secondCount} 项）和${d.third}（${d.thirdCount} 项）。` +
        `这 ${d.n} 个机构中，单年行动最多的是${d.peakName}在${d.peakYear}年的 ${d.peakCount} 项。图谱共记录 ${d.all} 个机构。`,
    },
  };
  const tr = () => TEXT[state.lang];
  const locale = () => (state.lang === "zh" ? "zh-Hans" : "en");

  // Names: the graph's Chinese label, else (for a jurisdiction) the browser's Chinese name of its ISO code, else English.
  let regionNames = null;
  try {
    regionNames = new Intl.DisplayNames(["zh-Hans"], { type: "region" });
  } catch (e) {
    regionNames = null;
  }
  function nameOf(row, en, zh, code) {
    if (state.lang === "zh") {
      if (row[zh]) return row[zh];
      if (code && row[code] && regionNames) {
        try {
          const n = regionNames.of(row[code]);
          if (n && n !== row[code]) return n;
        } catch (e) {
          /* not a region code */
        }
      }
    }
    return row[en] || row[zh] || "";
  }

  function money(value, currency, compact) {
    return new Intl.NumberFormat(locale(), {
      style: "currency",
      currency,
      notation: compact === false ? "standard" : "compact",
      maximumFractionDigits: compact === false ? 0 : 1,
    }).format(value);
  }
  const count = (n) => new Intl.NumberFormat(locale()).format(n);
  const percent = (x) => new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(x);
  const shorten = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

  // ---------------------------------------------------------------- the queries
  function value(term) {
    if (!term) return null;
    const dt = term.datatype || "";
    if (/#(integer|decimal|double|float|int|long)$/.test(dt)) return Number(term.value);
    return term.value;
  }

  async function run(chart) {
    const response = await fetch(page.sparql, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: chart.text,
    });
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try {
        message = (await response.json()).error.message;
      } catch (e) {
        /* not the JSON error shape */
      }
      throw new Error(message);
    }
    const json = await response.json();
    return json.results.bindings.map((b) => {
      const row = {};
      for (const v of json.head.vars) row[v] = value(b[v]);
      return row;
    });
  }

  // ---------------------------------------------------------------- tables
  function table(id, columns, rows) {
    const wrap = document.getElementById("table-" + id);
    const t = document.createElement("table");
    t.className = "insights-table";
    const head = t.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = c.label;
      if (c.numeric) th.className = "num";
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const r of rows) {
      const tr_ = body.insertRow();
      columns.forEach((c, i) => {
        const cell = i === 0 ? document.createElement("th") : document.createElement("td");
        if (i === 0) cell.scope = "row";
        cell.textContent = c.format ? c.format(r) : r[c.key];
        if (c.numeric) cell.className = "num";
        tr_.appendChild(cell);
      });
    }
    wrap.replaceChildren(t);
  }

  function widthOf(id) {
    const el = document.getElementById("plot-" + id);
    return Math.max(280, Math.floor(el.getBoundingClientRect().width));
  }

  function show(id, plot, summary, legend) {
    const el = document.getElementById("plot-" + id);
    // Plot answers an <svg>, or a <figure> holding the legend and then the chart's <svg>
    const own = plot.tagName.toLowerCase() === "svg" ? [plot] : Array.from(plot.querySelectorAll(":scope > svg"));
    const svg = own[own.length - 1];
    // Plot names each group of marks with aria-label, which ARIA forbids on a <g> without a role; the
    // chart is one image described by its summary, and its data is in the table below it.
    [plot, legend].filter(Boolean).forEach((node) => node.querySelectorAll("g[aria-label], g[aria-description]").forEach((g) => {
      g.removeAttribute("aria-label");
      g.removeAttribute("aria-description");
    }));
    if (svg) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", document.querySelector(`#h-${id} [lang^="${state.lang === "zh" ? "zh" : "en"}"]`).textContent);
      svg.setAttribute("aria-describedby", "summary-" + id);
    }
    el.replaceChildren(...(legend ? [legend, plot] : [plot]));
    document.getElementById("summary-" + id).textContent = summary.charAt(0).toUpperCase() + summary.slice(1);
  }

  // ---------------------------------------------------------------- 1. fines per year by jurisdiction
  function drawFines() {
    const rows = state.data.fines;
    const cur = state.currency;
    const key = cur === "EUR" ? "totalEur" : "totalUsd";
    const T = tr();
    const byJur = d3.rollup(rows, (v) => d3.sum(v, (r) => r[key]), (r) => r.jurisdiction);
    const top = Array.from(byJur).sort((a, b) => b[1] - a[1]).slice(0, TOP_JURISDICTIONS).map((d) => d[0]);
    const names = new Map(rows.map((r) => [r.jurisdiction, nameOf(r, "nameEn", "nameZh", "code")]));
    const groupOf = (r) => (top.includes(r.jurisdiction) ? names.get(r.jurisdiction) : T.other);
    const drawn = rows.filter((r) => r.year >= FIRST_YEAR && r[key] > 0);
    const stacked = Array.from(
      d3.rollup(drawn, (v) => d3.sum(v, (r) => r[key]), (r) => r.year, groupOf),
      ([year, m]) => Array.from(m, ([jur, total]) => ({ year, jur, total })),
    ).flat();
    const order = top.map((j) => names.get(j)).concat([T.other]);
    const years = d3.range(d3.min(drawn, (r) => r.year), d3.max(drawn, (r) => r.year) + 1);
    const width = widthOf("fines");
    const plot = Plot.plot({
      width,
      height: width < 500 ? 320 : 400,
      marginLeft: 56,
      x: { type: "band", domain: years, label: null, tickFormat: (y) => (width < 500 && y % 2 ? "" : String(y)) },
      y: { label: T.total(cur), grid: true, tickFormat: (v) => money(v, cur) },
      color: { legend: true, domain: order, scheme: "observable10" },
      marks: [
        Plot.barY(stacked, {
          x: "year",
          y: "total",
          fill: "jur",
          order,
          tip: { format: { y: (v) => money(v, cur), fill: true, x: true } },
          title: (d) => `${d.jur}, ${d.year}: ${money(d.total, cur, false)}`,
        }),
        Plot.ruleY([0]),
      ],
    });
    // the summary
    const all = rows.filter((r) => r[key] > 0);
    const byYear = d3.rollup(all, (v) => d3.sum(v, (r) => r[key]), (r) => r.year);
    const [peakYear, peakTotal] = Array.from(byYear).sort((a, b) => b[1] - a[1])[0];
    const peakRows = all.filter((r) => r.year === peakYear).sort((a, b) => b[key] - a[key]);
    const [leader, leaderTotal] = Array.from(byJur).sort((a, b) => b[1] - a[1])[0];
    const missing = d3.sum(rows, (r) => r.unconverted);
    const summary = T.finesSummary({
      first: d3.min(all, (r) => r.year),
      last: d3.max(all, (r) => r.year),
      count: count(d3.sum(rows, (r) => r.fines - r.unconverted)),
      total: money(d3.sum(all, (r) => r[key]), cur),
      peakYear,
      peakTotal: money(peakTotal, cur),
      peakShare: percent(peakRows[0][key] / peakTotal),
      peakLeader: names.get(peakRows[0].jurisdiction),
      leader: names.get(leader),
      leaderTotal: money(leaderTotal, cur),
      missing: missing ? count(missing) : "",
      currency: cur,
    });
    show("fines", plot, summary);
    table(
      "fines",
      [
        { key: "year", label: T.year },
        { label: T.jurisdiction, format: (r) => names.get(r.jurisdiction) },
        { label: T.total(cur), numeric: true, format: (r) => money(r[key], cur, false) },
        { key: "fines", label: T.fines, numeric: true },
        { key: "unconverted", label: T.unconverted, numeric: true },
      ],
      rows,
    );
  }

  // ---------------------------------------------------------------- 2. actions by concern over time
  function drawConcerns() {
    const rows = state.data.concerns;
    const T = tr();
    const label = (r) => nameOf(r, "labelEn", "labelZh");
    const totals = Array.from(d3.rollup(rows, (v) => d3.sum(v, (r) => r.actions), label)).sort((a, b) => b[1] - a[1]);
    const order = totals.map((d) => d[0]);
    const drawn = rows.filter((r) => r.year >= FIRST_YEAR).map((r) => ({ year: r.year, concern: label(r), actions: r.actions }));
    const years = d3.range(d3.min(drawn, (r) => r.year), d3.max(drawn, (r) => r.year) + 1);
    // every concern has a point each year (0 where it had none), so that the lines do not skip years
    const filled = [];
    for (const c of order) for (const y of years) filled.push({ year: y, concern: c, actions: (drawn.find((r) => r.year === y && r.concern === c) || { actions: 0 }).actions });
    const width = widthOf("concerns");
    const plot = Plot.plot({
      width,
      height: width < 500 ? 320 : 380,
      marginLeft: 40,
      x: { label: null, tickFormat: "d", ticks: width < 500 ? 5 : years.length },
      y: { label: T.actions, grid: true },
      color: { legend: true, domain: order, scheme: "observable10" },
      marks: [
        Plot.ruleY([0]),
        Plot.lineY(filled, { x: "year", y: "actions", stroke: "concern", strokeWidth: 2 }),
        Plot.dot(filled, { x: "year", y: "actions", fill: "concern", r: 2.5 }),
        Plot.tip(filled, Plot.pointer({ x: "year", y: "actions", stroke: "concern", format: { x: "d" } })),
      ],
    });
    const peak = rows.slice().sort((a, b) => b.actions - a.actions)[0];
    const summary = T.concernsSummary({
      top: order[0],
      topCount: count(totals[0][1]),
      second: order[1],
      secondCount: count(totals[1][1]),
      peakYear: peak.year,
      peakCount: count(peak.actions),
      peakConcern: label(peak),
      before: d3.sum(rows.filter((r) => r.year < FIRST_YEAR), (r) => r.actions),
    });
    show("concerns", plot, summary);
    table(
      "concerns",
      [
        { key: "year", label: T.year },
        { label: T.concern, format: label },
        { key: "actions", label: T.actions, numeric: true },
      ],
      rows,
    );
  }

  // ---------------------------------------------------------------- 3. groups with the most actions
  function drawGroups() {
    const rows = state.data.groups;
    const T = tr();
    const name = (r) => nameOf(r, "nameEn", "nameZh");
    const width = widthOf("groups");
    const chars = width < 500 ? 18 : 34;
    const data = rows.map((r) => ({ ...r, name: name(r), short: shorten(name(r), chars) }));
    const plot = Plot.plot({
      width,
      height: 24 * data.length + 40,
      marginLeft: width < 500 ? 128 : 230,
      marginRight: 36,
      x: { label: T.actions, grid: true, axis: "top" },
      // keyed by IRI: two names shortened alike stay two bars
      y: { label: null, domain: data.map((d) => d.group), tickFormat: (id) => data.find((d) => d.group === id).short },
      marks: [
        Plot.barX(data, { x: "actions", y: "group", fill: "#2f6fd6", title: (d) => `${d.name}: ${d.actions}` }),
        Plot.text(data, { x: "actions", y: "group", text: (d) => String(d.actions), dx: 4, textAnchor: "start", fill: "currentColor" }),
        Plot.ruleX([0]),
      ],
    });
    const summary = T.groupsSummary({
      first: data[0].name,
      firstCount: count(data[0].actions),
      firstJur: count(data[0].jurisdictions),
      second: data[1].name,
      secondCount: count(data[1].actions),
      third: data[2].name,
      thirdCount: count(data[2].actions),
      n: data.length,
      sum: count(d3.sum(data, (d) => d.actions)),
    });
    show("groups", plot, summary);
    table(
      "groups",
      [
        { key: "name", label: T.group },
        { key: "actions", label: T.actions, numeric: true },
        { key: "jurisdictions", label: T.jurisdictions, numeric: true },
        { key: "fines", label: T.finesImposed, numeric: true },
        { label: T.years, format: (r) => (r.first === r.last ? String(r.first) : `${r.first}–${r.last}`) },
      ],
      data,
    );
  }

  // ---------------------------------------------------------------- 4. each regulator's activity
  function drawRegulators() {
    const rows = state.data.regulators;
    const T = tr();
    const name = (r) => nameOf(r, "nameEn", "nameZh");
    const ids = Array.from(new Set(rows.map((r) => r.regulator)));
    const top = ids.slice(0, TOP_REGULATORS); // the query orders by each authority's total
    const width = widthOf("regulators");
    const chars = width < 500 ? 16 : 40;
    const label = new Map(rows.map((r) => [r.regulator, shorten(name(r), chars)]));
    const data = rows.filter((r) => top.includes(r.regulator) && r.year >= FIRST_YEAR).map((r) => ({ ...r, name: name(r) }));
    const years = d3.range(FIRST_YEAR, d3.max(data, (r) => r.year) + 1);
    const max = d3.max(data, (r) => r.actions);
    const plot = Plot.plot({
      width,
      height: 22 * top.length + 50,
      marginLeft: width < 500 ? 112 : 280,
      padding: 0.06,
      x: { type: "band", domain: years, label: null, axis: "top", tickFormat: (y) => (width < 500 ? `'${String(y).slice(2)}` : String(y)) },
      // keyed by IRI: two names shortened alike ("Competition Com…") stay two rows
      y: { label: null, domain: top, tickFormat: (id) => label.get(id) },
      color: { type: "sqrt", scheme: "blues", domain: [0, max], label: T.actions },
      marks: [
        Plot.cell(data, { x: "year", y: "regulator", fill: "actions", title: (d) => `${d.name}, ${d.year}: ${d.actions}` }),
        Plot.text(data, { x: "year", y: "regulator", text: (d) => String(d.actions), fill: (d) => (d.actions > max * 0.35 ? "white" : "black"), fontSize: width < 500 ? 9 : 11 }),
      ],
    });
    const totals = top.map((id) => rows.find((r) => r.regulator === id));
    const peak = data.slice().sort((a, b) => b.actions - a.actions)[0];
    const summary = T.regulatorsSummary({
      first: name(totals[0]),
      firstCount: count(totals[0].total),
      second: name(totals[1]),
      secondCount: count(totals[1].total),
      third: name(totals[2]),
      thirdCount: count(totals[2].total),
      n: top.length,
      peakYear: peak.year,
      peakCount: count(peak.actions),
      peakName: peak.name,
      all: count(ids.length),
    });
    show("regulators", plot, summary, plot.legend("color", { marginLeft: 12, width: Math.min(width, 320) }));
    table(
      "regulators",
      [
        { label: T.regulator, format: name },
        { key: "year", label: T.year },
        { key: "actions", label: T.actions, numeric: true },
        { key: "probes", label: T.probes, numeric: true },
        { key: "decisions", label: T.decisions, numeric: true },
        { key: "rulings", label: T.rulings, numeric: true },
        { key: "total", label: T.allYears, numeric: true },
      ],
      rows,
    );
  }

  const DRAW = { fines: drawFines, concerns: drawConcerns, groups: drawGroups, regulators: drawRegulators };

  function draw(id) {
    if (!state.data[id]) return;
    try {
      DRAW[id]();
      document.getElementById("chart-" + id).dataset.drawn = "true";
    } catch (e) {
      document.getElementById("summary-" + id).textContent = tr().failed(e.message);
      throw e;
    }
  }
  const drawAll = () => Object.keys(DRAW).forEach(draw);

  // ---------------------------------------------------------------- language, currency, size
  function setLang(lang) {
    state.lang = lang;
    document.body.classList.toggle("lang-zh", lang === "zh");
    document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
    document.querySelectorAll(".lang-switch a").forEach((a) => {
      if (a.dataset.lang === lang) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
    const url = new URL(location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    drawAll();
  }
  document.querySelectorAll(".lang-switch a").forEach((a) =>
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      setLang(a.dataset.lang);
    }),
  );
  document.querySelectorAll('input[name="fines-currency"]').forEach((input) =>
    input.addEventListener("change", () => {
      state.currency = input.value;
      draw("fines");
    }),
  );
  let lastWidth = window.innerWidth;
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(drawAll, 150);
  });

  document.documentElement.lang = state.lang === "zh" ? "zh-Hans" : "en";
  for (const chart of page.charts) {
    run(chart)
      .then((rows) => {
        state.data[chart.id] = rows;
        draw(chart.id);
      })
      .catch((e) => {
        document.getElementById("summary-" + chart.id).textContent = tr().failed(e.message);
        document.getElementById("chart-" + chart.id).dataset.drawn = "failed";
      });
  }
  window.regkgInsights = { state, drawAll };
})();
