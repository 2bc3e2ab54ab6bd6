"""CommuneWatch test peer: a real browser (headless Debian Chromium through Selenium) on the pages.

Run with the peers venv (scripts/setup-peers) and Debian chromium + chromium-driver (scripts/setup-deps):

    /opt/communewatch/peers-venv/bin/python browser_peer.py --collector http://127.0.0.1:PORT \
        --login admin --password-file F --page / --page /portals --width 360 --width 1280 --out DIR

Signs in through the /login form, loads each page at each width, saves DIR/<page>-<width>.png
(the whole page, not only the first screen) and prints one JSON object on stdout:

    {"collector": URL, "signedIn": true, "results": [   (bytes: the document as received, compressed or not)
        {"page": "/", "width": 360, "url": final URL, "status": 200, "title": "...", "bytes": N,
         "scrollWidth": N, "innerWidth": N, "overflow": scrollWidth > width,
         "sideways": [{"box", "holds", "scrollWidth", "clientWidth"} of boxes scrolling sideways inside],
         "screenshot": path,
         "requests": N, "outside": [urls of requests to any host other than the collector]}]}

With --click PAGE SELECTOR (repeatable, after the pages): loads PAGE at --click-width (default the
first width), clicks the first element matching the CSS SELECTOR (a form's button: the form is
sent as a person would), waits for the next page and adds to the JSON
    "clicks": [{"page", "selector", "width", "url", "status", "title", "text" (the page's text, at most
                20,000 characters), "before": {data-* of the clicked element's nearest ancestor with any},
                "after": {the same element's data-* on the new page, found by its first data-* attribute; {} if gone},
                "outside": [...], "screenshot": path}]

With --download-link PAGE SELECTOR it opens PAGE, clicks the link SELECTOR (a CSS selector) and
waits for the file in DIR/downloads ("downloads": [{"page", "selector", "href", "file", "name",
"bytes"}]); with --print-pdf PAGE it prints PAGE as the browser's Print to PDF does (CSS page size,
backgrounds) to DIR/<page>.pdf ("pdfs": [{"page", "file", "bytes", "pages", "isPDF"}]).

The browser can reach nothing but loopback (every host name resolves to nothing, every other
address goes to a dead proxy), so a page that wants the internet shows up in "outside" and fails
to load it, instead of quietly reaching out.  Bounded: 20 s per page load, --deadline for the whole
run (default 180 s); exits 1 with "browser_peer: ..." on stderr on any failure; the browser and
chromedriver are always ended on exit.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import urllib.parse


def log(msg):
    sys.stderr.write("browser_peer: %s\n" % msg)
    sys.stderr.flush()


class Deadline(Exception):
    pass


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--collector", required=True, help="collector base URL, http://127.0.0.1:PORT")
    ap.add_argument("--login", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--page", action="append", required=True, help="path to load, repeatable")
    ap.add_argument("--width", action="append", type=int, help="viewport width in CSS px, repeatable (default 360 and 1280)")
    ap.add_argument("--height", type=int, default=800, help="viewport height in CSS px")
    ap.add_argument("--out", required=True, help="directory for the screenshots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--page-timeout", type=float, default=20.0)
    ap.add_argument("--deadline", type=float, default=180.0, help="whole run, seconds")
    ap.add_argument("--click", nargs=2, action="append", default=[], metavar=("PAGE", "SELECTOR"),
                    help="after the pages: load PAGE, click the first SELECTOR match, report the page it leads to; repeatable")
    ap.add_argument("--click-width", type=int, help="viewport width for --click (default the first --width)")
    ap.add_argument("--download-link", nargs=2, action="append", metavar=("PAGE", "SELECTOR"),
                    help="open PAGE, click the link SELECTOR, keep the file in OUT/downloads; repeatable")
    ap.add_argument("--print-pdf", action="append", metavar="PAGE", help="print PAGE to OUT/<page>.pdf; repeatable")
    args = ap.parse_args(argv)
    u = urllib.parse.urlsplit(args.collector)
    if u.scheme not in ("http", "https") or not u.hostname:
        ap.error("--collector must be an http(s) URL, got %r" % args.collector)
    if u.hostname not in ("127.0.0.1", "localhost", "::1") and not u.hostname.startswith("127."):
        ap.error("--collector must be on loopback (the browser reaches nothing else), got %r" % u.hostname)
    for p in args.page:
        if not p.startswith("/"):
            ap.error("--page must be a path starting with /, got %r" % p)
    args.width = args.width or [360, 1280]
    for p, _ in args.click:
        if not p.startswith("/"):
            ap.error("--click PAGE must be a path starting with /, got %r" % p)
    if args.click_width is not None and not 200 <= args.click_width <= 4000:
        ap.error("--click-width must be between 200 and 4000, got %d" % args.click_width)
    for w in args.width:
        if not 200 <= w <= 4000:
            ap.error("--width must be between 200 and 4000, got %d" % w)
    for exe in (args.chromium, args.chromedriver):
        if not os.access(exe, os.X_OK):
            ap.error("%s is missing (scripts/setup-deps installs chromium and chromium-driver)" % exe)
    return args


def make_driver(args, profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = args.chromium
    for a in (
        "--headless=new",
        "--user-data-dir=" + profile,
        # Nothing but loopback: names resolve to nothing (except the loopback ones), and any
        # other address is sent to a proxy on a closed loopback port (loopback bypasses proxies).
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--metrics-recording-only",
        "--hide-scrollbars",
        "--lang=vi",
    ):
        opts.add_argument(a)
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")  # Chromium refuses to run its sandbox as root
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=args.chromedriver, log_output=os.path.join(profile, "chromedriver.log"))
    driver = webdriver.Chrome(options=opts, service=service)
    driver.set_page_load_timeout(args.page_timeout)
    driver.set_script_timeout(args.page_timeout)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def drain_network(driver):
    """The Network events logged since the last call, as (method, params)."""
    out = []
    for entry in driver.get_log("performance"):
        try:
            m = json.loads(entry["message"])["message"]
        except (KeyError, ValueError):
            continue
        if m.get("method", "").startswith("Network."):
            out.append((m["method"], m.get("params", {})))
    return out


def origin_of(url):
    u = urllib.parse.urlsplit(url)
    return (u.scheme, u.hostname, u.port or {"http": 80, "https": 443}.get(u.scheme))


def summarise(events, collector):
    """(document status, document bytes, all request URLs, URLs outside the collector)."""
    home = origin_of(collector)
    urls, outside, status, doc_id, sizes = [], [], None, None, {}
    for method, p in events:
        if method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            urls.append(url)
            if url.startswith(("data:", "blob:", "about:")):
                continue
            if origin_of(url) != home:
                outside.append(url)
        elif method == "Network.responseReceived" and p.get("type") == "Document":
            status = p.get("response", {}).get("status")  # the last document wins (after redirects)
            doc_id = p.get("requestId")
        elif method == "Network.loadingFinished":
            sizes[p.get("requestId")] = p.get("encodedDataLength")
    return status, sizes.get(doc_id), urls, outside


def sign_in(driver, args, password):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(args.collector.rstrip("/") + "/login")
    drain_network(driver)
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/login']")
    form.find_element(By.NAME, "login").send_keys(args.login)
    form.find_element(By.NAME, "password").send_keys(password)
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(driver, args.page_timeout).until(
        lambda d: urllib.parse.urlsplit(d.current_url).path != "/login"
        or d.find_elements(By.CSS_SELECTOR, "p.no"))
    if urllib.parse.urlsplit(driver.current_url).path == "/login":
        msg = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "p.no"))
        raise RuntimeError("sign-in as %r refused: %s" % (args.login, msg or "still on /login"))
    drain_network(driver)


def visit(driver, args, page, width):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": args.height, "deviceScaleFactor": 1, "mobile": width < 600})
    drain_network(driver)
    driver.get(args.collector.rstrip("/") + page)
    status, size, urls, outside = summarise(drain_network(driver), args.collector)
    # Overflow is judged against the width asked for, not innerWidth: a page without
    # <meta name=viewport> gets a 980 px layout viewport on a phone and would never overflow it.
    scroll_w, inner_w = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    # Boxes that scroll sideways inside the page (.scroll around wide tables): no page overflow,
    # but part of their content is off-screen until swiped; reported, for a person to judge.
    sideways = driver.execute_script("""
        var out = [];
        document.querySelectorAll('body *').forEach(function (e) {
            var o = getComputedStyle(e).overflowX;
            if ((o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth + 1) {
                var first = e.firstElementChild;
                out.push({box: e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''),
                          holds: first ? first.tagName.toLowerCase() + (first.className ? '.' + first.className : '') : '',
                          scrollWidth: e.scrollWidth, clientWidth: e.clientWidth});
            }
        });
        return out;""")
    if size is None:
        size = len(driver.page_source.encode("utf-8"))
    name = re.sub(r"[^A-Za-z0-9]+", "_", page).strip("_") or "overview"
    shot = os.path.join(args.out, "%s-%d.png" % (name, width))
    png = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png["data"]))
    return {
        "page": page, "width": width, "url": driver.current_url, "status": status,
        "title": driver.title, "bytes": size, "scrollWidth": scroll_w, "innerWidth": inner_w,
        "overflow": scroll_w > width, "sideways": sideways, "screenshot": shot, "requests": len(urls), "outside": outside,
    }


def data_attrs(driver, element):
    """The data-* attributes of the element's nearest ancestor (or itself) having any, and the first one's name."""
    found = driver.execute_script("""
        for (var e = arguments[0]; e && e.nodeType === 1; e = e.parentElement) {
            var attrs = {}, first = null;
            for (var i = 0; i < e.attributes.length; i++) {
                var a = e.attributes[i];
                if (a.name.indexOf('data-') === 0) { attrs[a.name] = a.value; first = first || a.name; }
            }
            if (first) { return [attrs, first]; }
        }
        return [{}, null];""", element)
    return found[0], found[1]


def click(driver, args, page, selector, width):
    """Loads page, clicks the first selector match, and reports where that led."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": args.height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(args.collector.rstrip("/") + page)
    matches = driver.find_elements(By.CSS_SELECTOR, selector)
    if not matches:
        raise RuntimeError("--click: nothing matches %r on %s" % (selector, page))
    target = matches[0]
    before, key = data_attrs(driver, target)
    old = driver.find_element(By.TAG_NAME, "html")
    drain_network(driver)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    target.click()
    WebDriverWait(driver, args.page_timeout).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, args.page_timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")
    status, _, _, outside = summarise(drain_network(driver), args.collector)
    after = {}
    if key:
        again = driver.find_elements(By.CSS_SELECTOR, "[%s=\"%s\"]" % (key, before[key].replace("\\", "\\\\").replace('"', '\\"')))
        if again:
            after, _ = data_attrs(driver, again[0])
    name = re.sub(r"[^A-Za-z0-9]+", "_", page).strip("_") or "overview"
    shot = os.path.join(args.out, "click-%s-%d.png" % (name, width))
    png = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png["data"]))
    text = driver.find_element(By.TAG_NAME, "body").text
    return {"page": page, "selector": selector, "width": width, "url": driver.current_url, "status": status,
            "title": driver.title, "text": text[:20000], "before": before, "after": after, "outside": outside, "screenshot": shot}


