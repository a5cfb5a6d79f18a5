"""The page in a real headless Chromium, against `symdiff serve` started on a free port.

Needs Debian's `chromium` and `chromium-driver` and the Python package
selenium.  Without them the tests are skipped (with how to install them),
except under CI, where `.ci/run` installs them and a missing browser fails.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

import pytest
from support.extras import need

import symdiff

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
INSTALL = "apt-get install -y chromium chromium-driver (as root)"
ARTIFACTS = Path(os.environ.get("SYMDIFF_TEST_ARTIFACTS", Path(__file__).parent.parent / "test-artifacts"))
WAIT = 30  # seconds: an upper bound for explicit waits, not a sleep
F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"


for module, extra in (("selenium", "test"), ("starlette", "web"), ("uvicorn", "web")):
    need(module, extra)  # skipped outside CI, saying how to install; required in CI
_absent = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
if _absent:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {', '.join(_absent)} missing; {INSTALL}", pytrace=False)
    pytest.skip(f"{', '.join(_absent)} missing; to run these tests: {INSTALL}", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def server():
    """`symdiff serve --port 0` in a fresh process; yields the URL it prints."""
    proc = subprocess.Popen([sys.executable, "-m", "symdiff", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        first = lines.get(timeout=WAIT)
        assert "serving on http://127.0.0.1:" in first, first
        url = first.split("serving on ", 1)[1].split()[0]
        urllib.request.urlopen(url, timeout=WAIT).read()  # answers once the workers are up
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="symdiff-chromium-")
    # Headless as root on a closed network: no sandbox, and no background connections.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(server, browser):
    browser.get(server)
    WebDriverWait(browser, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")
    return browser


def wait(driver, condition):
    return WebDriverWait(driver, WAIT).until(lambda d: condition(d))


def typed(driver, element_id: str, text: str) -> None:
    box = driver.find_element(By.ID, element_id)
    box.clear()
    box.send_keys(text)


def result_plain(driver) -> str | None:
    return driver.execute_script("return document.getElementById('result').dataset.plain || null")


def visible_text(element) -> str:
    """The text a reader sees, without MathML's invisible operators."""
    return element.get_attribute("textContent").replace("\u2061", "").replace("\u2062", "")


def test_log2_is_typeset(page):
    typed(page, "expr", "log_2(x)")
    wait(page, lambda d: result_plain(d) == str(symdiff.diff("log_2(x)", "x")))
    frac = page.find_element(By.CSS_SELECTOR, "#result math mfrac")
    numerator, denominator = frac.find_elements(By.XPATH, "./*")
    assert visible_text(numerator) == "1"
    assert visible_text(denominator) == "xln2"  # 1/(x ln 2), without brackets
    # Typeset, not shown as text: Chromium lays the numerator out above the denominator.
    top = numerator.rect["y"] + numerator.rect["height"]
    assert top <= denominator.rect["y"] + 1
    assert "d" in visible_text(page.find_element(By.ID, "steps"))


def test_steps_switch_to_japanese_and_collapse(page):
    typed(page, "expr", "x^x")
    wait(page, lambda d: result_plain(d) == "x^x*(ln(x) + 1)")
    assert "Logarithmic differentiation" in page.find_element(By.ID, "steps").text
    Select(page.find_element(By.ID, "lang")).select_by_value("ja")
    steps = page.find_element(By.ID, "steps")
    wait(page, lambda d: "微分" in steps.text)
    assert "答え" in steps.text and "Answer" not in steps.text
    # the page's own labels follow the language too
    wait(page, lambda d: d.find_element(By.CSS_SELECTOR, "[data-i18n=wrt]").text == "微分する変数")
    assert page.find_element(By.ID, "copy-plain").text == "テキストをコピー"
    assert page.find_element(By.ID, "wrt").get_attribute("placeholder") == "自動"
    assert page.execute_script("return document.documentElement.lang") == "ja"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.execute_script("arguments[0].scrollIntoView()", steps)
    assert page.save_screenshot(str(ARTIFACTS / "web-page-ja.png"))
    step = steps.find_element(By.CSS_SELECTOR, "details.step")
    assert step.get_attribute("open") is not None
    step.find_element(By.TAG_NAME, "summary").click()
    wait(page, lambda d: step.get_attribute("open") is None)


