"""Checks a course site (`lectern build`) in the real browser: axe-core's accessibility rules on
every page, at a laptop's, a tablet's and a phone's width, that nothing is wider than a 360 px
phone, and that the content uses the width it has (a page without headings once squeezed its text
into the 224 px contents column at 1280 px).

    python Tests/reference/check_accessibility.py SITE_FOLDER [EXTRA_PAGE.html ...]

EXTRA pages are checked the same way: shapes of page the site lacks (a one-cell notebook without
headings, as `make site-check` renders one).

Runs headless Chromium through Selenium and chromedriver (Debian's `chromium-driver`), with the
axe-core that PyPI's `axe-selenium-python` bundles (`make test-packages` installs both). Prints one
line per page and each serious or critical violation; exits 1 if there is one, or if a page
scrolls sideways at 360 px (tables and code may scroll inside themselves; the page may not).
"""
import json
import pathlib
import shutil
import sys

from axe_selenium_python import Axe
from selenium import webdriver

WIDTHS = [(1280, 900), (768, 1000), (360, 800)]
# The content's width must be at least this share of the window's, up to a readable line.
CONTENT_SHARE, CONTENT_ENOUGH = 0.8, 880


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        options.add_argument(flag)
    # Debian's driver, named here so that Selenium does not look for one on the internet.
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def main():
    site = pathlib.Path(sys.argv[1]).resolve()
    pages = sorted(site.glob("*.html")) + [pathlib.Path(extra).resolve() for extra in sys.argv[2:]]
    if not pages:
        sys.exit(f"{site}: no pages")
    driver = browser()
    failures = 0
    try:
        for page in pages:
            for width, height in WIDTHS:
                driver.set_window_size(width, height)
                driver.get(page.as_uri())
                axe = Axe(driver)
                axe.inject()
                results = axe.run(options={"resultTypes": ["violations"]})
                serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
                overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                problems = [f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(n['target'][0] for n in v['nodes'][:3])}" for v in serious]
                if width <= 400 and overflow > 1:
                    problems.append(f"the page is {overflow} px wider than the window")
                content = driver.execute_script("var m = document.querySelector('main') || document.body; return m.getBoundingClientRect().width")
                inner = driver.execute_script("return window.innerWidth")
                if content < min(CONTENT_SHARE * inner, CONTENT_ENOUGH):
                    problems.append(f"the content is {content:.0f} px wide in a {inner} px window")
                print(f"{page.name} at {width} px: {len(results['violations'])} violations, {len(serious)} serious or critical, content {content:.0f} px"
                      + (f", overflow {overflow} px" if overflow > 1 else ""))
                for problem in problems:
                    print("  " + problem)
                failures += len(problems)
    finally:
        driver.quit()
    print(json.dumps({"pages": len(pages), "problems": failures}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
