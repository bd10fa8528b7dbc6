/* participation: consultation pages. Enhancements only: every form works without it.
 * A survey form (data-survey) shows a conditional question only while the earlier answer
 * it depends on is given; without JavaScript all questions are shown with a hint, and the
 * server ignores answers to questions that were not shown. */
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var checkable = input.type === "radio" || input.type === "checkbox";
      if (checkable ? input.checked : input.value) { values.push(input.value); }
    }
    return values;
  }

  function update(form) {
    var hidden = {};
    var blocks = form.querySelectorAll("[data-question]");
    // Conditions point only to earlier questions, so one pass in order is enough.
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var source = block.getAttribute("data-condition-question");
      if (!source) { continue; }
      var shown = !hidden[source] &&
        chosen(form, source).indexOf(block.getAttribute("data-condition-value")) !== -1;
      var wasHidden = block.hidden;
      block.hidden = !shown;
      if (!shown) { hidden[block.getAttribute("data-question")] = true; }
      if (wasHidden && shown) {
        // A map that was hidden has no size yet; Leaflet measures again on resize.
        window.dispatchEvent(new Event("resize"));
      }
    }
  }

  function start() {
    var forms = document.querySelectorAll("form[data-survey]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var notes = form.querySelectorAll(".condition");
        for (var j = 0; j < notes.length; j++) { notes[j].classList.add("condition-live"); }
        form.addEventListener("change", function () { update(form); });
        update(form);
      })(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
