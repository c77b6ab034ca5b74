// KeyIn hosted payment page: formats and checks card details as they are typed, and pays once per attempt.
// The rules mirror KeyInCore (CardBrand, CardNumberFormatter, Luhn, CardExpiry); the messages come from the
// server's error catalog, embedded in the page.
"use strict";
(function () {
  const page = JSON.parse(document.getElementById("keyin-page").textContent);
  const $ = (id) => document.getElementById(id);
  const form = $("pay-form");
  const button = $("pay-button");
  const fields = {
    cardNumber: $("cardNumber"),
    cardExpiry: $("cardExpiry"),
    cardCvc: $("cardCvc"),
    customerIdentityNumber: $("customerIdentityNumber"),
    cardPassword: $("cardPassword"),
  };
  // The console's virtual terminal: staff type the amount and order too, and the session's CSRF token goes along.
  const terminal = page.terminal === true;
  if (terminal) {
    fields["amount-input"] = $("amount-input");
    fields["orderName-input"] = $("orderName-input");
  }
  const amountValue = () => Number((fields["amount-input"] ? fields["amount-input"].value : "").replace(/\D/g, ""));
  const touched = new Set();
  let attemptKey = null; // one Idempotency-Key per attempt: a double tap sends the same one
  let inFlight = false;

  // Brand by IIN, with the lengths each brand issues and how its number is grouped.
  const brands = [
    { id: "amex", name: "American Express", test: (d) => /^3[47]/.test(d), lengths: [15], groups: [4, 6, 5], cvc: 4 },
    { id: "diners", name: "Diners Club", test: (d) => /^(30[0-5]|309|36|3[89])/.test(d), lengths: [14, 16, 17, 18, 19], groups: null, cvc: 3 },
    { id: "jcb", name: "JCB", test: (d) => /^35(2[89]|[3-8])/.test(d), lengths: [16, 17, 18, 19], groups: null, cvc: 3 },
    { id: "mastercard", name: "Mastercard", test: (d) => /^(5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720)/.test(d), lengths: [16], groups: null, cvc: 3 },
    { id: "visa", name: "Visa", test: (d) => /^4/.test(d), lengths: [13, 16, 19], groups: null, cvc: 3 },
    { id: "unionpay", name: "UnionPay", test: (d) => /^62/.test(d), lengths: [16, 17, 18, 19], groups: null, cvc: 3 },
    { id: "discover", name: "Discover", test: (d) => /^(6011|64[4-9]|65)/.test(d), lengths: [16, 17, 18, 19], groups: null, cvc: 3 },
    { id: "domestic", name: page.language === "ko" ? "국내 전용" : "Domestic", test: (d) => /^9/.test(d), lengths: [16], groups: null, cvc: 0 },
  ];
  const brandOf = (digits) => brands.find((b) => b.test(digits)) || null;
  const maxLength = (digits) => { const b = brandOf(digits); return b ? Math.max(...b.lengths) : 19; };

  function groupsFor(digits) {
    const b = brandOf(digits);
    if (b && b.groups) return b.groups;
    if (b && b.id === "diners" && digits.length <= 14) return [4, 6, 4];
    return [4, 4, 4, 4, 3];
  }

  function group(digits) {
    const parts = [];
    let at = 0;
    for (const size of groupsFor(digits)) {
      if (at >= digits.length) break;
      parts.push(digits.slice(at, at + size));
      at += size;
    }
    return parts.join(" ");
  }

  function luhn(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  const onlyDigits = (text) => text.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\D/g, "");

  // Keeps the caret after the same number of digits it was after before formatting.
  function reformat(input, format, limit) {
    const caret = input.selectionStart == null ? input.value.length : input.selectionStart;
    const digitsBeforeCaret = onlyDigits(input.value.slice(0, caret)).length;
    const digits = onlyDigits(input.value).slice(0, limit(onlyDigits(input.value)));
    const text = format(digits);
    input.value = text;
    let seen = 0, position = 0;
    while (position < text.length && seen < digitsBeforeCaret) {
      if (/\d/.test(text[position])) seen++;
      position++;
    }
    if (document.activeElement === input) input.setSelectionRange(position, position);
    return digits;
  }

  function formatExpiry(digits) {
    if (digits.length === 1 && digits > "1") digits = "0" + digits; // "4" means April: 04/
    if (digits.length <= 2) return digits.length === 2 ? digits + "/" : digits;
    return digits.slice(0, 2) + "/" + digits.slice(2, 4);
  }

  // Each check returns a catalog code, or null when the field is fine.
  const checks = {
    cardNumber() {
      const digits = onlyDigits(fields.cardNumber.value);
      if (digits.length === 0) return "INVALID_CARD_NUMBER_LENGTH";
      const b = brandOf(digits);
      if (!b) return digits.length >= 6 ? "NOT_SUPPORTED_CARD_TYPE" : "INVALID_CARD_NUMBER_LENGTH";
      if (!b.lengths.includes(digits.length)) return "INVALID_CARD_NUMBER_LENGTH";
      return luhn(digits) ? null : "INVALID_CARD_NUMBER";
    },
    cardExpiry() {
      const m = /^(\d{2})\/(\d{2})$/.exec(fields.cardExpiry.value);
      if (!m) return "INVALID_CARD_EXPIRATION";
      const month = Number(m[1]), year = 2000 + Number(m[2]);
      if (month < 1 || month > 12) return "INVALID_CARD_EXPIRATION";
      const now = new Date(Date.now() + 9 * 3600 * 1000); // Seoul
      const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
      const given = year * 12 + (month - 1);
      if (given < current) return "EXPIRED_CARD";
      if (given > current + 20 * 12) return "INVALID_CARD_EXPIRATION";
      return null;
    },
    cardCvc() {
      const b = brandOf(onlyDigits(fields.cardNumber.value));
      const cvc = fields.cardCvc.value;
      if (b && b.cvc === 0 && cvc === "") return null;
      const need = b ? b.cvc : 3;
      return new RegExp("^\\d{" + need + "}$").test(cvc) ? null : "INVALID_CARD_CVC";
    },
    customerIdentityNumber() {
      const v = fields.customerIdentityNumber.value;
      if (/^\d{6}$/.test(v)) {
        const month = Number(v.slice(2, 4)), day = Number(v.slice(4, 6));
        const date = new Date(Date.UTC(2000 + Number(v.slice(0, 2)), month - 1, day));
        return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? null : "INVALID_BIRTH_DAY_FORMAT";
      }
      if (/^\d{10}$/.test(v)) {
        const weights = [1, 3, 7, 1, 3, 7, 1, 3, 5];
        let sum = 0;
        for (let i = 0; i < 9; i++) sum += Number(v[i]) * weights[i];
        sum += Math.floor((Number(v[8]) * 5) / 10);
        return (10 - (sum % 10)) % 10 === Number(v[9]) ? null : "INVALID_BIRTH_DAY_FORMAT";
      }
      return "INVALID_BIRTH_DAY_FORMAT";
    },
    cardPassword() {
      return /^\d{2}$/.test(fields.cardPassword.value) ? null : "INVALID_CARD_PASSWORD_FORMAT";
    },
  };
  if (terminal) {
    checks["amount-input"] = () => {
      if (!/\d/.test(fields["amount-input"].value)) return "INVALID_AMOUNT";
      return amountValue() < 100 ? "BELOW_MINIMUM_AMOUNT" : null;
    };
    checks["orderName-input"] = () => (fields["orderName-input"].value.trim() ? null : "INVALID_REQUEST");
  }

  function show(name, code) {
    const error = $(name + "-error");
    const input = fields[name];
    if (!error) { code ? input.setAttribute("aria-invalid", "true") : input.removeAttribute("aria-invalid"); return; }
    if (code) {
      error.textContent = page.messages[code] || code;
      input.setAttribute("aria-invalid", "true");
    } else {
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    }
  }

  const valid = () => Object.keys(checks).every((name) => checks[name]() === null);
  const refresh = () => { button.disabled = inFlight || !valid(); };

  fields.cardNumber.addEventListener("input", () => {
    const digits = reformat(fields.cardNumber, group, maxLength);
    const b = brandOf(digits);
    $("card-brand").textContent = b ? b.name : "";
    fields.cardCvc.maxLength = b && b.cvc === 4 ? 4 : 3;
    $("cvc-field").hidden = !!(b && b.cvc === 0);
    attemptKey = null;
    refresh();
  });
  fields.cardExpiry.addEventListener("input", (event) => {
    if (event.inputType === "deleteContentBackward" && /\/$/.test(fields.cardExpiry.value) === false && fields.cardExpiry.value.length === 2) {
      fields.cardExpiry.value = fields.cardExpiry.value.slice(0, 1); // deleting the slash deletes its digit too
    }
    reformat(fields.cardExpiry, formatExpiry, () => 4);
    attemptKey = null;
    refresh();
  });
  if (terminal) {
    // Amounts are grouped with commas as typed; instalments appear from 50,000 KRW.
    fields["amount-input"].addEventListener("input", () => {
      reformat(fields["amount-input"], (d) => (d ? Number(d).toLocaleString("en-US") : ""), () => 12);
      const allowed = amountValue() >= 50000;
      $("installment-field").hidden = !allowed;
      if (!allowed) $("cardInstallmentPlan").value = "0";
      attemptKey = null;
      refresh();
    });
    fields["orderName-input"].addEventListener("input", () => { attemptKey = null; refresh(); });
  }
  for (const name of ["cardCvc", "customerIdentityNumber", "cardPassword"]) {
    fields[name].addEventListener("input", () => {
      fields[name].value = onlyDigits(fields[name].value).slice(0, fields[name].maxLength);
      attemptKey = null;
      refresh();
    });
  }
  for (const name of Object.keys(fields)) {
    fields[name].addEventListener("blur", () => {
      if (fields[name].value !== "" || touched.has(name)) { touched.add(name); show(name, checks[name]()); }
    });
  }
  for (const id of ["expiryMonth", "expiryYear"]) {
    $(id).addEventListener("change", () => {
      const month = $("expiryMonth").value, year = $("expiryYear").value;
      if (month && year) {
        fields.cardExpiry.value = month + "/" + year.padStart(2, "0");
        touched.add("cardExpiry");
        show("cardExpiry", checks.cardExpiry());
        refresh();
      }
    });
  }
  $("installment-field") && $("cardInstallmentPlan").addEventListener("change", () => { attemptKey = null; });

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function result(html) {
    const section = $("result");
    section.innerHTML = html;
    section.hidden = false;
    section.focus && section.setAttribute("tabindex", "-1");
    section.focus && section.focus();
  }

  // After a payment (approved or not): the one-question survey, an inquiry to the shop, the shop's support line.
  function supportPanel(paymentKey) {
    if (!paymentKey || terminal) return "";
    const l = page.labels;
    return '<section class="feedback" aria-labelledby="feedback-title"><h3 id="feedback-title">' + escape(l.feedbackQuestion) + "</h3>" +
      '<div class="stars" role="group" aria-labelledby="feedback-title">' +
      [1, 2, 3, 4, 5].map((n) => '<button type="button" class="rate" data-rating="' + n + '">' + n + "</button>").join("") + "</div>" +
      '<label for="feedback-comment">' + escape(l.feedbackComment) + '</label><textarea id="feedback-comment" maxlength="500" rows="2"></textarea>' +
      '<p id="feedback-status" aria-live="polite"></p></section>' +
      '<details class="inquiry"><summary>' + escape(l.inquiry) + "</summary>" +
      '<label for="inquiry-contact">' + escape(l.inquiryContact) + '</label><input id="inquiry-contact" maxlength="100">' +
      '<label for="inquiry-message">' + escape(l.inquiryMessage) + '</label><textarea id="inquiry-message" maxlength="1000" rows="3"></textarea>' +
      '<button type="button" id="inquiry-send">' + escape(l.inquirySend) + '</button><p id="inquiry-status" aria-live="polite"></p></details>' +
      (page.supportText ? '<p class="support">' + escape(page.supportText) + "</p>" : "");
  }

  async function postJSON(url, body) {
    const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "Accept-Language": page.language }, body: JSON.stringify(body) });
    return { ok: response.ok, answer: await response.json() };
  }

  function wireSupport(paymentKey) {
    if (!paymentKey || terminal) return;
    for (const button of document.querySelectorAll(".rate")) {
      button.addEventListener("click", async () => {
        const { ok, answer } = await postJSON("/feedback", { paymentKey, rating: Number(button.dataset.rating), comment: $("feedback-comment").value });
        $("feedback-status").textContent = ok ? page.labels.feedbackThanks : ((answer.customerMessage || {})[page.language] || answer.code);
        if (ok) for (const other of document.querySelectorAll(".rate")) other.disabled = true;
      });
    }
    $("inquiry-send").addEventListener("click", async () => {
      const { ok, answer } = await postJSON("/inquiries", { paymentKey, contact: $("inquiry-contact").value, message: $("inquiry-message").value });
      $("inquiry-status").textContent = ok ? page.labels.inquirySent : ((answer.customerMessage || {})[page.language] || answer.code);
      if (ok) $("inquiry-send").disabled = true;
    });
  }

  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const name of Object.keys(checks)) { touched.add(name); show(name, checks[name]()); }
    if (inFlight || !valid()) return;
    inFlight = true;
    attemptKey = attemptKey || newKey();
    button.disabled = true;
    button.textContent = page.labels.paying;
    const [month, year] = fields.cardExpiry.value.split("/");
    const body = {
      cardNumber: onlyDigits(fields.cardNumber.value),
      cardExpirationMonth: month,
      cardExpirationYear: year,
      cardCvc: fields.cardCvc.value || undefined,
      customerIdentityNumber: fields.customerIdentityNumber.value,
      cardPassword: fields.cardPassword.value,
      cardInstallmentPlan: $("cardInstallmentPlan") ? Number($("cardInstallmentPlan").value) : 0,
    };
    const headers = { "Content-Type": "application/json", "Idempotency-Key": attemptKey, "Accept-Language": page.language };
    if (terminal) {
      body.amount = amountValue();
      body.orderName = fields["orderName-input"].value.trim();
      body.orderId = "vt-" + attemptKey.replace(/[^A-Za-z0-9]/g, "").slice(0, 24);
      headers["X-CSRF-Token"] = page.csrfToken;
    }
    const amountText = terminal ? amountValue().toLocaleString("en-US") + "원" : page.amountText;
    let response, answer;
    try {
      response = await fetch(page.postURL, { method: "POST", headers, credentials: "same-origin", body: JSON.stringify(body) });
      answer = await response.json();
    } catch (error) {
      answer = { code: "FAILED_INTERNAL_SYSTEM_PROCESSING", customerMessage: { ko: page.messages.FAILED_INTERNAL_SYSTEM_PROCESSING, en: page.messages.FAILED_INTERNAL_SYSTEM_PROCESSING } };
    }
    inFlight = false;
    button.textContent = page.labels.pay;
    // The card company wants the cardholder to prove who they are: its page, then back to KeyIn's result page.
    if (response && response.ok && answer.status === "WAITING_FOR_AUTHENTICATION" && answer.nextAction) {
      form.hidden = true;
      result('<p id="verifying" role="status">' + escape(page.labels.verifying) + "</p>");
      window.location.assign(answer.nextAction.url);
      return;
    }
    if (response && response.ok && answer.status) {
      form.hidden = true;
      result(
        '<h2 id="result-title">' + escape(page.labels.approved) + "</h2>" +
        '<dl><dt>' + escape(page.labels.amount) + "</dt><dd>" + escape(amountText) + "</dd>" +
        "<dt>" + escape(page.labels.approvalNumber) + '</dt><dd id="approve-no">' + escape(answer.card.approveNo || "") + "</dd>" +
        "<dt>" + escape(page.labels.card) + "</dt><dd>" + escape((answer.card.company || "") + " " + answer.card.number) + "</dd></dl>" +
        '<p><a id="receipt-link" href="' + escape(answer.receiptUrl) + "?lang=" + page.language + '">' + escape(page.labels.receipt) + "</a></p>" +
        (terminal
          ? '<p><a id="console-payment-link" href="/console/payments/' + escape(answer.paymentKey) + '">결제 상세</a> · <a href="/console/terminal">새 결제</a></p>'
          : "<p>" + escape(page.labels.after) + "</p>") + supportPanel(answer.paymentKey));
      wireSupport(answer.paymentKey);
      return;
    }
    // A failure: the field at fault says so; otherwise the catalog's customer message and what to do next.
    attemptKey = null;
    const problems = answer.problems || (answer.param && fields[answer.param] ? [{ param: answer.param, code: answer.code }] : []);
    let fieldShown = false;
    for (const problem of problems) {
      const name = problem.param === "cardExpiration" ? "cardExpiry" : problem.param;
      if (fields[name]) { show(name, problem.code); fieldShown = true; }
    }
    const message = (answer.customerMessage && answer.customerMessage[page.language]) || page.messages.FAILED_INTERNAL_SYSTEM_PROCESSING;
    result(
      '<h2 id="result-title">' + escape(page.labels.failed) + "</h2>" +
      '<p id="failure-message" role="alert">' + escape(message) + "</p>" +
      '<p class="code"><code>' + escape(answer.code || "") + "</code> · " +
      '<a href="' + escape((answer.helpUrl || "/help") + "?lang=" + page.language) + '">' + escape(page.labels.help) + "</a></p>" +
      '<p><button type="button" id="retry-button">' + escape(page.labels.retry) + "</button></p>" +
      "<p>" + escape(page.labels.support) + "</p>" + supportPanel(answer.paymentKey));
    wireSupport(answer.paymentKey);
    // Retry keeps every field but the secrets the customer must type again.
    $("retry-button").addEventListener("click", () => {
      $("result").hidden = true;
      fields.cardCvc.value = "";
      fields.cardPassword.value = "";
      refresh();
      (fieldShown ? fields[Object.keys(fields).find((n) => fields[n].getAttribute("aria-invalid"))] : fields.cardNumber).focus();
    });
    refresh();
  });
  // Live chat with the shop's staff (the hosted page only): stored as an inquiry when no one is online.
  const chat = $("chat");
  if (chat && !terminal) {
    let socket = null;
    const log = $("chat-log");
    const append = (who, text) => {
      const item = document.createElement("li");
      item.className = who.toLowerCase();
      item.textContent = text;
      log.appendChild(item);
    };
    chat.addEventListener("toggle", () => {
      if (!chat.open || socket) return;
      socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + page.postURL + "/chat?lang=" + page.language);
      socket.addEventListener("message", (event) => {
        const frame = JSON.parse(event.data);
        if (frame.type === "hello") $("chat-status").textContent = frame.staffOnline ? page.labels.chatOnline : page.labels.chatOffline;
        else if (frame.type === "message" && frame.author === "STAFF") append("staff", frame.body);
        else if (frame.type === "system") append("system", frame.body);
      });
      socket.addEventListener("close", () => { socket = null; });
    });
    const send = () => {
      const body = $("chat-input").value.trim();
      if (!body || !socket || socket.readyState !== 1) return;
      socket.send(JSON.stringify({ type: "message", body, contact: $("chat-contact").value || undefined }));
      append("customer", body);
      $("chat-input").value = "";
    };
    $("chat-send").addEventListener("click", send);
    $("chat-input").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); send(); } });
  }
  refresh();
})();
