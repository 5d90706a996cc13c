// Dark mode that follows the person's device setting (prefers-color-scheme):
// Bootstrap 5.3 reads data-bs-theme on <html>. Loaded with a plain <script src>
// in <head>, before the stylesheet paints, so a dark page never flashes light;
// it follows the setting when it changes while the page is open.
(() => {
  const query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  const apply = () => document.documentElement.setAttribute("data-bs-theme", query && query.matches ? "dark" : "light");
  apply();
  if (query && query.addEventListener) query.addEventListener("change", apply);
})();
