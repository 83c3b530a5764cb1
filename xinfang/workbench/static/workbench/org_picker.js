// The 协办单位 choice on the 转送 / 交办 form: a <select multiple> with an <optgroup> per level,
// made searchable. A filter box above it hides the organs whose name does not contain what is
// typed (the chosen ones stay in view), a click picks or drops an organ without Ctrl, and a line
// below names the chosen ones. Without scripts the plain list works as before (Ctrl-click).
(function () {
  "use strict";

  function enhance(select) {
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "org-picker-filter";
    filter.placeholder = "输入名称筛选，如“人力资源”";
    filter.setAttribute("aria-label", "筛选协办单位");
    filter.setAttribute("aria-controls", select.id);
    var chosen = document.createElement("div");
    chosen.className = "help org-picker-chosen";
    chosen.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(filter, select);
    select.parentNode.insertBefore(chosen, select.nextSibling);

    function showChosen() {
      var names = [];
      Array.prototype.forEach.call(select.options, function (o) { if (o.selected) { names.push(o.text); } });
      chosen.textContent = names.length ? "已选 " + names.length + " 个：" + names.join("、") : "未选协办单位";
    }

    function applyFilter() {
      var words = filter.value.trim();
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var shown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (o) {
          var visible = !words || o.selected || o.text.indexOf(words) !== -1;
          o.hidden = !visible;
          if (visible) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
    }

    select.addEventListener("mousedown", function (event) {
      var option = event.target;
      if (!option || option.tagName !== "OPTION") { return; }
      event.preventDefault();  // a click toggles one organ, keeping the others chosen
      option.selected = !option.selected;
      select.focus();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    select.addEventListener("change", showChosen);
    filter.addEventListener("input", applyFilter);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // typing a name never submits the form
    });
    showChosen();
  }

  document.querySelectorAll("select[multiple][data-org-picker]").forEach(enhance);
})();
