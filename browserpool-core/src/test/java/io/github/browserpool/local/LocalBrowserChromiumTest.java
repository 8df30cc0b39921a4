package io.github.browserpool.local;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.CloseReason;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import io.github.browserpool.test.Binaries;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalBrowser} and its launcher against real Chromium; each test proves it left nothing behind. */
@Tag("chromium")
class LocalBrowserChromiumTest {
  @TempDir Path tempRoot;
  private final List<LaunchedBrowser> browsers = new ArrayList<>();

  @AfterEach
  void closeAndCheck() {
    browsers.forEach(b -> b.close(CloseReason.SHUTDOWN));
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  private LocalBrowser launch(RecordingEvents events) {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(1).poolName("chrome-browser-test").tempRoot(tempRoot).build();
    LocalBrowser browser = (LocalBrowser) LocalBrowserLauncher.create(config).launch(events);
    events.process = browser.process();
    browsers.add(browser);
    return browser;
  }

  @Test
  void eachBinaryIsLaunchedWithItsOwnSwitchesAndItsMainPidIsTheBrowser() throws Exception {
    Path shell = Path.of("/usr/bin/chromium-headless-shell"); // Debian's launcher script, as setup.sh installs it
    assertThat(shell).as("chromium-headless-shell (scripts/setup.sh installs it)").isExecutable();
    for (Path exe : List.of(shell, Binaries.chromium())) {
      boolean isShell = exe.equals(shell);
      PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(1).poolName("binary-test").tempRoot(tempRoot)
          .chromeExecutable(exe).build();
      RecordingEvents events = new RecordingEvents();
      LocalBrowser browser = (LocalBrowser) LocalBrowserLauncher.create(config).launch(events);
      events.process = browser.process();
      browsers.add(browser);
      assertThat(browser.connection().send("Browser.getVersion", null).get(10, SECONDS).path("product").asText())
          .startsWith(isShell ? "HeadlessChrome/" : "Chrome/");
      List<String> args = List.of(ProcessTable.read(browser.process().pid()).cmdline().split(" "));
      if (isShell) {
        assertThat(args.get(0)).as("the shell's binary itself, not the launcher script that would be its parent")
            .isEqualTo("/usr/lib/chromium/chromium-headless-shell");
        assertThat(args).contains("--site-per-process", "--remote-debugging-pipe")
            .doesNotContainAnyElementsOf(io.github.browserpool.chrome.ChromeFlags.FULL_CHROMIUM_ONLY_SWITCHES);
      } else {
        assertThat(args).containsAll(io.github.browserpool.chrome.ChromeFlags.FULL_CHROMIUM_ONLY_SWITCHES)
            .doesNotContain("--site-per-process");
      }
    }
  }

  @Test
  void aPipeThatFailsWhileTheProcessLivesIsReportedAsACrash() throws Exception {
    RecordingEvents events = new RecordingEvents();
    LocalBrowser browser = launch(events);
    assertThat(browser.connection().send("Browser.getVersion", null).get(10, SECONDS).path("product").asText())
        .startsWith(Binaries.poolBrowserProductPrefix());
    assertThat(events.crashes.get()).isZero();

    browser.process().fromBrowser().close(); // the reader's next read fails; Chromium itself lives on
    // A read blocked on the pipe only returns when Chromium writes: ask it something, so that it does (the
    // test used to count on incidental late traffic, such as the prepared context's, which may not come).
    browser.connection().send("Browser.getVersion", null);

    await("the dead pipe reported").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
        .until(() -> events.crashes.get() > 0);
    // Chromium may die a moment later (its next write hits the broken pipe); the report must not wait for that.
    assertThat(events.aliveAtFirstCrash).as("reported while the process still lived: the pipe alone was enough").isTrue();
    assertThat(browser.connection().isOpen()).isFalse();
    // afterEach closes it: the engine's crash path does the same (close with reason CRASHED)
  }

  @Test
  void aPoolCloseIsNotReportedAsACrash() throws Exception {
    RecordingEvents events = new RecordingEvents();
    LocalBrowser browser = launch(events);
    browser.close(CloseReason.SHUTDOWN);
    assertThat(browser.connection().isOpen()).isFalse();
    assertThat(browser.process().isAlive()).isFalse();
    assertThat(events.crashes.get()).isZero();
  }

  @Test
  void aNewPageThatLosesTheRaceWithReleaseClosesItsOwnTabInAKeyedBrowser() throws Exception {
    LocalBrowser browser = launch(new RecordingEvents());
    LaunchedBrowser.LeaseContext keyed = browser.openContext(false);
    Set<String> before = pageTargets(browser); // the keeper page (and maybe a spare context's page)

    // The release runs exactly between the tab's creation and its hand-over: inside the check that
    // newPage() makes of the lease once the tab exists (the guard's first call).
    AtomicInteger calls = new AtomicInteger();
    CallGuard releaseDuringNewPage = new CallGuard() {
      @Override
      public void beforeCall() {
        if (calls.incrementAndGet() == 1) {
          assertThat(keyed.release()).isTrue();
        }
      }

      @Override
      public RuntimeException translate(RuntimeException failure) {
        return failure;
      }
    };
    assertThatThrownBy(() -> keyed.newPage(releaseDuringNewPage))
        .isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("lease is closed");

    await("the lost page's tab closed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> newPages(browser, before).isEmpty());
    // A later lease of the same key finds no tab left by the one before.
    LaunchedBrowser.LeaseContext next = browser.openContext(false);
    assertThat(newPages(browser, before)).isEmpty();

    // The same when the lease is revoked while its page is being made: the page closes its own tab.
    CallGuard revokedDuringNewPage = new CallGuard() {
      @Override
      public void beforeCall() {
        throw new LeaseRevokedException("lease #2 was revoked while newPage() ran");
      }

      @Override
      public RuntimeException translate(RuntimeException failure) {
        return failure;
      }
    };
    assertThatThrownBy(() -> next.newPage(revokedDuringNewPage)).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("revoked while newPage() ran");
    await("the revoked lease's tab closed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> newPages(browser, before).isEmpty());
    assertThat(next.release()).isTrue();
  }

  @Test
  void aNewPageOnAReleasedContextOpensNothing() throws Exception {
    LocalBrowser browser = launch(new RecordingEvents());
    LaunchedBrowser.LeaseContext keyed = browser.openContext(false);
    Set<String> before = pageTargets(browser);
    assertThat(keyed.release()).isTrue();
    assertThatThrownBy(() -> keyed.newPage(CallGuard.NONE)).isInstanceOf(LeaseRevokedException.class)
        .hasMessageContaining("lease is closed");
    assertThat(newPages(browser, before)).isEmpty();
  }

  private static Set<String> pageTargets(LocalBrowser browser) throws Exception {
    JsonNode infos = browser.connection().send("Target.getTargets", null).get(10, SECONDS).get("targetInfos");
    Set<String> pages = new HashSet<>();
    for (JsonNode info : infos) {
      if ("page".equals(info.path("type").asText())) {
        pages.add(info.path("targetId").asText());
      }
    }
    return pages;
  }

  private static Set<String> newPages(LocalBrowser browser, Set<String> before) throws Exception {
    Set<String> now = pageTargets(browser);
    now.removeAll(before);
    return now;
  }

  private static final class RecordingEvents implements BrowserLauncher.BrowserEvents {
    final AtomicInteger activity = new AtomicInteger();
    final AtomicInteger crashes = new AtomicInteger();
    volatile io.github.browserpool.chrome.ChromeProcess process;
    volatile Boolean aliveAtFirstCrash;

    @Override
    public void activity() {
      activity.incrementAndGet();
    }

    @Override
    public void exitedUnexpectedly() {
      io.github.browserpool.chrome.ChromeProcess p = process;
      if (aliveAtFirstCrash == null && p != null) {
        aliveAtFirstCrash = p.isAlive();
      }
      crashes.incrementAndGet();
    }
  }
}
