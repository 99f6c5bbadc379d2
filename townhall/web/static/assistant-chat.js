/* The assistant's chat page, enhanced: messages go through the JSON API without reloading the page, and new
   messages (an officer's reply) are fetched every few seconds into the transcript, an aria-live region.
   Without this script the page works the same with forms. It never builds HTML from text: text goes into text
   nodes, and only web addresses and the site's own paths become links (the same rule as the server's). */
(function () {
  "use strict";
  var transcript = document.getElementById("transcript");
  if (!transcript || !window.fetch) { return; }
  var conversation = transcript.getAttribute("data-conversation");
  var lastId = parseInt(transcript.getAttribute("data-last-id"), 10) || 0;
  var api = "/api/v1/assistant/conversations/" + encodeURIComponent(conversation) + "/messages";
  var status = document.getElementById("chat-status");
  var optionsHolder = document.getElementById("chat-options");
  var link = /https?:\/\/[^\s<>"']+|(?<![^\s(])\/[a-z0-9][a-z0-9\-/]*/gi;
  var safeTarget = /^(?:https?:\/\/[^\s<>"']+|\/(?!\/)[^\s<>"']*)$/i; // a reply's own links: as the server's rule
  var busy = false;
  var POLL_MS = 5000;

  Array.prototype.forEach.call(document.querySelectorAll(".js-hidden"), function (node) { node.remove(); });

  function textWithLinks(parent, text) {
    var position = 0;
    text.replace(link, function (found, offset) {
      var target = found.replace(/[.,;:!?)]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(position, offset)));
      var anchor = document.createElement("a");
      anchor.className = "th-link";
      anchor.setAttribute("href", target);
      anchor.textContent = target;
      parent.appendChild(anchor);
      position = offset + target.length;
      return found;
    });
    parent.appendChild(document.createTextNode(text.slice(position)));
  }

  function senderName(message) {
    if (message.sender === "resident") { return "You"; }
    if (message.sender === "officer") { return (message.author || "The council") + " (council staff)"; }
    return "Assistant";
  }

  function append(message) {
    var item = document.createElement("li");
    item.className = "th-chat__message th-chat__message--" + message.sender;
    var sender = document.createElement("span");
    sender.className = "th-chat__sender";
    sender.textContent = senderName(message);
    var body = document.createElement("p");
    body.className = "th-chat__text";
    if (message.sender === "resident") { body.textContent = message.text; } else { textWithLinks(body, message.text); }
    item.appendChild(sender);
    item.appendChild(body);
    if (message.links && message.links.length) { item.appendChild(replyLinks(message.links)); }
    transcript.appendChild(item);
  }

  function replyLinks(links) {
    var list = document.createElement("ul");
    list.className = "th-list th-chat__links";
    links.forEach(function (entry) {
      var item = document.createElement("li");
      if (safeTarget.test(entry.url)) {
        var anchor = document.createElement("a");
        anchor.className = "th-link";
        anchor.setAttribute("href", entry.url);
        anchor.textContent = entry.label;
        item.appendChild(anchor);
      } else {
        item.textContent = entry.label;
      }
      list.appendChild(item);
    });
    return list;
  }

  function showOptions(options) {
    optionsHolder.textContent = "";
    if (!options.length) { return; }
    var list = document.createElement("ul");
    list.className = "th-chat__option-list";
    list.setAttribute("aria-label", "Choose one, or type your answer");
    options.forEach(function (option) {
      var entry = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "th-button th-button--secondary";
      button.textContent = option.label;
      // The buttons go when the answer comes: keep keyboard focus in the conversation, on the message field
      button.addEventListener("click", function () { send(option.value).then(function () { field.focus(); }); });
      entry.appendChild(button);
      list.appendChild(entry);
    });
    optionsHolder.appendChild(list);
  }

  function fetchNew() {
    return fetch(api + "?after=" + lastId, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.messages.length) { return; }
        data.messages.forEach(function (message) { append(message); lastId = Math.max(lastId, message.id); });
        var last = data.messages[data.messages.length - 1];
        showOptions(last.sender === "assistant" ? last.options : []);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  function send(text) {
    if (busy) { return Promise.resolve(false); }
    busy = true;
    status.textContent = "Sending";
    return fetch(api, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ text: text })
    }).then(function (response) {
      busy = false;
      status.textContent = "";
      if (!response.ok) { return false; }
      return fetchNew().then(function () { return true; });
    }, function () { busy = false; status.textContent = ""; return false; });
  }

  var form = document.getElementById("chat-form");
  var field = document.getElementById("message");
  form.addEventListener("submit", function (event) {
    var text = field.value.trim();
    if (!text || text.length > 2000) { return; } // the server answers with the error summary
    event.preventDefault();
    send(field.value).then(function (sent) {
      if (sent) { field.value = ""; field.focus(); } else { form.submit(); }
    });
  });
  // The no-JavaScript option buttons are a form of their own: send the chosen option the same way.
  var optionForm = optionsHolder.querySelector("form");
  if (optionForm) {
    optionForm.addEventListener("submit", function (event) {
      var chosen = event.submitter;
      if (!chosen || !chosen.value) { return; }
      event.preventDefault();
      send(chosen.value).then(function (sent) { if (sent) { field.focus(); } else { window.location.reload(); } });
    });
  }
  window.setInterval(function () { if (!document.hidden && !busy) { fetchNew(); } }, POLL_MS);
}());
