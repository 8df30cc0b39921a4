package io.github.browserpool.bench;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kklisura.cdt.launch.ChromeArguments;
import com.github.kklisura.cdt.launch.ChromeLauncher;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.ChromeService;
import com.github.kklisura.cdt.services.types.ChromeTab;
import io.github.browserpool.test.ProcessTable;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A browser launched by cdt-java-client's own {@link ChromeLauncher} (websocket on a debugging port), as
 * a user of cdt without browserpool would do it. Used by the naive and the Commons Pool2 contenders.
 *
 * <p>Two cdt helpers do not work with Chromium 156: {@code getVersion()} fails on an unknown JSON field
 * and {@code createTab()} sends GET where /json/new needs PUT. So tabs are opened with our own PUT and
 * read into cdt's {@link ChromeTab}; {@code getTabs()}, {@code createDevToolsService} and {@code closeTab}
 * work as they are.
 */
final class CdtBrowser implements AutoCloseable {
  private static final ObjectMapper TAB_JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  final ChromeLauncher launcher;
  final ChromeService service;
  final Path dir;
  final long pid;
  private final Leftovers leftovers;

  private CdtBrowser(ChromeLauncher launcher, ChromeService service, Path dir, long pid, Leftovers leftovers) {
    this.leftovers = leftovers;
    this.launcher = launcher;
    this.service = service;
    this.dir = dir;
    this.pid = pid;
  }

  /** Launches with cdt's ChromeLauncher; what its close() leaves behind is counted in {@code leftovers}. */
  static CdtBrowser launch(Path chrome, Leftovers leftovers) {
    ChromeLauncher launcher = new ChromeLauncher();
    ChromeArguments args = ChromeArguments.builder()
        .headless()
        .noFirstRun()
        .noDefaultBrowserCheck()
        .disableGpu()
        .disableBackgroundNetworking()
        .disableSync()
        .disableDefaultApps()
        .disableExtensions()
        .muteAudio()
        .additionalArguments("no-sandbox", true)
        .additionalArguments("remote-allow-origins", "*")
        .additionalArguments("disable-breakpad", true)
        .additionalArguments("disable-crash-reporter", true)
        .additionalArguments("disable-component-update", true)
        .build();
    ChromeService service = launcher.launch(chrome, args);
    Path dir = userDataDir(launcher);
    long pid = browserPid(launcher);
    return new CdtBrowser(launcher, service, dir, pid, leftovers);
  }

  private static Path userDataDir(ChromeLauncher launcher) {
    try {
      java.lang.reflect.Field f = ChromeLauncher.class.getDeclaredField("userDataDirPath");
      f.setAccessible(true);
      return (Path) f.get(launcher);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long browserPid(ChromeLauncher launcher) {
    try {
      java.lang.reflect.Field f = ChromeLauncher.class.getDeclaredField("chromeProcess");
      f.setAccessible(true);
      return ((Process) f.get(launcher)).pid();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tab Chromium opened at start (about:blank). */
  /**
   * The browser's initial tab; the headless shell opens none when no URL is given on its command line, so
   * there a new one is opened, as a cdt user would have to.
   */
  ChromeTab firstTab() throws IOException {
    List<ChromeTab> tabs = service.getTabs();
    Optional<ChromeTab> first = tabs.stream().filter(ChromeTab::isPageType).findFirst();
    return first.isPresent() ? first.get() : newTab();
  }

  /** Opens a new tab with PUT /json/new (cdt's createTab uses GET, which Chromium 156 refuses). */
  ChromeTab newTab() throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(
        "http://localhost:" + ((com.github.kklisura.cdt.services.impl.ChromeServiceImpl) service).getPort() + "/json/new?about:blank").openConnection();
    c.setRequestMethod("PUT");
    c.setConnectTimeout(10_000);
    c.setReadTimeout(30_000);
    try (InputStream in = c.getInputStream()) {
      if (c.getResponseCode() != 200) {
        throw new IOException("/json/new answered " + c.getResponseCode());
      }
      return TAB_JSON.readValue(in, ChromeTab.class);
    } finally {
      c.disconnect();
    }
  }

  ChromeDevToolsService open(ChromeTab tab) {
    return service.createDevToolsService(tab);
  }

  void closeTab(ChromeTab tab, ChromeDevToolsService devTools) {
    devTools.close();
    service.closeTab(tab);
  }

  Set<Long> tree() {
    return ProcessTable.tree(pid, dir);
  }

  /** cdt's close(), then our check: anything it left (processes, the dir) is counted and removed. */
  @Override
  public void close() {
    closeWith(tree());
  }

  void closeWith(Set<Long> tree) {
    launcher.close();
    if (!Procs.awaitGone(tree, null, 3000)) {
      leftovers.cdtProcs.addAndGet(ProcessTable.alive(tree).size());
      Procs.kill(tree);
      Procs.awaitGone(tree, null, 5000);
    }
    if (dir != null && Files.exists(dir)) {
      leftovers.cdtDirs.incrementAndGet();
      Procs.deleteTree(dir);
    }
  }
}
