package io.github.browserpool.bench;

import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.Binaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the contenders come from: the two Chromium builds, one temp dir for all of them, and a way to
 * start each kind (raw pipe, cdt's launcher, Playwright, a browserpool config).
 *
 * <p>Every contender runs on the headless shell, the build Playwright itself runs for headless Chromium
 * and the pool's default, started as the very file the pool's own browser runs (Debian's
 * {@code /usr/bin/chromium-headless-shell} is a script that starts the real binary as a child; the pool
 * starts that binary, and so does every contender here). The pool, and the raw limit beside it, also run
 * on full Chromium ({@link BrowserBinary#CHROMIUM}) where the build matters, as their own columns.
 */
final class Env {
  /** The contenders' names, as they head the rows of results.md. */
  static final String LIMIT = "limit (raw pipe)";
  /** The limit on full Chromium, with the switches the pool gives full Chromium. */
  static final String LIMIT_CHROMIUM = "limit (raw pipe), chromium";
  static final String NAIVE = "naive (cdt launch per task)";
  static final String POOL2 = "hand-rolled (Pool2 + cdt)";
  static final String PW = "Playwright-Java";
  static final String BP = "browserpool";
  /** browserpool with {@code browserBinary(CHROMIUM)}. */
  static final String BP_CHROMIUM = "browserpool, chromium";

  /**
   * The switches browserpool's launcher gives full Chromium (headless, no first run, background
   * networking off, no startup window ...), without its disabled features: a hand-written launcher's.
   */
  static final List<String> RAW_FLAGS = List.of("--headless", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-sync", "--disable-component-update",
      "--disable-default-apps", "--disable-gpu", "--disable-breakpad", "--disable-crash-reporter",
      "--mute-audio", "--no-sandbox", "--no-startup-window", "--remote-debugging-pipe");
  /**
   * The switches browserpool's launcher gives the headless shell: the above without those only full
   * Chromium has (docs/configuration.md, "Choosing the browser binary"), plus {@code --site-per-process}.
   */
  static final List<String> SHELL_RAW_FLAGS = List.of("--disable-gpu", "--disable-breakpad",
      "--disable-crash-reporter", "--mute-audio", "--no-sandbox", "--site-per-process", "--remote-debugging-pipe");

  final Path tmp;
  final Leftovers leftovers;
  private final Map<BrowserBinary, Path> configured = new EnumMap<>(BrowserBinary.class);
  private final Map<BrowserBinary, Path> started = new EnumMap<>(BrowserBinary.class);
  /** What each contender was found running, for results.md: contender -> "exe: ...; command line". */
  private final Map<String, String> setup = new LinkedHashMap<>();
  private final AtomicInteger poolNames = new AtomicInteger();
  private boolean playwrightChecked;

  Env(Path chromium, Path shell, Path tmp, Leftovers leftovers) {
    configured.put(BrowserBinary.CHROMIUM, chromium);
    configured.put(BrowserBinary.HEADLESS_SHELL, shell);
    this.tmp = tmp;
    this.leftovers = leftovers;
  }

  /** The binary's name in contender names and tables. */
  static String label(BrowserBinary b) {
    return b == BrowserBinary.HEADLESS_SHELL ? "headless shell" : "chromium";
  }

  static String bp(BrowserBinary b) {
    return b == BrowserBinary.HEADLESS_SHELL ? BP : BP_CHROMIUM;
  }

  static String limit(BrowserBinary b) {
    return b == BrowserBinary.HEADLESS_SHELL ? LIMIT : LIMIT_CHROMIUM;
  }

  /** The path the pool is configured with for {@code b} ({@code bench.shell}, {@code bench.chrome}). */
  Path configured(BrowserBinary b) {
    return configured.get(b);
  }

  /**
   * The file the other contenders start for {@code b}: for the shell, the executable of the pool's own
   * browser process (read from /proc once per run); full Chromium's script {@code exec}s its binary, so
   * it is started as configured, by the pool and the limit alike.
   */
  synchronized Path started(BrowserBinary b) {
    Path p = started.get(b);
    if (p == null) {
      p = b == BrowserBinary.HEADLESS_SHELL ? poolExecutable(b) : configured(b);
      started.put(b, p);
    }
    return p;
  }

  /** Starts a pool on {@code b} once, and records what its browser process runs. */
  private Path poolExecutable(BrowserBinary b) {
    try (BrowserPool bp = BrowserPool.start(pool(b).maxBrowsers(1).build()); BrowserLease l = bp.acquire()) {
      long pid = l.browserPid();
      Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"));
      if (b == BrowserBinary.HEADLESS_SHELL && !Binaries.isHeadlessShell(exe)) {
        throw new IllegalStateException("bench.shell=" + configured(b) + " runs " + exe
            + ", which is not a headless shell: set -Dbench.shell to chromium-headless-shell");
      }
      setup.put(bp(b) + " (" + configured(b) + ")", describe(pid));
      return exe;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the pool browser's executable", e);
    }
  }

  /** "exe: path; command line" of a live process. */
  static String describe(long pid) {
    String exe;
    try {
      exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
    } catch (IOException e) {
      exe = "?";
    }
    return "exe `" + exe + "`; command line `" + Procs.cmdline(pid) + "`";
  }

  /** What each contender runs, as found in this run (one line each), for results.md. */
  synchronized List<String> setupLines() {
    List<String> out = new ArrayList<>();
    setup.forEach((k, v) -> out.add(k + ": " + v));
    return out;
  }

  /** A local browserpool config on the headless shell (the default) with a fresh pool name and this temp dir. */
  PoolConfig.Builder pool() {
    return pool(BrowserBinary.HEADLESS_SHELL);
  }

  /** A local browserpool config on {@code b}, as a user would choose it: {@code chromeExecutable}. */
  PoolConfig.Builder pool(BrowserBinary b) {
    return PoolConfig.builder().poolName("bench-" + poolNames.incrementAndGet()).chromeExecutable(configured(b))
        .tempRoot(tmp);
  }

  /** A config with a fresh name for a pool of another kind (e.g. on a Grid). */
  PoolConfig.Builder pool(String prefix) {
    return PoolConfig.builder().poolName(prefix + poolNames.incrementAndGet());
  }

  /** The limit's switches on {@code b}. */
  static List<String> rawFlags(BrowserBinary b) {
    return b == BrowserBinary.HEADLESS_SHELL ? SHELL_RAW_FLAGS : RAW_FLAGS;
  }

  /** A bare headless shell with the pool's switches that has answered its first CDP call. */
  RawChrome raw() throws IOException {
    return raw(BrowserBinary.HEADLESS_SHELL);
  }

  /** A bare {@code b} with the switches the pool gives it that has answered its first CDP call. */
  RawChrome raw(BrowserBinary b) throws IOException {
    return raw(b, rawFlags(b));
  }

  /** A bare {@code b} with {@code flags} that has answered its first CDP call. */
  RawChrome raw(BrowserBinary b, List<String> flags) throws IOException {
    RawChrome r = RawChrome.spawn(started(b), flags, tmp);
    try {
      r.call(null, "Browser.getVersion", null);
      synchronized (this) {
        setup.putIfAbsent(limit(b), describe(r.pid()));
      }
      return r;
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
  }

  /** cdt's own launcher on the headless shell. */
  CdtBrowser cdt() {
    return CdtBrowser.launch(started(BrowserBinary.HEADLESS_SHELL), leftovers);
  }

  /**
   * A Playwright (its own Node.js driver) that launches the headless shell; driver and browsers use the
   * temp dir. The first call of a run launches one browser and checks that it runs the shell.
   */
  Pw playwright() {
    Pw pw = new Pw(started(BrowserBinary.HEADLESS_SHELL), tmp);
    try {
      checkPlaywright(pw);
      return pw;
    } catch (RuntimeException | Error e) {
      pw.close();
      throw e;
    }
  }

  private void checkPlaywright(Pw pw) {
    synchronized (this) {
      if (playwrightChecked) {
        return;
      }
    }
    Pw.Launched l = pw.launchTracked();
    try {
      Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(l.pid), "exe"));
      if (!exe.equals(started(BrowserBinary.HEADLESS_SHELL))) {
        throw new IllegalStateException("Playwright's browser runs " + exe + ", not the headless shell "
            + started(BrowserBinary.HEADLESS_SHELL));
      }
      synchronized (this) {
        setup.put(PW + " (launch(), executablePath, headless)", describe(l.pid) + "; processes: "
            + DenseIdlePart.kinds(l.tree()));
        playwrightChecked = true; // only once it passed: a failed check fails every Playwright turn
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read Playwright's browser executable", e);
    } finally {
      l.browser.close();
    }
  }
}
