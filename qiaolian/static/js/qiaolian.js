// Small behaviours shared by the staff site and the portal, without inline scripts or inline
// event handlers, so that the Content-Security-Policy (script-src 'self') holds:
//   data-autosubmit         on a <select> or input: submits its form when it changes
//   data-confirm="text"     on a button or link: asks before it acts; on a <form>: before it submits
//   data-print              on a button: prints the page
//   data-formset-add        on a button: adds a row to a Django formset from a <template>
//                           (data-formset-template: its id; data-formset-total: the id of the
//                           TOTAL_FORMS input; data-formset-target: the id of the container, else
//                           the row goes just before the button; __prefix__ becomes the row's
//                           index, __n__ its number counted from 1)
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var asking = target.closest("[data-confirm]:not(form)");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var add = target.closest("[data-formset-add]");
    if (add) { addFormsetRow(add); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") &&
        !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  function addFormsetRow(button) {
    var total = document.getElementById(button.getAttribute("data-formset-total"));
    var template = document.getElementById(button.getAttribute("data-formset-template"));
    if (!total || !template) { return; }
    var n = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(n)).replace(/__n__/g, String(n + 1));
    var targetId = button.getAttribute("data-formset-target");
    var container = targetId ? document.getElementById(targetId) : null;
    if (container) {
      container.insertAdjacentHTML("beforeend", html);
    } else {
      button.insertAdjacentHTML("beforebegin", html);
    }
    total.value = n + 1;
  }
})();
