// The registration form's hint of a legal route (诉访分离, 第三十一条): when the clerk picks a
// content category or types the title or content, the routes the legal-route guide suggests are
// fetched (an HTML fragment the server renders and escapes) and shown in the panel; nothing is
// shown when none fits. Without scripts the panel is drawn after 查重.
(function () {
  "use strict";
  var panel = document.getElementById("legal-route-panel");
  var category = document.getElementById("id_category");
  if (!panel || !category) { return; }
  var body = panel.querySelector(".legal-route-body");
  var subject = document.getElementById("id_subject");
  var content = document.getElementById("id_content");
  var url = panel.getAttribute("data-url");
  var timer = null, asked = "";

  function refresh() {
    var params = new URLSearchParams({
      category: category.value || "",
      subject: subject ? subject.value.slice(0, 200) : "",
      content: content ? content.value.slice(0, 1500) : ""
    });
    var key = params.toString();
    if (key === asked) { return; }
    asked = key;
    if (!category.value) { body.textContent = ""; panel.hidden = true; return; }
    fetch(url + "?" + key, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (key !== asked) { return; }  // a later request has been sent
        body.innerHTML = html;
        panel.hidden = !html.trim();
      })
      .catch(function () { /* a hint only; registration works without it */ });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 400);
  }

  category.addEventListener("change", refresh);
  [subject, content].forEach(function (el) { if (el) { el.addEventListener("input", later); } });
})();
