package io.github.browserpool.bench;

import io.github.browserpool.PoolConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Where the contenders come from: one Chromium binary and one temp dir for all of them, and a way to
 * start each kind (raw pipe, cdt's launcher, Playwright, a browserpool config).
 */
final class Env {
  /** The contenders' names, as they head the rows of results.md. */
  static final String LIMIT = "limit (raw pipe)";
  /** The limit with Playwright's --no-startup-window: no initial about:blank tab and renderer. */
  static final String LIMIT_NSW = "limit, --no-startup-window";
  static final String NAIVE = "naive (cdt launch per task)";
  static final String POOL2 = "hand-rolled (Pool2 + cdt)";
  static final String PW = "Playwright-Java";
  static final String BP = "browserpool";

  /** The flags browserpool's launcher passes (headless, no first run, background networking off ...). */
  static final List<String> RAW_FLAGS = List.of("--headless", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-sync", "--disable-component-update",
      "--disable-default-apps", "--disable-gpu", "--disable-breakpad", "--disable-crash-reporter",
      "--mute-audio", "--no-sandbox", "--remote-debugging-pipe");
  static final List<String> RAW_FLAGS_NSW =
      Stream.concat(RAW_FLAGS.stream(), Stream.of("--no-startup-window")).toList();

  final Path chrome;
  final Path tmp;
  final Leftovers leftovers;
  private final AtomicInteger poolNames = new AtomicInteger();

  Env(Path chrome, Path tmp, Leftovers leftovers) {
    this.chrome = chrome;
    this.tmp = tmp;
    this.leftovers = leftovers;
  }

  /** A local browserpool config with a fresh pool name, this Chromium and this temp dir. */
  PoolConfig.Builder pool() {
    return PoolConfig.builder().poolName("bench-" + poolNames.incrementAndGet()).chromeExecutable(chrome)
        .tempRoot(tmp);
  }

  /** A config with a fresh name for a pool of another kind (e.g. on a Grid). */
  PoolConfig.Builder pool(String prefix) {
    return PoolConfig.builder().poolName(prefix + poolNames.incrementAndGet());
  }

  /** A bare Chromium with {@code flags} that has answered its first CDP call. */
  RawChrome raw(List<String> flags) throws IOException {
    RawChrome r = RawChrome.spawn(chrome, flags, tmp);
    try {
      r.call(null, "Browser.getVersion", null);
      return r;
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
  }

  CdtBrowser cdt() {
    return CdtBrowser.launch(chrome, leftovers);
  }

  /** A Playwright (its own Node.js driver) that launches this Chromium; driver and browsers use the temp dir. */
  Pw playwright() {
    return new Pw(chrome, tmp);
  }
}