def test_parse_error_shows_message_and_caret(page):
    typed(page, "expr", "x +* 2")
    shown = "#result .error .caret"
    # Replies to the text half typed may arrive first: wait for the whole text's.
    wait(page, lambda d: [e.get_attribute("textContent") for e in d.find_elements(By.CSS_SELECTOR, shown)]
         == ["x +* 2\n   ^"])  # the caret under the '*', column 4
    with pytest.raises(symdiff.ParseError) as caught:
        symdiff.parse("x +* 2")
    reason = page.find_element(By.CSS_SELECTOR, "#result .error .reason").text
    assert reason == f"{caught.value.reason} (line 1, column 4)"
    assert not page.find_element(By.ID, "steps").text
    assert result_plain(page) is None


def test_article_formula_2_with_substitution(page):
    page.find_element(By.CSS_SELECTOR, "#options summary").click()
    typed(page, "where", "y_i = sigmoid(z_i)")
    typed(page, "wrt", "z_j")
    # Pasted, as a reader copies it from the article: one input event for the whole text.
    page.execute_script(
        "const box = document.getElementById('expr'); box.value = arguments[0];"
        "box.dispatchEvent(new InputEvent('input', {inputType: 'insertFromPaste'}));", F2)
    wait(page, lambda d: result_plain(d) == "(sigmoid(z_j) - t_j)/N")
    maths = page.find_element(By.CSS_SELECTOR, "#result math")
    assert maths.find_elements(By.TAG_NAME, "mfrac")
    assert "\u03c3" in visible_text(maths)  # sigmoid typeset as σ
    page.find_element(By.ID, "copy-plain").click()
    copied = page.find_element(By.ID, "copied")
    wait(page, lambda d: copied.get_attribute("data-text") == "(sigmoid(z_j) - t_j)/N")
    page.find_element(By.ID, "copy-steps").click()
    wait(page, lambda d: (copied.get_attribute("data-text") or "").startswith("**Differentiate"))


def test_brackets_stretch_around_a_tall_fraction(page):
    typed(page, "expr", "(x+1)^2*(x+2)^3/(x+3)^4")
    wait(page, lambda d: result_plain(d) == str(symdiff.diff("(x+1)^2*(x+2)^3/(x+3)^4", "x")))
    frac = page.find_element(By.CSS_SELECTOR, "#input-echo math mfrac")
    bracket = page.find_element(By.CSS_SELECTOR, "#input-echo math mo")
    brackets = [mo for mo in page.find_elements(By.CSS_SELECTOR, "#input-echo math mo") if mo.text == "("]
    assert brackets, bracket.text
    tall = max(b.rect["height"] for b in brackets)
    assert tall >= 0.8 * frac.rect["height"]  # the bracket around the quotient is as tall as it
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert page.save_screenshot(str(ARTIFACTS / "web-page-brackets.png"))


def test_screenshots_at_1280_by_800(page):
    """The page as a reader sees it (a laptop screen), and the steps below it;
    test-artifacts/ keeps the pictures for a look by eye."""
    assert page.execute_script("return [window.innerWidth, window.outerHeight]")[0] <= 1280
    typed(page, "expr", "x^2 sin(x)")
    wait(page, lambda d: result_plain(d) == str(symdiff.diff("x^2 sin(x)", "x")))
    plotted = importlib.util.find_spec("matplotlib") is not None  # the [web] extra brings it
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#plot img" if plotted else "#plot p"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "web-page.png"
    assert page.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if plotted:
        img = page.find_element(By.CSS_SELECTOR, "#plot img")
        assert img.rect["width"] >= 700  # the plot is not a thumbnail
    steps = page.find_element(By.ID, "steps")
    page.execute_script("arguments[0].scrollIntoView()", steps)
    shot = ARTIFACTS / "web-steps.png"
    assert page.save_screenshot(str(shot))
    task = steps.find_element(By.CSS_SELECTOR, ".task math")
    assert task.rect["height"] >= 18  # the formula in "Differentiate ... with respect to" is readable


def test_shapes_field_gives_the_matrix_form(page):
    """Issue 24: shapes typed in their field; the page shows the matrix-form gradient and its steps."""
    typed(page, "wrt", "w")
    typed(page, "shapes", "X:n,d w:d y:n")
    typed(page, "expr", "norm(X*w - y)^2")
    wait(page, lambda d: result_plain(d) == "2*X^T*(X*w - y)")
    assert "Identify the gradient" in visible_text(page.find_element(By.ID, "steps"))
    typed(page, "shapes", "")
    typed(page, "wrt", "")
