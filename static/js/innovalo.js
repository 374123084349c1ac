// Small behaviours without inline script (the CSP forbids it).
document.addEventListener("click", function (event) {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  const target = event.target.closest("[data-autosubmit]");
  if (target && target.form) {
    target.form.requestSubmit();
  }
});
