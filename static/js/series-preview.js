// "Creates N dates" under a weekly series, before saving (sessions/group_form.html).
// The form carries data-series-preview; the count is recomputed on every change.
// The words come from the page, in the reader's language: the [data-series-count]
// element may carry data-one-off, data-creates-one, data-creates-many and
// data-too-many ("{n}" and "{max}" are replaced); English when they are missing.
(function () {
  "use strict";
  function parse(value) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value || "")) return null;
    var d = new Date(value + "T00:00:00Z");
    return isNaN(d.getTime()) ? null : d;
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
    var words = out.dataset;
    function say(template, fallback) {
      return (template || fallback).replace("{n}", n).replace("{max}", max);
    }
    if (!n) {
      out.textContent = say(words.oneOff, "A one-off date.");
    } else if (n > max) {
      out.textContent = say(words.tooMany, "This would create {n} dates: a series ends within a year (at most {max}).");
    } else if (n === 1) {
      out.textContent = say(words.createsOne, "Creates 1 date.");
    } else {
      out.textContent = say(words.createsMany, "Creates {n} dates.");
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
