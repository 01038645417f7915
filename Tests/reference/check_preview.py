"""`lectern preview` in the real browser (headless Chromium through Selenium, as check_accessibility.py):
open the printed URL; save an edit and see the page change; add a training cell and see its log rows
before the cell ends; stop it and resume it; run with another parameter from the page's form; and
axe-core on the live page. Prints one JSON object of what it measured; exits 1 on a failed step.

    python Tests/reference/check_preview.py LECTERN TEMPLATE FOLDER [STEPS]

FOLDER holds `lesson.md` (front matter `params: {rows: 20}`, prose "A first draft. We take ${rows}
rows.", a `load` and a `tokenize` cell) and its data; the script appends a `train` cell of STEPS steps
(default 300: long enough to be stopped half-way).
"""
import json
import pathlib
import subprocess
import sys
import time

from axe_selenium_python import Axe

from check_accessibility import browser

TRAIN = """
```train
max_steps: {steps}
per_device_train_batch_size: 4
logging_steps: {logging}
eval_strategy: "no"
save_strategy: "no"
output_dir: results
```
"""


def wait(description, condition, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if condition():
                return time.time()
        except Exception:  # the page may be between two transcripts
            pass
        time.sleep(0.05)
    raise SystemExit(f"timed out: {description}")


def main():
    lectern, template, folder = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    lesson = folder / "lesson.md"
    server = subprocess.Popen([lectern, "preview", "lesson.md", "--out", "out", "--template", template, "--quiet"], cwd=folder,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    results = {}
    driver = browser()
    try:
        url = server.stdout.readline().split(" at ")[1].strip()
        driver.set_window_size(1280, 900)
        driver.get(url)
        main_text = lambda: driver.execute_script("return document.querySelector('main').innerText")
        status = lambda: driver.execute_script("return document.getElementById('lectern-status').textContent")
        wait("the first transcript", lambda: "A first draft." in main_text())

        # A save: the page changes in place, keeping its scroll position.
        driver.execute_script("window.scrollTo(0, 120)")
        saved = time.time()
        lesson.write_text(lesson.read_text().replace("A first draft.", "A second draft."))
        shown = wait("the edited prose", lambda: "A second draft." in main_text())
        results["save_to_page_seconds"] = round(shown - saved, 3)
        results["scroll_kept"] = driver.execute_script("return window.scrollY") > 0

        # A training cell: its log rows reach the page while it runs.
        steps = int(sys.argv[4]) if len(sys.argv) > 4 else 300
        lesson.write_text(lesson.read_text() + TRAIN.format(steps=steps, logging=max(steps // 30, 1)))
        wait("a training log row", lambda: driver.execute_script("return document.getElementById('lectern-rows').rows.length") >= 2)
        results["rows_before_the_cell_ended"] = "train_runtime" not in main_text()
        # The page already holds the cells done so far, with the training cell marked as running.
        results["partial_transcript_shown"] = "running…" in main_text() and "Class balance" in main_text()
        results["log_row_delays_ms"] = driver.execute_script("return window.lecternLogDelays")

        # Stop (as Ctrl-C: a checkpoint), then resume from it to the end.
        driver.find_element("css selector", "[data-post='/stop']").click()
        wait("the stop", lambda: "Stopped" in status())
        wait("the interrupted transcript", lambda: "nterrupted" in main_text())
        driver.find_element("css selector", "[data-post='/resume']").click()
        wait("the resumed training's end", lambda: "train_runtime" in main_text(), seconds=180)
        results["resumed"] = "Resumed from" in main_text() or "resum" in main_text().lower()

        # Another parameter, from the form.
        field = driver.find_element("css selector", "#lectern-parameters input[name='rows']")
        field.clear()
        field.send_keys("16")
        driver.find_element("css selector", "#lectern-parameters button[type='submit']").click()
        wait("the new parameter in the prose", lambda: "We take 16 rows." in main_text(), seconds=180)

        serious = []
        for width, height in [(1280, 900), (360, 800)]:
            driver.set_window_size(width, height)
            axe = Axe(driver)
            axe.inject()
            violations = axe.run(options={"resultTypes": ["violations"]})["violations"]
            serious += [f"{width} px: {v['impact']}: {v['id']} ({v['help']})" for v in violations if v.get("impact") in ("serious", "critical")]
            overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                serious.append(f"{width} px: the page is {overflow} px wider than the window")
        results["axe_serious"] = serious
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)
    ok = (results.get("rows_before_the_cell_ended") and results.get("partial_transcript_shown") and results.get("scroll_kept")
          and not results.get("axe_serious"))
    print(json.dumps(results))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
