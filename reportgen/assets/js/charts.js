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
      }).then(function (result) {
        el.logbookView = result.view; // the trial table's filter highlights its trials here
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

/* The full trial table of a study page: click a header to sort, type to filter. No library. */
(function () {
  function key(cell, numeric) {
    var v = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (!numeric) return v.toLowerCase();
    var x = parseFloat(v);
    return isNaN(x) ? Infinity : x;
  }
  // The axis plots draw the trials the filter hides faint (their table_filtering/table_trials
  // parameters, reportgen/charts/axis.py); ids null: no filter, every trial drawn as usual.
  function highlight(ids) {
    document.querySelectorAll("div.vega-chart").forEach(function (el) {
      var view = el.logbookView;
      if (!view) return;
      try {
        view.signal("table_filtering", ids !== null).signal("table_trials", ids || []).runAsync();
      } catch (err) { /* a chart without the parameters (not an axis plot) */ }
    });
  }
  function setup() {
    document.querySelectorAll("div.logbook-trials:not([data-ready])").forEach(function (box) {
      box.setAttribute("data-ready", "1");
      var table = box.querySelector("table");
      var body = table.tBodies[0];
      var count = box.querySelector(".logbook-trials-count");
      var total = body.rows.length;
      table.querySelectorAll("th").forEach(function (th, col) {
        th.style.cursor = "pointer";
        th.title = "sort";
        th.addEventListener("click", function () {
          var numeric = th.getAttribute("data-sort-type") === "num";
          var up = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", up ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var ka = key(a.cells[col], numeric), kb = key(b.cells[col], numeric);
            if (numeric && (ka === Infinity) !== (kb === Infinity)) return ka === Infinity ? 1 : -1;
            var c = ka < kb ? -1 : ka > kb ? 1 : 0;
            return up ? c : -c; // trials without a value stay last either way
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
      box.querySelector("input.logbook-trials-filter").addEventListener("input", function (e) {
        var q = e.target.value.trim().toLowerCase();
        var shown = 0;
        Array.prototype.forEach.call(body.rows, function (r) {
          var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
          r.hidden = !hit;
          if (hit) shown++;
        });
        count.textContent = (q ? shown + " of " : "") + total + " trials";
        highlight(q ? Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; })
          .map(function (r) { return r.cells[1].textContent.trim(); }) : null);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(setup);
})();
