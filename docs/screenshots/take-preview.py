"""A screenshot of `lectern preview` while the course lesson trains: the page with the training log's
rows arriving in the bar at the bottom. Run by `make screenshots` (headless Chromium through Selenium,
from the accessibility venv).

    python docs/screenshots/take-preview.py LECTERN OUT.png
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "Tests" / "reference"))
from check_accessibility import browser  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    lectern, out = str(pathlib.Path(sys.argv[1]).resolve()), pathlib.Path(sys.argv[2]).resolve()
    work = pathlib.Path(tempfile.mkdtemp(prefix="lectern-preview-shot-"))
    shutil.copy(ROOT / "notebooks" / "fine-tuning-bert.md", work / "lesson.md")
    template = str(ROOT / "templates" / "transcript.html.mustache")
    # A transcript to show while the lesson trains again (the page shows the newest one there is).
    subprocess.run([lectern, "run", "lesson.md", "--out", "out", "--quiet", "--template", template], cwd=work, check=True)
    server = subprocess.Popen([lectern, "preview", "lesson.md", "--out", "out", "--refresh", "train", "--quiet", "--template", template],
                              cwd=work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    driver = browser()
    try:
        url = server.stdout.readline().split(" at ")[1].strip()
        driver.set_window_size(1100, 1000)
        driver.get(url)
        deadline = time.time() + 300
        while driver.execute_script("return document.getElementById('lectern-rows').rows.length") < 4:
            if time.time() > deadline:
                raise SystemExit("no training rows within 5 minutes")
            time.sleep(0.1)
        driver.execute_script("document.getElementById('3-training').scrollIntoView()")
        driver.save_screenshot(str(out))
        print(out)
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
