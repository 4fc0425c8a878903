// Two YASR result views of the console: "chart" (Chart.js bar chart of a numeric column, e.g. money) and "map"
// (an SVG drawn from WKT literals or latitude/longitude columns — no tile server). A catalogue question's
// chart hint ({kind, label, value|wkt}) chooses the columns; otherwise they are guessed from the results.
window.QKGPlugins = (function () {
  "use strict";
  const NUMERIC = /#(decimal|integer|double|float|int|long|nonNegativeInteger|positiveInteger|short)$/;
  const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";

  function bindings(yasr) {
    const results = yasr.results;
    if (!results || results.hasError() || !results.getVariables) return null;
    try { return {vars: results.getVariables(), rows: results.getBindings()}; } catch (e) { return null; }
  }

  function numericColumn(data, hint) {
    if (hint && hint.value && data.vars.includes(hint.value)) return hint.value;
    return data.vars.find((v) => data.rows.some((r) => r[v] && NUMERIC.test(r[v].datatype || "")));
  }

  function labelColumn(data, hint, skip) {
    if (hint && hint.label && data.vars.includes(hint.label)) return hint.label;
    return data.vars.find((v) => v !== skip && data.rows.some((r) => r[v] && r[v].type !== "uri" && !NUMERIC.test(r[v].datatype || "")))
      || data.vars.find((v) => v !== skip);
  }

  function wktColumn(data, hint) {
    if (hint && hint.wkt && data.vars.includes(hint.wkt)) return hint.wkt;
    return data.vars.find((v) => data.rows.some((r) => r[v] && (r[v].datatype === WKT || /^\s*(<[^>]*>\s*)?(POINT|POLYGON|MULTIPOLYGON)\s*\(/i.test(r[v].value))));
  }

  function latLong(data) {
    const lat = data.vars.find((v) => /^(lat|latitude)$/i.test(v));
    const lon = data.vars.find((v) => /^(lon|long|lng|longitude)$/i.test(v));
    return lat && lon ? {lat, lon} : null;
  }

  class ChartPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Graphique / Chart"; }
    canHandleResults() {
      const data = bindings(this.yasr);
      return !!(data && data.rows.length && numericColumn(data, this.yasr.config.qkgHint));
    }
    getIcon() { const s = document.createElement("span"); s.textContent = "▮▮"; return s; }
    draw() {
      const data = bindings(this.yasr);
      const hint = this.yasr.config.qkgHint;
      const value = numericColumn(data, hint);
      const label = labelColumn(data, hint, value);
      const wrap = document.createElement("div");
      wrap.className = "qkg-chart";
      const canvas = document.createElement("canvas");
      wrap.appendChild(canvas);
      this.yasr.resultsEl.appendChild(wrap);
      const rows = data.rows.slice(0, 200);
      if (this.chart) this.chart.destroy();
      this.chart = new Chart(canvas, {
        type: "bar",
        data: {
          labels: rows.map((r) => (r[label] ? r[label].value : "")),
          datasets: [{label: value, data: rows.map((r) => (r[value] ? Number(r[value].value) : 0)), backgroundColor: "#2f6fb0"}],
        },
        options: {animation: false, responsive: true, maintainAspectRatio: false, plugins: {legend: {display: true}}},
      });
    }
    destroy() { if (this.chart) { this.chart.destroy(); this.chart = null; } }
  }

  // WKT → rings of [lon, lat]
  function rings(wkt) {
    const text = wkt.replace(/^\s*<[^>]*>\s*/, "");
    const found = [];
    const re = /\(([^()]+)\)/g;
    let m;
    while ((m = re.exec(text))) {
      const ring = m[1].split(",").map((pair) => pair.trim().split(/\s+/).map(Number)).filter((p) => p.length >= 2 && !isNaN(p[0]) && !isNaN(p[1]));
      if (ring.length) found.push(ring);
    }
    return found;
  }

  function svgMap(shapes, width) {
    // shapes: [{rings, label, href}] — projected equirectangularly on their own bounding box
    let west = Infinity, east = -Infinity, south = Infinity, north = -Infinity;
    for (const s of shapes) for (const ring of s.rings) for (const [x, y] of ring) {
      west = Math.min(west, x); east = Math.max(east, x); south = Math.min(south, y); north = Math.max(north, y);
    }
    if (!isFinite(west)) return null;
    const pad = Math.max(east - west, north - south, 0.01) * 0.05;
    west -= pad; east += pad; south -= pad; north += pad;
    const k = Math.cos(((south + north) / 2) * Math.PI / 180);
    const scale = width / ((east - west) * k);
    const height = Math.max(200, Math.round((north - south) * scale));
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("class", "map qkg-map");
    const xy = ([x, y]) => [((x - west) * k * scale).toFixed(1), ((north - y) * scale).toFixed(1)];
    for (const s of shapes) {
      const parent = s.href ? document.createElementNS(ns, "a") : svg;
      if (s.href) { parent.setAttribute("href", s.href); svg.appendChild(parent); }
      let el;
      if (s.rings.length === 1 && s.rings[0].length === 1) {
        el = document.createElementNS(ns, "circle");
        const [cx, cy] = xy(s.rings[0][0]);
        el.setAttribute("cx", cx); el.setAttribute("cy", cy); el.setAttribute("r", 4);
      } else {
        el = document.createElementNS(ns, "path");
        el.setAttribute("d", s.rings.map((ring) => "M" + ring.map((p) => xy(p).join(" ")).join("L") + "z").join(""));
      }
      const title = document.createElementNS(ns, "title");
      title.textContent = s.label || "";
      el.appendChild(title);
      parent.appendChild(el);
    }
    return svg;
  }

  class MapPlugin {
    constructor(yasr) { this.yasr = yasr; this.priority = 4; this.label = "Carte / Map"; }
    canHandleResults() {
      const data = bindings(this.yasr);
      return !!(data && data.rows.length && (wktColumn(data, this.yasr.config.qkgHint) || latLong(data)));
    }
    getIcon() { const s = document.createElement("span"); s.textContent = "◎"; return s; }
    draw() {
      const data = bindings(this.yasr);
      const hint = this.yasr.config.qkgHint;
      const wkt = wktColumn(data, hint);
      const ll = latLong(data);
      const label = labelColumn(data, hint, wkt);
      const iri = data.vars.find((v) => data.rows.some((r) => r[v] && r[v].type === "uri"));
      const shapes = data.rows.map((r) => ({
        rings: wkt ? (r[wkt] ? rings(r[wkt].value) : []) : [[[Number(r[ll.lon].value), Number(r[ll.lat].value)]]],
        label: r[label] ? r[label].value : "",
        href: iri && r[iri] ? r[iri].value : null,
      })).filter((s) => s.rings.length);
      const svg = svgMap(shapes, 720);
      const wrap = document.createElement("div");
      wrap.className = "qkg-map-wrap";
      if (svg) wrap.appendChild(svg); else wrap.textContent = "Aucune géométrie / no geometry";
      this.yasr.resultsEl.appendChild(wrap);
    }
  }

  function register(Yasr) {
    Yasr.registerPlugin("chart", ChartPlugin);
    Yasr.registerPlugin("map", MapPlugin);
  }

  // after a catalogue question with a hint: one click away — select its view
  function offer(yasr, hint) {
    const name = hint.kind === "map" ? "map" : "chart";
    if (yasr.plugins[name] && yasr.plugins[name].canHandleResults()) yasr.selectPlugin(name);
  }

  return {register, offer, rings, svgMap};
})();
