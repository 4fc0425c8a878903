// The query page: YASQE (editor) + YASR (results) from @zazuko/yasgui, served locally; queries go to the
// project's endpoint with fetch (POST form), so the page measures the time and shows errors with line/column.
(function () {
  "use strict";
  const cfg = window.QKG;
  const Yasqe = Yasgui.Yasqe, Yasr = Yasgui.Yasr;
  const prefixLines = Object.entries(cfg.prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
  const DEFAULT_QUERY = prefixLines + "\n\n" +
    "# Contrats 2024-2030 et nombre de QPV couverts / 2024-2030 contracts and the QPV they cover\n" +
    "SELECT ?contrat ?nom (COUNT(?qpv) AS ?qpvs) WHERE {\n" +
    "  ?contrat a qk:Quartiers2030Contract ; rdfs:label ?nom .\n" +
    "  OPTIONAL { ?contrat qk:coversQPV ?qpv }\n" +
    "} GROUP BY ?contrat ?nom ORDER BY DESC(?qpvs)\n";

  function fromFragment() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    return params.get("query");
  }

  const yasqe = new Yasqe(document.getElementById("yasqe"), {
    value: fromFragment() || DEFAULT_QUERY,
    persistenceId: null,
    showQueryButton: false,
    autocompleters: ["variables", "prefixes"],
    requestConfig: {endpoint: cfg.endpoint, method: "POST"},
    resizeable: true,
    collapsePrefixesOnLoad: true,
    editorHeight: "320px",
  });
  // prefixes known to the editor: the project's own (autocompletion after "PREFIX ")
  Yasqe.defaults.prefixCcApi = "";
  QKGPlugins.register(Yasr);
  const yasr = new Yasr(document.getElementById("yasr"), {
    pluginOrder: ["table", "chart", "map", "response"],
    defaultPlugin: "table",
    persistenceId: null,
    prefixes: cfg.prefixes,
    getUsedPrefixes: () => yasqe.getPrefixesFromQuery(),
  });

  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  let marked = null;
  let lastHint = null;  // the chart hint of the question last run, for the chart and map views

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    if (marked) { marked.clear(); marked = null; }
  }

  function showError(status, text) {
    errorBox.hidden = false;
    errorBox.textContent = `${status} — ${text}`;
    // the endpoint says where: "line N, column M" / "ligne N, colonne M" / "at N:M"
    const m = /(?:line|ligne)\s+(\d+)[^\d]+(\d+)/i.exec(text) || /\bat\s+(\d+):(\d+)/.exec(text);
    if (m) {
      const line = parseInt(m[1], 10) - 1, col = Math.max(parseInt(m[2], 10) - 1, 0);
      const where = document.createElement("strong");
      where.className = "where";
      where.textContent = ` (ligne ${line + 1}, colonne ${col + 1} / line ${line + 1}, column ${col + 1})`;
      errorBox.appendChild(where);
      marked = yasqe.markText({line, ch: col}, {line, ch: col + 1}, {className: "error-mark"});
      yasqe.setCursor({line, ch: col});
      yasqe.addLineClass(line, "background", "error-line");
      const clearLine = () => { yasqe.removeLineClass(line, "background", "error-line"); yasqe.off("change", clearLine); };
      yasqe.on("change", clearLine);
    }
  }

  function acceptFor(text) {
    const type = yasqe.getQueryType ? yasqe.getQueryType() : "SELECT";
    if (type === "CONSTRUCT" || type === "DESCRIBE") return "text/turtle";
    return "application/sparql-results+json";
  }

  async function runRequest(url, init, label) {
    clearError();
    document.querySelectorAll(".yasr .suggested").forEach((el) => el.classList.remove("suggested"));
    status.textContent = "… " + label;
    const started = performance.now();
    let response, body;
    try {
      response = await fetch(url, init);
      body = await response.text();
    } catch (err) {
      status.textContent = "";
      showError("réseau / network", String(err));
      return;
    }
    const ms = Math.round(performance.now() - started);
    const contentType = response.headers.get("content-type") || "";
    if (!response.ok) {
      let text = body;
      try { const j = JSON.parse(body); text = j.detail || j.error || j.message || body; if (typeof text !== "string") text = JSON.stringify(text); } catch (e) { /* plain text */ }
      status.textContent = `${ms} ms`;
      showError(response.status, text);
      yasr.setResponse({error: {status: response.status, text}, executionTime: ms});
      return;
    }
    yasr.config.qkgHint = lastHint;
    yasr.setResponse({data: body, contentType, status: response.status, executionTime: ms}, ms);
    let rows = "";
    try { const j = JSON.parse(body); if (j.results) rows = `${j.results.bindings.length} ligne(s) / row(s) — `; } catch (e) { /* not JSON */ }
    status.innerHTML = "";
    const s = document.createElement("span");
    s.id = "query-time";
    s.textContent = `${rows}${ms} ms`;
    status.appendChild(s);
  }

  function runQuery() {
    lastHint = null;
    const query = yasqe.getValue();
    const body = new URLSearchParams({query});
    return runRequest(cfg.endpoint, {method: "POST", body, headers: {Accept: acceptFor(query)}}, "requête / query");
  }

  async function download(accept, ext) {
    const body = new URLSearchParams({query: yasqe.getValue()});
    const response = await fetch(cfg.endpoint, {method: "POST", body, headers: {Accept: accept}});
    if (!response.ok) { showError(response.status, await response.text()); return; }
    const blob = await response.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "resultats." + ext;
    document.body.appendChild(a); a.click(); a.remove();
  }

  document.getElementById("run").addEventListener("click", runQuery);
  yasqe.setOption("extraKeys", Object.assign({}, yasqe.getOption("extraKeys") || {}, {
    "Ctrl-Enter": runQuery, "Cmd-Enter": runQuery,
  }));
  document.getElementById("download-csv").addEventListener("click", () => download("text/csv", "csv"));
  document.getElementById("download-json").addEventListener("click", () => download("application/sparql-results+json", "json"));
  document.getElementById("share").addEventListener("click", () => {
    const url = `${location.origin}${cfg.endpoint}#query=${encodeURIComponent(yasqe.getValue())}`;
    history.replaceState(null, "", `#query=${encodeURIComponent(yasqe.getValue())}`);
    if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
    status.textContent = "lien copié / link copied";
  });

  // --- the catalogue of questions as examples (GET /questions; empty-safe until it is served) -------------
  const list = document.getElementById("examples");
  const form = document.getElementById("question-form");
  let current = null;

  // the terms the service writes for parameter values (graph.questions: pyoxigraph's own forms)
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  function sparqlTerm(type, value) {
    if (type === "iri") return `<${value}>`;
    if (type === "integer") return String(parseInt(value, 10));
    const lit = '"' + String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
    if (type === "date") return `${lit}^^<${XSD}date>`;
    if (type === "year") return `${lit}^^<${XSD}gYear>`;
    return lit;
  }

  function formValues() {
    const values = {};
    form.querySelectorAll("input[data-param]").forEach((input) => { values[input.dataset.param] = input.value; });
    return values;
  }

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // The catalogue gives each question's SPARQL rendered with its defaults ("query"); for the editor, the terms
  // of the defaults the user changed are replaced by the new values' terms ($name variables too, if present).
  // The question itself always runs through GET /questions/{name}, where the service checks every value.
  function questionText(q, values) {
    let text = q.query || "";
    for (const p of q.parameters || []) {
      const value = values[p.name] ?? p.default;
      const term = sparqlTerm(p.type, value);
      text = text.replace(new RegExp("[$]" + p.name + "\\b", "g"), term);
      if (value !== p.default && p.default !== undefined && p.default !== null && p.default !== "") {
        const old = sparqlTerm(p.type, p.default);
        const bounded = p.type === "integer" ? "(?<![\\w.])" + escapeRegExp(old) + "(?![\\w.])" : escapeRegExp(old);
        text = text.replace(new RegExp(bounded, "g"), term);
      }
    }
    const header = `# ${q.name}: ${q.title ? q.title.fr + " / " + q.title.en : ""}\n`;
    return /^\s*PREFIX/im.test(text) ? header + text : header + prefixLines + "\n\n" + text;
  }

  function select(q) {
    current = q;
    form.hidden = false;
    document.getElementById("question-title").textContent = `${q.title.fr} / ${q.title.en}`;
    document.getElementById("question-description").textContent = `${q.description.fr} — ${q.description.en}`;
    const params = document.getElementById("question-parameters");
    params.innerHTML = "";
    for (const p of q.parameters || []) {
      const label = document.createElement("label");
      const desc = p.description ? (typeof p.description === "string" ? p.description : `${p.description.fr || ""} / ${p.description.en || ""}`) : "";
      label.textContent = `${p.name} (${p.type}) ${desc}`;
      const input = document.createElement("input");
      input.dataset.param = p.name;
      input.value = p.default ?? "";
      label.appendChild(input);
      params.appendChild(label);
    }
    list.querySelectorAll("li").forEach((li) => li.classList.toggle("selected", li.dataset.name === q.name));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current) return;
    const values = formValues();
    const query = new URLSearchParams(values).toString();
    yasqe.setValue(questionText(current, values));
    const hint = current.chart || current.chart_hint || null;
    runRequest(`/questions/${encodeURIComponent(current.name)}${query ? "?" + query : ""}`,
      {headers: {Accept: "application/sparql-results+json"}}, current.name).then(() => {
        lastHint = hint;
        yasr.config.qkgHint = hint;
        // the chart / map view is one click away: its tab in the result bar is marked
        const tab = hint && document.querySelector(`.yasr .select_${hint.kind === "map" ? "map" : "chart"}`);
        if (tab) tab.classList.add("suggested");
      });
  });
  document.getElementById("question-edit").addEventListener("click", () => {
    if (current) yasqe.setValue(questionText(current, formValues()));
  });

  fetch("/questions", {headers: {Accept: "application/json"}})
    .then((r) => (r.ok ? r.json() : []))
    .catch(() => [])
    .then((questions) => {
      list.innerHTML = "";
      if (!Array.isArray(questions) || questions.length === 0) {
        const li = document.createElement("li");
        li.className = "hint";
        li.id = "examples-empty";
        li.textContent = "Catalogue indisponible / catalogue not available";
        list.appendChild(li);
        return;
      }
      for (const q of questions) {
        const li = document.createElement("li");
        li.dataset.name = q.name;
        const a = document.createElement("a");
        a.href = "#";
        a.textContent = q.title ? `${q.title.fr}` : q.name;
        a.title = q.title ? q.title.en : "";
        a.addEventListener("click", (e) => { e.preventDefault(); select(q); });
        li.appendChild(a);
        list.appendChild(li);
      }
    });

  window.QKGConsole = {yasqe, yasr, runQuery};
})();
