// Oversikt: a department's row and its point in the funnel plot light up together, on
// hover or keyboard focus, so a point can be found in the table and a row in the plot.
(function () {
  "use strict";

  function matching(article, unit) {
    var found = [];
    article.querySelectorAll("[data-unit]").forEach(function (el) {
      if (el.getAttribute("data-unit") === unit) found.push(el);
    });
    return found;
  }

  function light(article, unit, on) {
    matching(article, unit).forEach(function (el) { el.classList.toggle("highlight", on); });
  }

  document.querySelectorAll("article.indicator").forEach(function (article) {
    article.querySelectorAll("[data-unit]").forEach(function (el) {
      var unit = el.getAttribute("data-unit");
      ["mouseenter", "focus"].forEach(function (name) {
        el.addEventListener(name, function () { light(article, unit, true); });
      });
      ["mouseleave", "blur"].forEach(function (name) {
        el.addEventListener(name, function () { light(article, unit, false); });
      });
    });
  });
})();
