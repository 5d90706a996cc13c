// A conversation's thread refreshes every 15 s (htmx swaps in a new #thread).
// Its Report buttons ask before they act, like every data-confirm button;
// waypoint.js binds the ones present when the page loaded, this binds the
// ones each refresh brings (htmx fires htmx:load on the new content; on the
// first load it fires it on <body>, which waypoint.js has covered).
document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!root || root === document.body || !root.querySelectorAll) return;
  root.querySelectorAll("[data-confirm]").forEach((button) => {
    button.addEventListener("click", (click) => {
      if (!window.confirm(button.dataset.confirm)) click.preventDefault();
    });
  });
});
