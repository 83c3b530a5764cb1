// The registration form's panel of a person's earlier matters: as soon as a petitioner row holds a
// complete ID number (18 characters) or mobile number (11 digits), the matters of that person the
// clerk may see are fetched (POST, so the numbers stay out of URLs and logs) and listed with their
// status, 信访日期 and responsible unit, whatever their wording.
(function () {
  "use strict";
  var form = document.querySelector("form.wb-form");
  var panel = document.getElementById("person-matters");
  if (!form || !panel) { return; }
  var list = panel.querySelector("ul");
  var title = panel.querySelector(".person-matters-title");
  var url = panel.getAttribute("data-url");
  var ID = /^[0-9]{17}[0-9X]$/;
  var MOBILE = /^1[3-9][0-9]{9}$/;
  var asked = "";

  function bare(value) {
    // Full-width digits and X, spaces and dashes, as pii.normalise treats them.
    return (value || "").replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/[\s-]/g, "").toUpperCase();
  }

  function typed() {
    var out = [];
    form.querySelectorAll("tr.petitioner-row").forEach(function (row) {
      var id = row.querySelector("input[name$='-id_number']");
      var phone = row.querySelector("input[name$='-phone']");
      var i = bare(id && id.value), p = bare(phone && phone.value);
      if (ID.test(i) || MOBILE.test(p)) {
        out.push({id_number: ID.test(i) ? i : "", phone: MOBILE.test(p) ? p : ""});
      }
    });
    return out;
  }

  function show(matters) {
    list.textContent = "";
    if (!matters.length) { panel.hidden = true; return; }
    title.textContent = "该信访人此前的信访事项（" + matters.length + " 件）";
    matters.forEach(function (m) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = m.url; a.target = "_blank"; a.textContent = m.number;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + m.subject + "（" + m.status + "，信访日期 " +
        m.received_on + "，" + m.unit + "）"));
      list.appendChild(li);
    });
    panel.hidden = false;
  }

  function lookup() {
    var people = typed();
    var key = JSON.stringify(people);
    if (key === asked) { return; }
    asked = key;
    if (!people.length) { show([]); return; }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var seen = {}, found = [];
    Promise.all(people.map(function (person) {
      var body = new URLSearchParams(person);
      return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                         headers: {"X-CSRFToken": token}})
        .then(function (r) { return r.ok ? r.json() : {matters: []}; })
        .then(function (data) {
          data.matters.forEach(function (m) { if (!seen[m.id]) { seen[m.id] = true; found.push(m); } });
        });
    })).then(function () {
      found.sort(function (a, b) { return b.received_on.localeCompare(a.received_on) || b.id - a.id; });
      show(found);
    }).catch(function () { /* the panel is a help; registration works without it */ });
  }

  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    if (/-(id_number|phone)$/.test(name)) { lookup(); }
  });
  lookup();
})();
