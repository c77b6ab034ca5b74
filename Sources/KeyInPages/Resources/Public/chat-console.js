"use strict";
// The console's live chat: every conversation of this shop, new customer messages as they arrive, replies.
(function () {
  const board = document.getElementById("conversations");
  const status = document.getElementById("chat-status");
  const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/chat/ws");

  function conversation(id, title) {
    let section = document.querySelector('[data-inquiry="' + id + '"]');
    if (section) return section;
    section = document.createElement("section");
    section.className = "conversation";
    section.dataset.inquiry = id;
    const heading = document.createElement("h2");
    heading.textContent = title || "채팅";
    const list = document.createElement("ol");
    list.className = "thread";
    const label = document.createElement("label");
    label.htmlFor = "reply-" + id;
    label.textContent = "답장";
    const input = document.createElement("input");
    input.id = "reply-" + id;
    input.maxLength = 1000;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "보내기";
    button.className = "reply-send";
    button.addEventListener("click", () => {
      const body = input.value.trim();
      if (!body) return;
      socket.send(JSON.stringify({ type: "message", inquiryId: id, body }));
      input.value = "";
    });
    section.append(heading, list, label, input, button);
    board.prepend(section);
    return section;
  }

  function append(id, author, body) {
    const item = document.createElement("li");
    item.className = author.toLowerCase();
    item.textContent = (author === "STAFF" ? "직원: " : "고객: ") + body;
    conversation(id).querySelector("ol").appendChild(item);
  }

  for (const section of document.querySelectorAll("[data-inquiry]")) {
    section.querySelector(".reply-send").addEventListener("click", () => {
      const input = section.querySelector("input");
      const body = input.value.trim();
      if (!body) return;
      socket.send(JSON.stringify({ type: "message", inquiryId: section.dataset.inquiry, body }));
      input.value = "";
    });
  }
  socket.addEventListener("open", () => { status.textContent = "상담 중: 고객이 보내는 메시지가 여기에 바로 나타납니다."; });
  socket.addEventListener("close", () => { status.textContent = "연결이 끊겼습니다. 새로고침해 주세요."; });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type !== "message") return;
    if (!document.querySelector('[data-inquiry="' + frame.inquiryId + '"]')) conversation(frame.inquiryId, frame.orderName);
    append(frame.inquiryId, frame.author, frame.body);
  });
})();