def page_name(page):
    return re.sub(r"[^A-Za-z0-9]+", "_", page).strip("_") or "overview"


def download_link(driver, args, page, selector):
    """Clicks a download link as a person does and waits (bounded) for the whole file."""
    import time
    from selenium.webdriver.common.by import By

    folder = os.path.abspath(os.path.join(args.out, "downloads"))
    os.makedirs(folder, exist_ok=True)
    before = set(os.listdir(folder))
    # Headless Chromium drops downloads unless told where to put them.
    behaviour = {"behavior": "allow", "downloadPath": folder}
    try:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", behaviour)
    except Exception:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", behaviour)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(args.collector.rstrip("/") + page)
    link = driver.find_element(By.CSS_SELECTOR, selector)
    href = link.get_attribute("href")
    link.click()
    deadline = time.monotonic() + args.page_timeout
    done, sizes = [], None
    while time.monotonic() < deadline:
        names = [n for n in os.listdir(folder) if n not in before]
        partial = [n for n in names if n.endswith(".crdownload") or n.startswith(".")]
        done = [n for n in names if n not in partial]
        now = [os.path.getsize(os.path.join(folder, n)) for n in done]
        if done and not partial and now == sizes:  # the same size twice in a row: finished
            break
        sizes = now if done else None
        time.sleep(0.25)
    else:
        raise RuntimeError("clicking %s on %s downloaded nothing within %.0f s" % (selector, page, args.page_timeout))
    name = sorted(done)[0]
    path = os.path.join(folder, name)
    return {"page": page, "selector": selector, "href": href, "file": path, "name": name, "bytes": os.path.getsize(path)}


