"""`lectern preview` in the real browser (headless Chromium through Selenium, as check_accessibility.py):
open the printed URL; save an edit and see the page change; add a training cell and see its log rows
before the cell ends; stop it and resume it; run with another parameter from the page's form; run the training cell again from its own button; and
axe-core on the live page. Prints one JSON object of what it measured; exits 1 on a failed step.

    python Tests/reference/check_preview.py LECTERN TEMPLATE FOLDER [STEPS]

FOLDER holds `lesson.md` (front matter `params: {rows: 20}`, prose "A first draft. We take ${rows}
rows.", a `load` and a `tokenize` cell) and its data; the script appends a `train` cell of STEPS steps
(default 300: long enough to be stopped half-way). When FOLDER also holds `course/` (course.yaml with
two lessons, the second titled "Second lesson"), the course is previewed too: its index is the front
page, the navigation leads to a live lesson page, and a save of that lesson reaches it.
"""
import contextlib
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


@contextlib.contextmanager
def preview(lectern, template, folder, subject, out):
    """`lectern preview SUBJECT` in FOLDER, and a 1280 px browser on the URL it prints; both end after the block."""
    server = subprocess.Popen([lectern, "preview", subject, "--out", out, "--template", template, "--quiet"], cwd=folder,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    driver = browser()
    try:
        url = server.stdout.readline().split(" at ")[1].strip()
        driver.set_window_size(1280, 900)
        driver.get(url)
        yield driver, lambda: driver.execute_script("return document.querySelector('main').innerText")
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=30)


def main():
    lectern, template, folder = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    lesson = folder / "lesson.md"
    results = {}
    with preview(lectern, template, folder, "lesson.md", "out") as (driver, main_text):
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
        wait("the training with 16 rows", lambda: "train_runtime" in main_text() and not status().startswith("Running"), seconds=180)

        # A cell's own Run again: the training runs anew (its log rows come back) instead of from the cache.
        rows = lambda: driver.execute_script("return document.getElementById('lectern-rows').rows.length")
        wait("an empty log after the page swap", lambda: rows() == 0)
        button = driver.find_element("css selector", "section.directive[data-line] .lectern-run-cell[aria-label^='Run the train cell']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        wait("the training run again", lambda: rows() >= 1, seconds=180)
        results["cell_run_again"] = True

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
    if (folder / "course").is_dir():
        results.update(check_course(lectern, template, folder))
    ok = (results.get("rows_before_the_cell_ended") and results.get("partial_transcript_shown") and results.get("scroll_kept")
          and not results.get("axe_serious") and results.get("course_index_axe_serious", []) == [])
    print(json.dumps(results))
    sys.exit(0 if ok else 1)


def check_course(lectern, template, folder):
    """`lectern preview course`: the index first, a lesson through the navigation, an edit of that lesson."""
    results = {}
    with preview(lectern, template, folder, "course", "site") as (driver, main_text):
        wait("the course's index", lambda: "Second lesson" in main_text())
        axe = Axe(driver)
        axe.inject()
        violations = axe.run(options={"resultTypes": ["violations"]})["violations"]
        results["course_index_axe_serious"] = [f"{v['impact']}: {v['id']}" for v in violations if v.get("impact") in ("serious", "critical")]
        driver.find_element("partial link text", "Second lesson").click()
        wait("the second lesson's live page", lambda: "The second lesson's draft." in main_text())
        results["course_lesson_is_live"] = driver.execute_script("return document.getElementById('lectern-preview') !== null")
        lesson = folder / "course" / "second.md"
        saved = time.time()
        lesson.write_text(lesson.read_text().replace("The second lesson's draft.", "The second lesson, edited."))
        shown = wait("the edited lesson", lambda: "The second lesson, edited." in main_text())
        results["course_save_to_page_seconds"] = round(shown - saved, 3)
    return results


if __name__ == "__main__":
    main()
