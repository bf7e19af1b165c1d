/* Draws every chart block of a page: <div class="vega-chart" data-spec='{...vega-lite...}'></div>.
   Subscribes to mkdocs-material's document$ so charts are drawn again after instant navigation. */
(function () {
  function renderAll() {
    document.querySelectorAll("div.vega-chart:not([data-rendered])").forEach(function (el) {
      var spec = el.getAttribute("data-spec");
      if (!spec) return;
      el.setAttribute("data-rendered", "1");
      window.vegaEmbed(el, JSON.parse(spec), {
        actions: { export: true, source: false, compiled: false, editor: false },
        renderer: "svg"
      }).then(function () {
        el.setAttribute("data-rendered", "ok");
      }).catch(function (err) {
        el.setAttribute("data-rendered", "error");
        var pre = document.createElement("pre");
        pre.className = "vega-chart-error";
        pre.textContent = String(err);
        el.appendChild(pre);
      });
    });
  }
  // Draw on load, and again whenever mkdocs-material swaps the page in (instant navigation).
  // Both are needed: from file:// material's document$ may never emit. renderAll is idempotent.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(renderAll);
  }
})();
