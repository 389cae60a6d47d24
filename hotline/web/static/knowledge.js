/* The agent console (接线台), enhanced: as the agent types, the routing proposal, knowledge
 * suggestions and the caller's history appear beside the form. The page works without this
 * script (the "查找" button asks the server for the same). Every text from the server is put
 * into the page with textContent, never as HTML. */
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var SUGGESTIONS = 5;
  var suggestions = [];

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") { node.textContent = props[key]; }
      else if (key === "className") { node.className = props[key]; }
      else { node.setAttribute(key, props[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function field(name) { return form.elements.namedItem(name); }

  function typedText() {
    if (form.dataset.ticketText) { return form.dataset.ticketText; }
    var title = field("title"), content = field("content");
    return ((title && title.value) || "") + "\n" + ((content && content.value) || "");
  }

  function typedAddress() {
    if (form.dataset.ticketText) { return form.dataset.ticketAddress || ""; }
    var address = field("address");
    return (address && address.value) || "";
  }

  function getJson(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({"Accept": "application/json"}, options.headers || {});
    return fetch(url, options).then(function (response) {
      if (!response.ok) { var error = new Error(String(response.status)); error.status = response.status; throw error; }
      return response.json();
    });
  }

  /* Knowledge suggestions */
  var lastQuery = null;
  function searchKnowledge() {
    var query = typedText().trim();
    if (query.length < 2 || query === lastQuery) { return; }
    lastQuery = query;
    getJson("/api/v1/knowledge/search?limit=" + SUGGESTIONS + "&q=" + encodeURIComponent(query))
      .then(function (data) { if (query === lastQuery) { renderSuggestions(data.items || []); } })
      .catch(function () { /* keep what is shown */ });
  }

  function renderSuggestions(items) {
    var box = document.getElementById("suggestions");
    var chosen = (form.querySelector('input[name="article_id"]:checked') || {}).value || "";
    suggestions = items;
    box.textContent = "";
    var none = el("input", {type: "radio", name: "article_id", value: "", form: "call-form", style: "width:auto"});
    none.checked = !chosen;
    box.appendChild(el("label", {className: "suggestion"}, [none, document.createTextNode(" 不使用知识条目")]));
    if (!items.length) { box.appendChild(el("p", {className: "hint", text: "没有找到相关的知识条目"})); }
    items.forEach(function (item, index) {
      var radio = el("input", {type: "radio", name: "article_id", value: String(item.id), form: "call-form", style: "width:auto"});
      radio.checked = chosen === String(item.id);
      var adoptButton = el("button", {type: "button", className: "secondary small", text: "采用"});
      adoptButton.addEventListener("click", function () { adopt(index); });
      box.appendChild(el("div", {className: "suggestion"}, [
        el("label", {}, [radio, document.createTextNode(" "), el("strong", {text: item.question}),
                         document.createTextNode(" "), el("kbd", {text: "Alt+" + (index + 1)})]),
        el("p", {text: item.snippet}),
        el("p", {className: "hint", text: item.department.name + (item.has_guide ? " · 有办事指南" : "")}, [
          document.createTextNode(" "), adoptButton])
      ]));
    });
  }

  function adopt(index) {
    var item = suggestions[index];
    if (!item) { return; }
    var radio = document.querySelector('input[name="article_id"][value="' + String(item.id) + '"]');
    if (radio) { radio.checked = true; }
    field("answer").value = item.answer;
    document.getElementById("chosen-article").textContent = "已采用：" + item.question;
    field("answer").focus();
  }

  /* Routing proposal from dispatch */
  var lastProposal = null;
  function propose() {
    var text = typedText().trim();
    var key = text + "\u0000" + typedAddress();
    if (text.length < 4 || key === lastProposal) { return; }
    lastProposal = key;
    getJson("/api/v1/dispatch/propose", {
      method: "POST", body: JSON.stringify({text: text, address: typedAddress()}),
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}
    }).then(function (data) { if (key === lastProposal) { renderProposal(data); } })
      .catch(function (error) {
        var box = document.getElementById("proposal");
        box.textContent = "";
        box.appendChild(el("p", {className: "hint", text: error.status === 404 ? "智能分派服务未启用，请手工选择承办单位。" : "暂时无法获取分派建议。"}));
      });
  }

  function choose(option) {
    var department = field("department"), service = field("service_code");
    if (department && option.department) { department.value = option.department.code; }
    if (service) { service.value = option.service ? option.service.code : ""; }
  }

  function renderProposal(data) {
    var box = document.getElementById("proposal");
    box.textContent = "";
    if (!data || !data.department) { box.appendChild(el("p", {className: "hint", text: "暂无建议"})); return; }
    var options = [{department: data.department, service: data.service, confidence: data.confidence}]
      .concat(data.alternatives || []);
    options.forEach(function (option, index) {
      var radio = el("input", {type: "radio", name: "proposal-choice", style: "width:auto"});
      radio.checked = index === 0;
      radio.addEventListener("change", function () { choose(option); });
      var label = (option.department && option.department.name) || "";
      if (option.service && option.service.name) { label += " · " + option.service.name; }
      box.appendChild(el("label", {className: "proposal-choice"}, [radio, el("span", {text: label}),
        el("span", {className: "badge", text: Math.round((option.confidence || 0) * 100) + "%"})]));
    });
    if (data.rule) { box.appendChild(el("p", {className: "hint", text: "规则：" + data.rule})); }
    if (data.needs_triage) { box.appendChild(el("p", {className: "hint", text: data.reason || "置信度较低，请核实承办单位。"})); }
    var priority = field("priority");
    if (priority && data.priority && !priority.dataset.touched) {
      priority.value = data.priority;
      box.appendChild(el("p", {className: "hint", text: "已按分派规则设为：" + (priority.options[priority.selectedIndex] || {}).text}));
    }
    if (data.top_terms && data.top_terms.length) {
      box.appendChild(el("p", {className: "hint", text: "依据：" + data.top_terms.slice(0, 6).join("、")}));
    }
    var department = field("department");
    if (department && !department.dataset.touched) { choose(options[0]); }
  }

  /* The caller's earlier tickets */
  var lastPhone = null;
  function loadHistory() {
    var phone = field("contact_phone");
    var digits = phone ? phone.value.replace(/\D/g, "") : "";
    if (digits.length < 7 || digits === lastPhone) { return; }
    lastPhone = digits;
    getJson("/api/v1/console/history?phone=" + encodeURIComponent(phone.value.trim()))
      .then(function (data) { if (digits === lastPhone) { renderHistory(data.items || []); } })
      .catch(function () {});
  }

  function renderHistory(items) {
    var list = document.getElementById("history");
    list.textContent = "";
    if (!items.length) { list.appendChild(el("li", {className: "hint", text: "无历史工单"})); return; }
    items.forEach(function (item) {
      var parts = [];
      if (item.open) {
        var radio = el("input", {type: "radio", name: "into_choice", value: item.number, form: "call-form", style: "width:auto"});
        radio.addEventListener("change", function () { field("into").value = item.number; });
        parts.push(el("label", {}, [radio, document.createTextNode(" 并入 ")]));
      }
      parts.push(el("a", {href: "/tickets/" + encodeURIComponent(item.number), target: "_blank", text: item.number}));
      parts.push(document.createTextNode(" " + item.title + " "));
      parts.push(el("span", {className: "badge", text: item.status_label}));
      list.appendChild(el("li", {}, parts));
    });
  }

  /* The queue of tickets waiting for a person */
  function refreshQueue() {
    getJson("/api/v1/console/queue").then(function (data) {
      var body = document.getElementById("queue");
      document.getElementById("queue-total").textContent = String(data.total);
      body.textContent = "";
      if (!data.items.length) { body.appendChild(el("tr", {}, [el("td", {colspan: "6", className: "hint", text: "暂无待处理工单"})])); }
      data.items.forEach(function (item) {
        body.appendChild(el("tr", {}, [
          el("td", {}, [el("a", {href: "/console?ticket=" + encodeURIComponent(item.number), text: item.number})]),
          el("td", {text: item.channel}), el("td", {text: item.priority_label}), el("td", {text: item.title}),
          el("td", {text: item.phone || "—"}), el("td", {text: new Date(item.registered_at).toLocaleString("zh-CN")})
        ]));
      });
    }).catch(function () {});
  }

  var typed = debounce(function () { searchKnowledge(); propose(); }, 400);
  ["title", "content", "address"].forEach(function (name) {
    var input = field(name);
    if (input) { input.addEventListener("input", typed); }
  });
  var phoneInput = field("contact_phone");
  if (phoneInput) { phoneInput.addEventListener("input", debounce(loadHistory, 300)); }
  var prioritySelect = field("priority");
  if (prioritySelect) { prioritySelect.addEventListener("change", function () { prioritySelect.dataset.touched = "1"; }); }
  var departmentSelect = field("department");
  if (departmentSelect) { departmentSelect.addEventListener("change", function () { departmentSelect.dataset.touched = "1"; }); }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key.toLowerCase();
    if (key >= "1" && key <= String(SUGGESTIONS)) { event.preventDefault(); adopt(Number(key) - 1); return; }
    var finish = {j: "answer", p: "dispatch", b: "merge", f: "lookup"}[key];
    var button = finish && form.querySelector('button[name="finish"][value="' + finish + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  if (form.dataset.ticketText || typedText().trim()) { searchKnowledge(); propose(); }
  loadHistory();
  setInterval(refreshQueue, 30000);
  var pop = document.getElementById("screen-pop");
  if (pop && window.HotlineScreenPop && typeof window.HotlineScreenPop.connect === "function") {
    window.HotlineScreenPop.connect(pop);
  }
}());
