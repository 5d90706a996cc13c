document.addEventListener("DOMContentLoaded", () => {
  // Required inputs already carry the `required` attribute, which screen
  // readers announce; the visual asterisk would only be read out as "star".
  document.querySelectorAll(".asteriskField").forEach((star) => star.setAttribute("aria-hidden", "true"));

  // Lay long checkbox lists out in columns (progressive enhancement: without
  // JavaScript they stay a plain list).
  document.querySelectorAll("[id^=div_id_]").forEach((wrapper) => {
    const checks = wrapper.querySelectorAll(".form-check");
    if (checks.length > 4) checks[0].parentElement.classList.add("checkbox-columns");
  });
});
