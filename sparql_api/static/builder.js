// The visual builder: Sparnatural (configured by /builder/config.ttl, generated from the ontology and the
// shapes) writes SPARQL; the page runs it against /sparql and shows the rows, or opens it in the editor.
(function () {
  "use strict";
  const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "fr";
  const sparnatural = document.getElementById("sparnatural");
  sparnatural.setAttribute("lang", lang);
  const Yasr = Yasgui.Yasr;
  QKGPlugins.register(Yasr);
  const yasr = new Yasr(document.getElementById("yasr"), {
    pluginOrder: ["table", "chart", "map", "response"], defaultPlugin: "table", persistenceId: null,
    prefixes: window.QKG.prefixes,
  });
  const pre = document.getElementById("generated-sparql");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const openEditor = document.getElementById("open-editor");
  let query = "";

  sparnatural.addEventListener("queryUpdated", (event) => {
    query = sparnatural.expandSparql(event.detail.queryString);
    pre.textContent = query;
    openEditor.href = "/sparql#query=" + encodeURIComponent(query);
  });

  async function run() {
    if (!query) { status.textContent = "construire d'abord une requête / build a query first"; return; }
    errorBox.hidden = true;
    status.textContent = "…";
    const started = performance.now();
    const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
      headers: {Accept: "application/sparql-results+json"}});
    const body = await response.text();
    const ms = Math.round(performance.now() - started);
    if (sparnatural.enablePlayBtn) sparnatural.enablePlayBtn();
    if (!response.ok) {
      errorBox.hidden = false;
      errorBox.textContent = `${response.status} — ${body}`;
      status.textContent = `${ms} ms`;
      return;
    }
    yasr.setResponse({data: body, contentType: response.headers.get("content-type"), status: 200, executionTime: ms}, ms);
    let rows = "";
    try { rows = `${JSON.parse(body).results.bindings.length} ligne(s) / row(s) — `; } catch (e) { /* */ }
    status.innerHTML = `<span id="query-time">${rows}${ms} ms</span>`;
  }

  sparnatural.addEventListener("submit", () => { if (sparnatural.disablePlayBtn) sparnatural.disablePlayBtn(); run(); });
  document.getElementById("builder-run").addEventListener("click", run);
  window.QKGBuilder = {sparnatural, yasr, run, get query() { return query; }};
})();
