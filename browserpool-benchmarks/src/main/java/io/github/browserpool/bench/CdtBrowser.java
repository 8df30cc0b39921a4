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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

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
  /** Profile dirs cdt's own close() left behind (we delete them afterwards and count them). */
  static final AtomicInteger LEFT_DIRS = new AtomicInteger();
  /** Processes still alive after cdt's close() returned (we kill them and count them). */
  static final AtomicInteger LEFT_PROCS = new AtomicInteger();

  final ChromeLauncher launcher;
  final ChromeService service;
  final Path dir;
  final long pid;

  private CdtBrowser(ChromeLauncher launcher, ChromeService service, Path dir, long pid) {
    this.launcher = launcher;
    this.service = service;
    this.dir = dir;
    this.pid = pid;
  }

  static CdtBrowser launch(Path chrome, Path tmpRoot) {
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
    return new CdtBrowser(launcher, service, dir, pid);
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
  ChromeTab firstTab() {
    List<ChromeTab> tabs = service.getTabs();
    return tabs.stream().filter(ChromeTab::isPageType).findFirst()
        .orElseThrow(() -> new IllegalStateException("no page tab in " + tabs.size() + " targets"));
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
      LEFT_PROCS.addAndGet(ProcessTable.alive(tree).size());
      Procs.kill(tree);
      Procs.awaitGone(tree, null, 5000);
    }
    if (dir != null && Files.exists(dir)) {
      LEFT_DIRS.incrementAndGet();
      Procs.deleteTree(dir);
    }
  }

  static long countLeftovers(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith("cdt-user-data-dir")).count();
    }
  }
}
