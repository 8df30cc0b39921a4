package io.github.browserpool.bench;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Playwright-Java on the headless shell, the build Playwright itself runs for headless Chromium: a driver
 * (Node.js, unpacked from the jar) per instance, browsers launched with Playwright's own default switches
 * (only {@code executablePath} and {@code headless} set), as a Playwright user gets them.
 */
final class Pw implements AutoCloseable {
  final Playwright playwright;
  private final Path chrome;

  Pw(Path chrome, Path tmp) {
    this.chrome = chrome;
    playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of(
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1",
        "TMPDIR", tmp.toString())));
  }

  /** A launched browser and the processes that make it up. */
  static final class Launched {
    final Browser browser;
    final long pid;
    final Path dir;

    Launched(Browser browser, long pid, Path dir) {
      this.browser = browser;
      this.pid = pid;
      this.dir = dir;
    }

    Set<Long> tree() {
      return ProcessTable.tree(pid, dir);
    }
  }

  Browser launch() {
    return playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chrome).setHeadless(true));
  }

  /** Launches and finds the new browser's main process (a descendant of this JVM) and profile dir. */
  Launched launchTracked() {
    Set<Long> before = browserMains();
    Browser b = launch();
    Set<Long> after = browserMains();
    after.removeAll(before);
    if (after.size() != 1) {
      throw new IllegalStateException("expected one new Playwright browser process, found " + after);
    }
    long pid = after.iterator().next();
    return new Launched(b, pid, userDataDir(pid));
  }

  /**
   * Main browser processes under this JVM: Chromium command lines without --type= whose parent is not a
   * browser (a child that Chromium has just forked shows its parent's command line until it execs).
   */
  static Set<Long> browserMains() {
    Set<Long> out = new HashSet<>();
    ProcessHandle.current().descendants().forEach(h -> {
      if (isBrowserMain(h.pid()) && h.parent().map(p -> !isBrowserMain(p.pid())).orElse(true)
          && ProcessTable.isAlive(h.pid())) {
        out.add(h.pid());
      }
    });
    return out;
  }

  private static boolean isBrowserMain(long pid) {
    String c = Procs.cmdline(pid);
    return c.contains("--user-data-dir=") && !c.contains("--type=");
  }

  static Path userDataDir(long pid) {
    for (String a : Procs.cmdline(pid).split(" ")) {
      if (a.startsWith("--user-data-dir=")) {
        return Path.of(a.substring("--user-data-dir=".length()));
      }
    }
    return null;
  }

  long driverPid() {
    return ProcessHandle.current().children()
        .filter(h -> Procs.cmdline(h.pid()).contains("playwright"))
        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  @Override
  public void close() {
    playwright.close();
  }
}
