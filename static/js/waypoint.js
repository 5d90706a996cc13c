// Lay long checkbox lists out in columns (progressive enhancement: without
// JavaScript they stay a plain list).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[id^=div_id_]").forEach((wrapper) => {
    const checks = wrapper.querySelectorAll(".form-check");
    if (checks.length > 4) checks[0].parentElement.classList.add("checkbox-columns");
  });
});
