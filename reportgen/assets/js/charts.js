/* Draws every chart block of a page: <div class="vega-chart"><script type="application/json">spec</script></div>.
   Subscribes to mkdocs-material's document$ so charts are drawn again after instant navigation. */
(function () {
  function renderAll() {
    document.querySelectorAll("div.vega-chart:not([data-rendered])").forEach(function (el) {
      var src = el.querySelector('script[type="application/json"]');
      if (!src) return;
      el.setAttribute("data-rendered", "1");
      window.vegaEmbed(el, JSON.parse(src.textContent), {
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
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(renderAll);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();
