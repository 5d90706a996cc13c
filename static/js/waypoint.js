document.addEventListener("DOMContentLoaded", () => {
  // Required inputs already carry the `required` attribute, which screen
  // readers announce; the visual asterisk would only be read out as "star".
  document.querySelectorAll(".asteriskField").forEach((star) => star.setAttribute("aria-hidden", "true"));

  // After a failed submit, take keyboard and screen-reader users to the list
  // of what needs fixing instead of leaving them at the top of a long form.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // Typed text in one form is lost when another form on the page is sent.
  const guarded = document.querySelectorAll("form[data-warn-unsaved]");
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      for (const other of guarded) {
        if (other === form) continue;
        const typed = [...other.querySelectorAll("textarea")].some((box) => box.value.trim());
        if (typed && !window.confirm(other.dataset.warnUnsaved)) event.preventDefault();
      }
    });
  });

  // Buttons that ask before they act (data-confirm="question"): the
  // Content-Security-Policy allows no inline onclick handlers.
  document.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  });

  // Sign-in: "Keep me signed in" and "This is a shared device" exclude each
  // other (the server refuses both as well).
  const keep = document.getElementById("id_keep_signed_in");
  const shared = document.getElementById("id_shared_device");
  if (keep && shared) {
    keep.addEventListener("change", () => { if (keep.checked) shared.checked = false; });
    shared.addEventListener("change", () => { if (shared.checked) keep.checked = false; });
  }

  // Show a slider's value next to it as it moves.
  document.querySelectorAll("input[type=range]").forEach((slider) => {
    const output = slider.parentElement.querySelector("output");
    if (output) slider.addEventListener("input", () => { output.textContent = `${slider.value}%`; });
  });

  // Lay long checkbox lists out in columns (progressive enhancement: without
  // JavaScript they stay a plain list).
  document.querySelectorAll("[id^=div_id_]").forEach((wrapper) => {
    const checks = wrapper.querySelectorAll(".form-check");
    if (checks.length > 4) checks[0].parentElement.classList.add("checkbox-columns");
  });

  // After a person's own htmx action replaces a piece of the page (mark read, a
  // milestone ticked, attendance), the control they used is gone: focus moves to
  // the new piece, so a screen reader reads what it says now (a status announced)
  // and the keyboard stays where it was. Polling (GET) never moves focus.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const config = event.detail.requestConfig;
    if (!config || config.verb === "get") return;
    const old = event.detail.target;
    const fresh = old && old.id ? document.getElementById(old.id) : null;
    const active = document.activeElement;
    if (!fresh || (active && active !== document.body && active.isConnected)) return;
    if (!fresh.hasAttribute("tabindex")) fresh.setAttribute("tabindex", "-1");
    fresh.focus();
  });
});
