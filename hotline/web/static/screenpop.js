/*
 * Screen pop (来电弹屏) and the agent's telephone, for the agent console.
 *
 *   <div id="screen-pop" hidden></div>
 *   <script src="/static/screenpop.js"></script>
 *   <script>HotlineScreenPop.connect(document.getElementById("screen-pop"));</script>
 *
 * connect() opens the server-sent-event stream /console/events. When a call is
 * connected to this agent the element shows the caller's number, their open
 * and earlier tickets, and a "新建工单" link to /console?call=<linkedid>&phone=<caller>.
 * The element also receives DOM events "hotline:call" and "hotline:call-ended"
 * (detail: the event's data) for the console's own use.
 *
 * Everything from the server is put in the page with textContent, never as HTML.
 * The other functions post to /api/v1/telephony/... with the page's CSRF token
 * (<meta name="csrf-token">) and resolve with the JSON answer, or reject with an
 * Error whose message is the server's (Chinese) explanation.
 */
(function (global) {
  "use strict";

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function ticketList(title, tickets) {
    var section = el("section");
    section.appendChild(el("h3", title + "（" + tickets.length + "）"));
    if (!tickets.length) { section.appendChild(el("p", "无", { "class": "muted" })); return section; }
    var list = el("ul");
    tickets.forEach(function (t) {
      var item = el("li");
      item.appendChild(el("a", t.number, { href: "/tickets/" + encodeURIComponent(t.number) }));
      item.appendChild(document.createTextNode(" " + t.title + " "));
      item.appendChild(el("span", t.status_label, { "class": "badge" }));
      item.appendChild(el("span", " " + (t.registered_at || "").slice(0, 10), { "class": "muted" }));
      list.appendChild(item);
    });
    section.appendChild(list);
    return section;
  }

  function render(element, pop) {
    element.replaceChildren();
    element.classList.add("card", "screen-pop");
    element.dataset.linkedid = pop.linkedid;
    var head = el("h2", "来电 " + (pop.caller || "未知号码"));
    if (pop.queue) head.appendChild(el("span", " 队列 " + pop.queue, { "class": "muted" }));
    element.appendChild(head);
    var start = "/console?call=" + encodeURIComponent(pop.linkedid) +
      (pop.caller ? "&phone=" + encodeURIComponent(pop.caller) : "");
    element.appendChild(el("a", "新建工单", { href: start, "class": "button screen-pop-new" }));
    element.appendChild(el("p", "", { "class": "screen-pop-state muted" }));
    element.appendChild(ticketList("未办结工单", pop.open || []));
    element.appendChild(ticketList("历史工单", pop.history || []));
    element.hidden = false;
  }

  function markEnded(element) {
    var state = element.querySelector(".screen-pop-state");
    if (state) state.textContent = "通话已结束";
  }

  function connect(element, options) {
    options = options || {};
    var source = new EventSource(options.url || "/console/events");
    var ended = [];  // calls whose end came first (another server process may send it before the pop)
    source.addEventListener("call", function (event) {
      var pop = JSON.parse(event.data);
      render(element, pop);
      if (ended.indexOf(pop.linkedid) >= 0) markEnded(element);
      element.dispatchEvent(new CustomEvent("hotline:call", { detail: pop }));
    });
    source.addEventListener("call_ended", function (event) {
      var data = JSON.parse(event.data);
      if (element.dataset.linkedid === data.linkedid) markEnded(element);
      ended = ended.concat([data.linkedid]).slice(-20);
      element.dispatchEvent(new CustomEvent("hotline:call-ended", { detail: data }));
    });
    source.addEventListener("error", function () {
      element.dispatchEvent(new CustomEvent("hotline:disconnected"));  // EventSource reconnects by itself
    });
    return { source: source, close: function () { source.close(); } };
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function request(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken(), "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || ("请求失败（" + response.status + "）"));
        return data;
      });
    });
  }

  global.HotlineScreenPop = {
    connect: connect,
    render: render,
    state: function () { return request("GET", "/api/v1/telephony/agent"); },
    pause: function (reason) { return request("POST", "/api/v1/telephony/pause", { reason: reason || "小休" }); },
    unpause: function () { return request("POST", "/api/v1/telephony/unpause", {}); },
    callBack: function (ticketNumber) {
      return request("POST", "/api/v1/telephony/tickets/" + encodeURIComponent(ticketNumber) + "/callback", {});
    },
    transfer: function (ticketNumber, departmentCode, mode, linkedid) {
      return request("POST", "/api/v1/telephony/tickets/" + encodeURIComponent(ticketNumber) + "/transfer",
        { department: departmentCode, mode: mode || "blind", call: linkedid || "" });
    },
    link: function (linkedid, ticketNumber) {
      return request("POST", "/api/v1/telephony/calls/" + encodeURIComponent(linkedid) + "/link",
        { ticket: ticketNumber });
    }
  };
})(window);
