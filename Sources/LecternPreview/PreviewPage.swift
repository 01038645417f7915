import Foundation
import LecternNotebook
import LecternTranscript

/// The live page: a saved transcript (or a course's index) with a bar of controls (status, stop, resume,
/// run again, the lesson's parameters) and a script that listens for new versions of this page and swaps
/// in their `<main>`, keeping the scroll position.
enum PreviewPage {
    /// `page`: a lesson's name, or `PreviewSession.indexPage`.
    static func html(session: PreviewSession, page: String) -> String {
        let transcript = session.page(named: page)
            ?? "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lectern preview</title></head><body><main><p>Rendering…</p></main></body></html>"
        let bar = controls(session: session, page: page)
        guard let end = transcript.range(of: "</body>", options: .backwards) else { return transcript + bar }
        return transcript.replacingCharacters(in: end, with: bar + "</body>")
    }

    /// The bar, fixed at the bottom of the window, and its script.
    static func controls(session: PreviewSession, page: String) -> String {
        let lesson = session.lesson(named: page)
        let parsed = lesson.flatMap { try? session.source($0).parse() }
        let escape = Formatting.escapeHTML
        let fields = (parsed?.bindings.bindings ?? []).compactMap { binding -> String? in
            guard let value = binding.value.scalarText else { return nil }
            return "<label>\(escape(binding.name)) <input name=\"\(escape(binding.name))\" value=\"\(escape(value))\" size=\"8\"></label>"
        }.joined(separator: " ")
        return """
        <style>
        #lectern-preview table th, #lectern-preview table td { color: #fff; background: #1f2328; border: 1px solid #57606a; padding: 1px 6px; }
        #lectern-preview button { font: inherit; }
        </style>
        <aside id="lectern-preview" aria-label="Lectern preview" style="position:fixed;left:0;right:0;bottom:0;z-index:10;padding:.5rem 1rem;\
        background:#1f2328;color:#fff;font:14px/1.4 system-ui,sans-serif;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center">
        <output id="lectern-status" role="status" aria-live="polite" style="flex:1 1 20rem">\(escape(session.events.currentStatus))</output>
        <figure id="lectern-log" hidden style="margin:0;flex:1 1 100%">
        <svg id="lectern-loss" width="240" height="48" role="img" aria-label="Training loss so far" style="background:#2d333b"></svg>
        <table style="font-variant-numeric:tabular-nums;border-collapse:collapse"><caption style="text-align:left">Training log, as it is written</caption><thead><tr><th scope="col">step</th><th scope="col">row</th></tr></thead><tbody id="lectern-rows"></tbody></table>
        </figure>
        <button type="button" data-post="/stop">Stop</button>
        <button type="button" data-post="/resume"\(lesson == nil ? " hidden" : "")>Resume</button>
        <form id="lectern-parameters" style="display:\(fields.isEmpty ? "none" : "flex");gap:.5rem;align-items:center">\(fields)<button type="submit">Run with these</button></form>
        </aside>
        <script>
        (() => {
          const status = document.getElementById("lectern-status");
          // The fixed bar never hides the end of the page: the page leaves room for it as it grows.
          const bar = document.getElementById("lectern-preview");
          new ResizeObserver(() => { document.body.style.paddingBottom = `${bar.offsetHeight + 16}px`; }).observe(bar);
          const pageName = \(Formatting.scriptJSON(.string(page)));
          const post = async (path, body) => {
            const answer = await fetch(`${path}?lesson=${encodeURIComponent(pageName)}`, {method: "POST", body: body || "", credentials: "same-origin"});
            status.textContent = (await answer.text()).trim();
          };
          document.querySelectorAll("#lectern-preview [data-post]").forEach(button =>
            button.addEventListener("click", () => post(button.dataset.post)));
          // Each cell of the transcript gets its own Run again (`--refresh` of the line of its fence).
          const addCellButtons = () => document.querySelectorAll("main section.directive[data-line]").forEach(cell => {
            const head = cell.querySelector(".cell-head"), name = head && head.querySelector(".name");
            if (!head || head.querySelector(".lectern-run-cell")) return;
            const button = document.createElement("button");
            button.type = "button";
            button.className = "lectern-run-cell";
            button.textContent = "Run again";
            button.setAttribute("aria-label", `Run the ${name ? name.textContent : ""} cell at line ${cell.dataset.line} again`);
            button.addEventListener("click", () => post("/refresh", cell.dataset.line));
            head.appendChild(button);
          });
          addCellButtons();
          document.getElementById("lectern-parameters").addEventListener("submit", event => {
            event.preventDefault();
            post("/run", [...new FormData(event.target)].map(([name, value]) => `${name}=${value}`).join("\\n"));
          });
          const log = document.getElementById("lectern-log"), rows = document.getElementById("lectern-rows"), chart = document.getElementById("lectern-loss");
          let losses = [];
          const logRow = (keys, values) => {
            log.hidden = false;
            const field = name => values[keys.indexOf(name)];
            const step = field("step");
            const text = keys.filter(key => key !== "step" && key !== "epoch")
              .map(key => `${key} ${Number(values[keys.indexOf(key)]).toPrecision(4)}`).join(" · ");
            const row = rows.insertRow(-1);
            row.insertCell().textContent = step;
            row.insertCell().textContent = text;
            while (rows.rows.length > 6) rows.deleteRow(0);
            if (keys.includes("loss")) {
              losses.push(field("loss"));
              const top = Math.max(...losses), bottom = Math.min(...losses), span = top - bottom || 1;
              const points = losses.map((loss, index) => `${(index / Math.max(losses.length - 1, 1)) * 236 + 2},${46 - ((loss - bottom) / span) * 44}`).join(" ");
              chart.innerHTML = `<polyline fill="none" stroke="#4493f8" stroke-width="2" points="${points}"></polyline>`;
            }
          };
          let shown = \(session.events.version);
          const refresh = async version => {
            if (version <= shown) return;
            const answer = await fetch(`/page?name=${encodeURIComponent(pageName)}`, {credentials: "same-origin", cache: "no-store"});
            if (!answer.ok) return;
            const page = new DOMParser().parseFromString(await answer.text(), "text/html");
            const fresh = page.querySelector("main"), current = document.querySelector("main");
            if (!fresh || !current) return;
            const y = window.scrollY;
            current.replaceWith(fresh);
            document.title = page.title;
            addCellButtons();
            window.scrollTo(0, y);
            shown = version;
            window.lecternShownAt = Date.now();
            document.body.dataset.version = String(version);
            losses = [];
            rows.replaceChildren();
            log.hidden = true;
          };
          const listen = () => {
            const socket = new WebSocket(`ws://${location.host}/events`);
            socket.onmessage = message => {
              const event = JSON.parse(message.data);
              if (event.type === "status") status.textContent = event.text;
              if (event.type === "page" && (event.page === undefined || event.page === pageName)) refresh(event.version);
              if (event.type === "log" && event.page === pageName) {
                logRow(event.keys, event.values);
                (window.lecternLogDelays = window.lecternLogDelays || []).push(Date.now() - event.sent);
              }
            };
            socket.onclose = () => setTimeout(listen, 1000);
          };
          listen();
        })();
        </script>
        """
    }
}
