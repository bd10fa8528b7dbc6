/* Participatory budget, public side: the ballot's running total and filters while the
   voter chooses, and copying the receipt code. Everything here only enhances: without
   JavaScript "Check my ballot" and "Show matching projects" do the same on the server. */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function ballot(form) {
    var data = form.dataset;
    var method = data.method;
    var amount = parseFloat(data.amount);
    var money;
    try {
      money = new Intl.NumberFormat(data.locale, { style: "currency", currency: data.currency });
    } catch (e) {
      money = { format: function (n) { return n.toFixed(2) + " " + data.currency; } };
    }
    var cap = parseInt(data.cap, 10);
    var maxProjects = parseInt(data.maxProjects, 10);
    var total = document.getElementById("ballot-total");
    var rows = Array.prototype.slice.call(form.querySelectorAll(".ballot-project"));

    function valueOf(row) {
      var checked = row.querySelector("input[type=radio]:checked");
      if (checked) return parseInt(checked.value || "0", 10) || 0;
      var box = row.querySelector("input[type=checkbox]");
      if (box) return box.checked ? 1 : 0;
      var number = row.querySelector("input.points-input");
      return number ? parseInt(number.value || "0", 10) || 0 : 0;
    }

    function update() {
      var cost = 0, chosen = 0, points = 0, plus = 0, minus = 0, overCap = false;
      rows.forEach(function (row) {
        var v = valueOf(row);
        if (cap && v > cap) overCap = true;
        if (v > 0) { cost += parseFloat(row.dataset.cost); chosen += 1; points += v; plus += 1; }
        if (v < 0) { minus += 1; }
      });
      // Hidden inputs hold choices among projects the server filtered out.
      form.querySelectorAll("input[type=hidden][name^='p-']").forEach(function (input) {
        var v = parseInt(input.value || "0", 10) || 0;
        if (v > 0) {
          cost += parseFloat(input.dataset.cost || "0");
          chosen += 1; points += v; plus += 1;
        }
        if (v < 0) { minus += 1; }
      });
      var text;
      var over = false;
      if (method === "approval") {
        text = fill(data.textApproval, { count: chosen, total: money.format(cost), amount: money.format(amount) });
        text += " " + (cost <= amount
          ? fill(data.textLeft, { left: money.format(amount - cost) })
          : fill(data.textOver, { over: money.format(cost - amount) }));
        over = chosen > maxProjects;
      } else if (method === "k_approval") {
        text = fill(data.textKApproval, { used: chosen, max: data.k });
        over = chosen > parseInt(data.k, 10);
      } else if (method === "points") {
        text = fill(data.textPoints, { used: points, max: data.points });
        // One project over the cap; "Check my ballot" says which.
        over = points > parseInt(data.points, 10) || overCap;
      } else {
        text = fill(data.textD21, { plus: plus, plusMax: data.plus, minus: minus, minusMax: data.minus });
        over = plus > parseInt(data.plus, 10) || minus > parseInt(data.minus, 10);
      }
      if (over) text += " " + data.textLimit;
      total.textContent = "";
      var p = document.createElement("p");
      p.textContent = text;
      if (over || (method === "approval" && cost > amount)) p.className = "ballot-over";
      total.appendChild(p);
    }

    function filter() {
      var words = (form.querySelector("#ballot-q") || { value: "" }).value.trim().toLowerCase();
      var category = (form.querySelector("#ballot-category") || { value: "" }).value;
      var district = (form.querySelector("#ballot-district") || { value: "" }).value;
      var shown = 0;
      rows.forEach(function (row) {
        var match = (!words || row.dataset.words.indexOf(words) !== -1) &&
          (!category || row.dataset.category === category) &&
          (!district || row.dataset.district === district);
        row.hidden = !match;
        if (match) shown += 1;
      });
      var status = document.getElementById("ballot-shown");
      if (status && data.shownText) {
        status.textContent = fill(data.shownText, { shown: shown, total: rows.length });
      }
    }

    form.addEventListener("change", function (event) {
      if (event.target.name && event.target.name.indexOf("p-") === 0) update();
      else filter();
    });
    form.addEventListener("input", function (event) {
      if (event.target.classList.contains("points-input")) update();
      else if (event.target.id === "ballot-q") filter();
    });
    update();
  }

  function copyButton(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        var status = document.getElementById("copy-status");
        if (status) status.textContent = button.dataset.copied;
      });
    });
  }

  document.querySelectorAll("form.ballot").forEach(ballot);
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
})();
