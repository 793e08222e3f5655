// Posko dashboard: completes a sign-in, then keeps the page current from Server-Sent Events.
// Plain JavaScript, no library, nothing from Telegram: a Mini App's launch parameters are read
// from the URL fragment (#tgWebAppData=...) here. Every text shown is in the page already.
(function () {
  "use strict";
  var BASE = "/dasbor";
  var TOKEN_KEY = "posko-dasbor-token";
  var body = document.body;

  function show(id, visible) {
    var element = document.getElementById(id);
    if (element) element.hidden = !visible;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function postJson(path, data, headers) {
    var all = { "Content-Type": "application/json" };
    Object.keys(headers || {}).forEach(function (key) { all[key] = headers[key]; });
    return fetch(BASE + path, {
      method: "POST", headers: all, body: JSON.stringify(data),
      credentials: "same-origin", cache: "no-store"
    });
  }

  // --- /dasbor/masuk: the link's secret is the fragment, sent by this script only ---------
  async function completeSignin() {
    var secret = location.hash.slice(1);
    history.replaceState(null, "", location.pathname); // the secret leaves the address bar
    if (!secret) {
      show("signing-in", false);
      show("link-incomplete", true);
      return;
    }
    try {
      var answer = await postJson("/api/signin", { token: secret });
      if (answer.status === 204) {
        location.replace(BASE);
        return;
      }
    } catch (error) { /* shown below */ }
    show("signing-in", false);
    show("link-refused", true);
  }

  // --- /dasbor: the board ---------------------------------------------------------------
  var board = document.getElementById("board");
  var token = null;
  var mark = null;
  var stopped = false;

  function authHeaders() {
    return token ? { "Authorization": "Bearer " + token } : {};
  }

  function signedOut() {
    stopped = true;
    token = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (error) { /* private mode */ }
    board.innerHTML = "";
    body.removeAttribute("data-signed-in");
    show("offline", false);
    show("signed-out", true);
  }

  async function refresh() {
    var answer = await fetch(BASE + "/api/content", {
      headers: authHeaders(), credentials: "same-origin", cache: "no-store"
    });
    if (answer.status === 401) {
      signedOut();
      return;
    }
    if (!answer.ok) throw new Error("content " + answer.status);
    var html = await answer.text();
    board.innerHTML = html; // rendered and escaped by the server
    mark = answer.headers.get("X-Posko-Mark");
    body.setAttribute("data-signed-in", "1");
  }

  function parseEvent(block) {
    var event = { type: "message", data: null };
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) event.type = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) event.data = line.slice(5).trim();
    });
    return event;
  }

  // Server-Sent Events read through fetch, so a Mini App's token can go in a header
  // (EventSource cannot send one); reconnects with back-off when the connection drops.
  async function listen() {
    var delay = 1000;
    while (!stopped) {
      try {
        var answer = await fetch(BASE + "/api/events", {
          headers: authHeaders(), credentials: "same-origin", cache: "no-store"
        });
        if (answer.status === 401) {
          signedOut();
          return;
        }
        if (!answer.ok || !answer.body) throw new Error("events " + answer.status);
        show("offline", false);
        delay = 1000;
        var reader = answer.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
          var cut = buffer.indexOf("\n\n");
          while (cut >= 0) {
            var event = parseEvent(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            if (event.type === "signout") {
              signedOut();
              return;
            }
            if (event.data !== null && event.data !== mark) await refresh();
            if (stopped) return;
            cut = buffer.indexOf("\n\n");
          }
        }
      } catch (error) { /* the connection dropped: retried below */ }
      if (stopped) return;
      show("offline", true);
      await sleep(delay);
      delay = Math.min(delay * 2, 15000);
    }
  }

  async function miniAppSignin(initData) {
    var answer = await postJson("/api/miniapp", { init_data: initData });
    if (!answer.ok) return false;
    var data = await answer.json();
    token = data.token;
    try { sessionStorage.setItem(TOKEN_KEY, token); } catch (error) { /* private mode */ }
    return true;
  }

  async function startBoard() {
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (error) { token = null; }
    // Telegram opens a Mini App with its launch parameters in the fragment.
    var launch = new URLSearchParams(location.hash.slice(1));
    var initData = launch.get("tgWebAppData");
    if (initData) {
      history.replaceState(null, "", location.pathname + location.search);
      if (!token && !(await miniAppSignin(initData))) {
        show("miniapp-refused", true);
        return;
      }
    }
    var rendered = body.hasAttribute("data-signed-in");
    if (!rendered && !token) {
      show("not-signed-in", true);
      return;
    }
    if (rendered) {
      var first = board.querySelector("[data-mark]");
      mark = first ? first.getAttribute("data-mark") : null;
    } else {
      await refresh();
    }
    var button = document.getElementById("signout");
    if (button) {
      button.addEventListener("click", async function () {
        try { await postJson("/api/signout", {}, authHeaders()); } catch (error) { /* ended */ }
        signedOut();
      });
    }
    if (!stopped) listen();
  }

  if (body.getAttribute("data-page") === "signin") completeSignin();
  else if (body.getAttribute("data-page") === "board") startBoard();
})();