def print_pdf(driver, args, page):
    """The page as Print to PDF makes it: the page size the stylesheet's @page asks for, colours kept."""
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(args.collector.rstrip("/") + page)
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    data = base64.b64decode(pdf["data"])
    path = os.path.join(args.out, page_name(page) + ".pdf")
    with open(path, "wb") as f:
        f.write(data)
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))
    return {"page": page, "file": path, "bytes": len(data), "pages": pages, "isPDF": data.startswith(b"%PDF-")}


def main(argv):
    args = parse_args(argv)
    try:
        with open(args.password_file) as f:
            password = f.read().strip()
    except OSError as e:
        log("cannot read --password-file: %s" % e)
        return 1
    try:
        import selenium  # noqa: F401
    except ImportError:
        log("selenium is missing: run with /opt/communewatch/peers-venv/bin/python (scripts/setup-peers)")
        return 1
    os.makedirs(args.out, exist_ok=True)

    def on_alarm(signum, frame):
        raise Deadline("run exceeded --deadline %.0f s" % args.deadline)

    def on_term(signum, frame):
        raise Deadline("stopped by signal %d" % signum)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.setitimer(signal.ITIMER_REAL, args.deadline)
    profile = tempfile.mkdtemp(prefix="cw-browser-")
    driver = None
    try:
        driver = make_driver(args, profile)
        sign_in(driver, args, password)
        results = [visit(driver, args, p, w) for p in args.page for w in args.width]
        report = {"collector": args.collector, "signedIn": True, "results": results}
        if args.click:
            report["clicks"] = [click(driver, args, p, sel, args.click_width or args.width[0]) for p, sel in args.click]
        report["downloads"] = [download_link(driver, args, p, sel) for p, sel in args.download_link or []]
        report["pdfs"] = [print_pdf(driver, args, p) for p in args.print_pdf or []]
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    except Exception as e:  # every failure ends in one clear line and exit 1
        log("%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ""))
        return 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if driver is not None:
            try:
                driver.quit()  # ends chromium and chromedriver
            except Exception as e:
                log("quitting the browser: %s" % e)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
