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

// Survey questions shown only for a given answer of an earlier choice question
// (data-show-if names that question's field, data-show-value the choice's code).
// Without script, the page shows what the last save showed.
function surveyConditions(form) {
  form.querySelectorAll("[data-show-if]").forEach(function (field) {
    const name = field.dataset.showIf;
    const chosen = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox" ? input.checked : input.value) {
        chosen.push(input.value);
      }
    });
    const parent = document.getElementById("field-" + name);
    field.hidden = !((!parent || !parent.hidden) && chosen.includes(field.dataset.showValue));
  });
}
document.addEventListener("change", function (event) {
  const form = event.target.closest("form.questionnaire");
  if (form) {
    surveyConditions(form);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.questionnaire").forEach(surveyConditions);
});

// Disclosures that stay open on a wide screen (the main menu, the directory's filters):
// folded on a phone, where they would fill the first screen.
function openWide() {
  const wide = window.matchMedia("(min-width: 48em)").matches;
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    if (wide) {
      details.open = true;
    }
  });
}
document.addEventListener("DOMContentLoaded", openWide);

// A table wider than its wrapper scrolls sideways: the keyboard must reach it (RGAA
// 7.3, axe "scrollable-region-focusable"), so the wrapper becomes a focusable region
// named by the table's caption or the heading before it. Wrappers that fit stay out of
// the tab order.
function scrollableTables() {
  document.querySelectorAll(".table-wrap").forEach(function (wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      if (!wrap.hasAttribute("tabindex")) {
        const caption = wrap.querySelector("caption");
        let heading = wrap.previousElementSibling;
        while (heading && !/^H[1-6]$/.test(heading.tagName)) {
          heading = heading.previousElementSibling;
        }
        const name = (caption || heading || {}).textContent || document.title;
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", name.trim());
        wrap.setAttribute("data-scroll-region", "");
      }
    } else if (wrap.hasAttribute("data-scroll-region")) {
      ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
        wrap.removeAttribute(name);
      });
    }
  });
}
document.addEventListener("DOMContentLoaded", scrollableTables);
window.addEventListener("resize", scrollableTables);
