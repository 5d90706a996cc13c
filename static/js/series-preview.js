// "Creates N dates" under a weekly series, before saving (sessions/group_form.html).
// The form carries data-series-preview; the count is recomputed on every change.
// The words come from the element's data-one-off, data-one, data-many and
// data-too-many attributes (translated in the template; {n} and {max} are filled here).
(function () {
  "use strict";
  function parse(value) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value || "")) return null;
    var d = new Date(value + "T00:00:00Z");
    return isNaN(d.getTime()) ? null : d;
  }
  function words(out, name, fallback, n, max) {
    var text = out.getAttribute("data-" + name) || fallback;
    return text.replace("{n}", String(n)).replace("{max}", String(max));
  }
  function update(form) {
    var out = form.querySelector("[data-series-count]");
    if (!out) return;
    var day = parse((form.querySelector("[name=day]") || {}).value);
    var until = parse((form.querySelector("[name=weekly_until]") || {}).value);
    var count = parseInt((form.querySelector("[name=weekly_count]") || {}).value, 10);
    var max = parseInt(out.getAttribute("data-max"), 10) || 52;
    var n = 0;
    if (count > 0) {
      n = count;
    } else if (day && until && until >= day) {
      n = Math.floor((until - day) / (7 * 86400000)) + 1;
    }
    if (!n) {
      out.textContent = words(out, "one-off", "A one-off date.", n, max);
    } else if (n > max) {
      out.textContent = words(out, "too-many", "This would create {n} dates: a series ends within a year (at most {max}).", n, max);
    } else {
      out.textContent = n === 1 ? words(out, "one", "Creates 1 date.", n, max) : words(out, "many", "Creates {n} dates.", n, max);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-series-preview]").forEach(function (form) {
      form.addEventListener("input", function () { update(form); });
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
  });
})();
