package io.github.browserpool.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.LeaseRevokedException;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.PoolExhaustedException;
import io.github.browserpool.CdpCallTimeoutException;
import io.github.browserpool.test.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input catalogue: every wrong setting, broken executable, misbehaving Chromium and misuse of
 * the API, with the exception it must produce and the words its message must contain (what was wrong,
 * and the setting to change). Each case must leave no process and no profile dir behind. The table is
 * also written to {@code target/bad-input.md} for the README.
 */
@Tag("chromium")
@ExtendWith(LeakGuard.class)
class BadInputCatalogueTest {
  private static final Path CHROMIUM = Binaries.chromium();
  /** Launch failures that happen at once must be reported well before this. */
  private static final Duration LONG_LAUNCH_TIMEOUT = Duration.ofSeconds(60);
  private static final Map<Integer, String> ROWS = new ConcurrentSkipListMap<>();

  /** What a case gets to work with: its own tempRoot and a scratch dir beside it (for scripts and files). */
  record Ctx(Path tempRoot, Path scratch) {
    PoolConfig.Builder base() {
      return PoolConfig.builder().maxContextsPerBrowser(1).poolName("catalogue").tempRoot(tempRoot).chromeExecutable(CHROMIUM)
          .closeTimeout(Duration.ofSeconds(5)).launchTimeout(LONG_LAUNCH_TIMEOUT);
    }
  }

  @FunctionalInterface
  interface Action {
    /** Runs the misuse and returns what it threw, or null when nothing was thrown. */
    Throwable run(Ctx ctx) throws Exception;
  }

  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /**
   * One row of the catalogue.
   *
   * @param expected the exact exception class, or null for "no exception"
   * @param mentions words the message must contain; {@code {tempRoot}} and {@code {scratch}} are replaced
   */
  record Case(int row, String name, Class<? extends Throwable> expected, List<String> mentions, Action action) {}

  static Stream<Named<Case>> cases() {
    List<Case> c = new ArrayList<>();
    // ---- PoolConfig: rejected at once by the builder, naming the setting and the value.
    config(c, "maxBrowsers(0)", b -> b.maxBrowsers(0), "maxBrowsers", "0");
    config(c, "maxBrowsers(-1)", b -> b.maxBrowsers(-1), "maxBrowsers", "-1");
    config(c, "minIdle(-1)", b -> b.minIdle(-1), "minIdle", "-1");
    config(c, "minIdle(3) > maxBrowsers(2)", b -> b.maxBrowsers(2).minIdle(3).build(), "minIdle", "3", "maxBrowsers", "2");
    config(c, "idleTimeout(0)", b -> b.idleTimeout(Duration.ZERO), "idleTimeout", "PT0S");
    config(c, "idleTimeout(-1s)", b -> b.idleTimeout(Duration.ofSeconds(-1)), "idleTimeout", "PT-1S");
    config(c, "idleTimeout(null)", b -> b.idleTimeout(null), "idleTimeout", "null");
    config(c, "acquireTimeout(-1ms)", b -> b.acquireTimeout(Duration.ofMillis(-1)), "acquireTimeout", "PT-0.001S");
    config(c, "closeTimeout(0)", b -> b.closeTimeout(Duration.ZERO), "closeTimeout", "PT0S");
    config(c, "launchTimeout(0)", b -> b.launchTimeout(Duration.ZERO), "launchTimeout", "PT0S");
    config(c, "maxLifetime(-1min)", b -> b.maxLifetime(Duration.ofMinutes(-1)), "maxLifetime", "PT-1M");
    config(c, "evictionProtection(-1s)", b -> b.evictionProtection(Duration.ofSeconds(-1)), "evictionProtection", "PT-1S");
    config(c, "callTimeout(0)", b -> b.callTimeout(Duration.ZERO), "callTimeout", "PT0S");
    config(c, "maxLeasesPerBrowser(0)", b -> b.maxLeasesPerBrowser(0), "maxLeasesPerBrowser", "0");
    config(c, "maxBrowserMemory(0)", b -> b.maxBrowserMemory(0), "maxBrowserMemory", "0", "no limit");
    config(c, "listener(null)", b -> b.listener(null), "listener", "null");
    config(c, "capacityPolicy(null)", b -> b.capacityPolicy(null), "capacityPolicy", "null");
    config(c, "tempRoot(null)", b -> b.tempRoot(null), "tempRoot", "null");
    config(c, "chromeExecutable(null)", b -> b.chromeExecutable(null), "chromeExecutable", "null");
    config(c, "poolName(\"\")", b -> b.poolName(""), "poolName");
    config(c, "poolName(\"a\\nb\")", b -> b.poolName("a\nb"), "poolName", "control");
    config(c, "ticker(null)", b -> b.ticker(null), "ticker", "null");
    config(c, "addChromeArguments(\"headless\") (no --)", b -> b.addChromeArguments("headless"), "chromeArguments", "headless", "--");
    config(c, "addChromeArguments(\"--\")", b -> b.addChromeArguments("--"), "chromeArguments", "--");
    config(c, "addChromeArguments((String) null)", b -> b.addChromeArguments((String) null), "chromeArguments", "null");
    config(c, "addChromeArguments(\"--a\\nb\")", b -> b.addChromeArguments("--a\nb"), "chromeArguments");
    add(c, "BrowserPool.start(null)", IllegalArgumentException.class, List.of("config"),
        x -> thrown(() -> BrowserPool.start(null)));

    // ---- The executable and tempRoot: reported by BrowserPool.start.
    add(c, "chromeExecutable: missing file", BrowserLaunchException.class,
        List.of("/nonexistent/chromium", "chromeExecutable"),
        x -> startFails(x, x.base().chromeExecutable(Path.of("/nonexistent/chromium"))));
    add(c, "chromeExecutable: file without execute permission (644)", BrowserLaunchException.class,
        List.of("{scratch}/not-executable", "chromeExecutable"),
        x -> {
          Path f = Files.writeString(x.scratch().resolve("not-executable"), "#!/bin/sh\nexit 0\n");
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
          return startFails(x, x.base().chromeExecutable(f));
        });
    add(c, "chromeExecutable: a directory", BrowserLaunchException.class,
        List.of("{scratch}", "chromeExecutable"),
        x -> startFails(x, x.base().chromeExecutable(x.scratch())));
    add(c, "tempRoot under a regular file (not creatable)", BrowserLaunchException.class,
        List.of("{tempRoot}/file.txt/sub", "tempRoot"),
        x -> {
          Files.writeString(x.tempRoot().resolve("file.txt"), "a regular file");
          return startFails(x, x.base().tempRoot(x.tempRoot().resolve("file.txt/sub")));
        });

    // ---- Browsers that exit at once or never become ready: reported by acquire().
    add(c, "chromeExecutable /bin/false (exits at once)", BrowserLaunchException.class,
        List.of("/bin/false", "exited at once", "chromeArguments"),
        x -> acquireFailsFast(x, x.base().chromeExecutable(Path.of("/bin/false"))));
    add(c, "Chromium exits at once with a fatal error on stderr (exit 3)", BrowserLaunchException.class,
        List.of("{scratch}/exits-at-once", "exited at once", "fatal: simulated", "chromeArguments"),
        x -> acquireFailsFast(x, x.base().chromeExecutable(
            script(x, "exits-at-once", "echo \"fatal: simulated\" >&2\nexit 3\n"))));
    add(c, "Chromium never becomes ready (launchTimeout 2 s)", BrowserLaunchException.class,
        List.of("{scratch}/never-ready", "launchTimeout", "PT2S"),
        x -> {
          Path pidFile = x.scratch().resolve("never-ready.pid");
          Path exe = script(x, "never-ready", "echo $$ > " + pidFile + "\nexec sleep 60\n");
          long t = System.nanoTime();
          Throwable e;
          try (BrowserPool pool = BrowserPool.start(x.base().chromeExecutable(exe)
              .launchTimeout(Duration.ofSeconds(2)).build())) {
            e = thrown(pool::acquire);
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertThat(ms).as("ms until the launch timed out").isBetween(1_900L, 12_000L);
            // The sleeping process no longer mentions tempRoot, so check its PID directly.
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            boolean alive = Procs.isAlive(pid);
            if (alive) {
              Procs.signal(pid, "KILL"); // it is ours: do not leave it around, but fail
            }
            assertThat(alive).as("the never-ready process " + pid + " is dead once acquire() has thrown").isFalse();
            assertNothingLeft(x);
          }
          return e;
        });
    add(c, "addChromeArguments(\"--type=renderer\") (Chromium aborts at startup)", BrowserLaunchException.class,
        List.of("exited at once", "Check failed", "chromeArguments"),
        x -> acquireFailsFast(x, x.base().addChromeArguments("--type=renderer")));
    add(c, "addChromeArguments(\"--version\") (Chromium prints its version and exits 0)", BrowserLaunchException.class,
        List.of("exited at once", "Chromium 156", "chromeArguments"),
        x -> acquireFailsFast(x, x.base().addChromeArguments("--version")));
    add(c, "addChromeArguments(\"--remote-debugging-pipe=cbor\") (speaks CBOR, never answers JSON; launchTimeout 3 s)",
        BrowserLaunchException.class, List.of("launchTimeout", "PT3S", "chromeArguments"),
        x -> {
          long t = System.nanoTime();
          try (BrowserPool pool = BrowserPool.start(x.base().addChromeArguments("--remote-debugging-pipe=cbor")
              .launchTimeout(Duration.ofSeconds(3)).build())) {
            Throwable e = thrown(pool::acquire);
            assertThat((System.nanoTime() - t) / 1_000_000).as("ms until the launch timed out").isBetween(2_900L, 15_000L);
            assertNothingLeft(x);
            return e;
          }
        });

    // ---- Using the API wrongly.
    add(c, "acquire((String) null)", IllegalArgumentException.class, List.of("sessionKey", "null"),
        x -> withPool(x, x.base(), pool -> thrown(() -> pool.acquire((String) null))));
    add(c, "acquire((LeaseOptions) null)", NullPointerException.class, List.of("options", "LeaseOptions.defaults()"),
        x -> withPool(x, x.base(), pool -> thrown(() -> pool.acquire((io.github.browserpool.LeaseOptions) null))));
    add(c, "LeaseOptions timezone(\"+02:00\")", IllegalArgumentException.class, List.of("timezone", "+02:00"),
        x -> thrown(() -> io.github.browserpool.LeaseOptions.builder().timezone("+02:00")));
    add(c, "acquire(\"\")", IllegalArgumentException.class, List.of("sessionKey", "\"\""),
        x -> withPool(x, x.base(), pool -> thrown(() -> pool.acquire(""))));
    add(c, "acquire(\"  \")", IllegalArgumentException.class, List.of("sessionKey"),
        x -> withPool(x, x.base(), pool -> thrown(() -> pool.acquire("  "))));
    add(c, "acquire() after pool.close()", PoolClosedException.class, List.of("closed"),
        x -> {
          BrowserPool pool = BrowserPool.start(x.base().build());
          pool.close();
          return thrown(pool::acquire);
        });
    add(c, "acquire(\"user-1\") after pool.close()", PoolClosedException.class, List.of("closed"),
        x -> {
          BrowserPool pool = BrowserPool.start(x.base().build());
          pool.close();
          return thrown(() -> pool.acquire("user-1"));
        });
    add(c, "lease.newPage() after pool.close()", LeaseRevokedException.class, List.of("closed"),
        x -> afterPoolClose(x, (lease, page) -> thrown(lease::newPage)));
    add(c, "lease.touch() after pool.close()", LeaseRevokedException.class, List.of("closed"),
        x -> afterPoolClose(x, (lease, page) -> thrown(lease::touch)));
    add(c, "a call on a page opened before pool.close()", LeaseRevokedException.class, List.of("closed"),
        x -> afterPoolClose(x, (lease, page) -> thrown(() -> SoakPages.evaluate(page, "1+1"))));
    add(c, "lease.newPage() after lease.close()", LeaseRevokedException.class, List.of("closed"),
        x -> withPool(x, x.base(), pool -> {
          BrowserLease lease = pool.acquire();
          lease.close();
          assertThat(lease.isActive()).isFalse();
          return thrown(lease::newPage);
        }));
    add(c, "a call on a page after lease.close()", LeaseRevokedException.class, List.of("closed"),
        x -> withPool(x, x.base(), pool -> {
          BrowserLease lease = pool.acquire();
          ChromeDevToolsService page = lease.newPage();
          assertThat(SoakPages.evaluate(page, "1+1")).isEqualTo(2);
          lease.close();
          return thrown(() -> SoakPages.evaluate(page, "1+1"));
        }));
    add(c, "lease used after it was revoked as abandoned (idleTimeout 1 s)", LeaseRevokedException.class,
        List.of("abandoned", "idleTimeout"),
        x -> withPool(x, x.base().idleTimeout(Duration.ofSeconds(1)), pool -> {
          BrowserLease lease = pool.acquire();
          ChromeDevToolsService page = lease.newPage();
          await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> !lease.isActive());
          Throwable onPage = thrown(() -> SoakPages.evaluate(page, "1+1"));
          assertThat(onPage).as("a call on the revoked lease's page").isInstanceOf(LeaseRevokedException.class);
          Throwable onTouch = thrown(lease::touch);
          assertThat(onTouch).as("touch() on the revoked lease").isInstanceOf(LeaseRevokedException.class);
          lease.close(); // closing a revoked lease is a no-op
          return thrown(lease::newPage);
        }));
    add(c, "a call stuck in an endless loop (evaluate while(true){}, callTimeout 2 s)", CdpCallTimeoutException.class,
        List.of("Runtime.evaluate", "no reply within PT2S", "callTimeout", "newPage()"),
        x -> withPool(x, x.base().callTimeout(Duration.ofSeconds(2)), pool -> {
          try (BrowserLease lease = pool.acquire()) {
            ChromeDevToolsService page = lease.newPage();
            Throwable e = thrown(() -> SoakPages.evaluate(page, "while (true) {}"));
            assertThat(lease.isActive()).as("the lease survives a timed-out call").isTrue();
            assertThat(SoakPages.evaluate(lease.newPage(), "1+1")).isEqualTo(2);
            return e;
          }
        }));
    add(c, "lease.close() twice", null, List.of(),
        x -> withPool(x, x.base(), pool -> {
          BrowserLease lease = pool.acquire();
          lease.close();
          return thrown(lease::close);
        }));
    add(c, "lease.close() after pool.close()", null, List.of(),
        x -> afterPoolClose(x, (lease, page) -> thrown(lease::close)));
    add(c, "pool.close() twice", null, List.of(),
        x -> {
          BrowserPool pool = BrowserPool.start(x.base().build());
          pool.acquire().close();
          pool.close();
          return thrown(pool::close);
        });
    add(c, "acquire() interrupted while waiting (maxBrowsers 1, WAIT)", BrowserPoolException.class,
        List.of("interrupted"),
        x -> withPool(x, x.base().maxBrowsers(1).acquireTimeout(Duration.ofSeconds(120)), pool -> {
          try (BrowserLease held = pool.acquire()) {
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicBoolean flag = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
              try {
                pool.acquire().close();
              } catch (Throwable t) {
                error.set(t);
                flag.set(Thread.currentThread().isInterrupted());
              }
            }, "catalogue-waiter");
            waiter.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().waiting() == 1);
            waiter.interrupt();
            waiter.join(30_000);
            assertThat(waiter.isAlive()).as("the interrupted acquire returned").isFalse();
            assertThat(flag.get()).as("interrupt flag restored").isTrue();
            assertThat(pool.stats().waiting()).as("waiting after the interrupt").isZero();
            assertThat(held.isActive()).as("the held lease is untouched").isTrue();
            return error.get();
          }
        }));
    add(c, "acquire() at capacity with REJECT", PoolExhaustedException.class, List.of("maxBrowsers"),
        x -> withPool(x, x.base().maxBrowsers(1).capacityPolicy(CapacityPolicy.REJECT), pool -> {
          try (BrowserLease held = pool.acquire()) {
            return thrown(pool::acquire);
          }
        }));
    add(c, "acquire() at capacity with WAIT, acquireTimeout 500 ms", AcquireTimeoutException.class,
        List.of("acquireTimeout", "PT0.5S"),
        x -> withPool(x, x.base().maxBrowsers(1).acquireTimeout(Duration.ofMillis(500)), pool -> {
          // acquireTimeout bounds the launch too: the first lease may take a few tries to get its browser.
          BrowserLease first = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
              .ignoreException(AcquireTimeoutException.class).until(pool::acquire, java.util.Objects::nonNull);
          try (BrowserLease held = first) {
            return thrown(pool::acquire);
          }
        }));
    return c.stream().map(k -> Named.of(k.name(), k));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInput(Case c, Path tempRoot) throws Exception {
    Ctx ctx = new Ctx(tempRoot, scratch(tempRoot));
    Files.createDirectories(ctx.scratch());
    Throwable t = c.action().run(ctx);
    String message = t == null ? null : t.getMessage();
    ROWS.put(c.row(), "| " + md(c.name()) + " | " + (t == null ? "— (no exception)" : "`" + t.getClass().getSimpleName() + "`")
        + " | " + (message == null ? "" : md(normalise(message, ctx))) + " |");
    if (c.expected() == null) {
      assertThat(t).as("nothing thrown").isNull();
    } else {
      assertThat(t).as("thrown").isNotNull();
      if (t.getClass() != c.expected()) {
        throw new AssertionError("expected " + c.expected().getName() + " but got " + t, t);
      }
      assertThat(message).as("message").isNotBlank();
      for (String m : c.mentions()) {
        String want = m.replace("{tempRoot}", tempRoot.toString()).replace("{scratch}", ctx.scratch().toString());
        assertThat(message).as("message names " + m).contains(want);
      }
    }
    assertNothingLeft(ctx);
  }

  @AfterEach
  void removeScratch(Path tempRoot) throws IOException {
    Path s = scratch(tempRoot);
    if (Files.exists(s)) {
      try (Stream<Path> w = Files.walk(s)) {
        w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @AfterAll
  static void writeTable() throws IOException {
    Path out = Path.of("target", "bad-input.md");
    Files.createDirectories(out.getParent());
    StringBuilder sb = new StringBuilder("| case | exception | message |\n|---|---|---|\n");
    ROWS.values().forEach(r -> sb.append(r).append('\n'));
    Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
    System.out.println("[catalogue] wrote " + out.toAbsolutePath() + " (" + ROWS.size() + " rows)");
  }

  // ---------------------------------------------------------------------------------------------

  private static void add(List<Case> c, String name, Class<? extends Throwable> expected, List<String> mentions, Action a) {
    c.add(new Case(c.size(), name, expected, mentions, a));
  }

  private static void config(List<Case> c, String name, java.util.function.Consumer<PoolConfig.Builder> bad, String... mentions) {
    add(c, "PoolConfig." + name, IllegalArgumentException.class, List.of(mentions),
        x -> thrown(() -> bad.accept(PoolConfig.builder())));
  }

  private static Path scratch(Path tempRoot) {
    return tempRoot.resolveSibling(tempRoot.getFileName() + "-scratch");
  }

  /** Runs {@code body} and returns what it threw (not Errors: failed assertions propagate), or null. */
  static Throwable thrown(Body body) {
    try {
      body.run();
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  /** start() must fail, and leave nothing (a pool that did start is closed, and the case then fails). */
  private static Throwable startFails(Ctx x, PoolConfig.Builder b) {
    PoolConfig config = b.build();
    Throwable e = thrown(() -> BrowserPool.start(config).close());
    assertNothingLeft(x);
    return e;
  }

  /** start() succeeds; acquire() fails quickly (well under launchTimeout) and leaves nothing. */
  private static Throwable acquireFailsFast(Ctx x, PoolConfig.Builder b) {
    try (BrowserPool pool = BrowserPool.start(b.build())) {
      long t = System.nanoTime();
      Throwable e = thrown(pool::acquire);
      long ms = (System.nanoTime() - t) / 1_000_000;
      assertThat(ms).as("ms until acquire() failed (launchTimeout " + LONG_LAUNCH_TIMEOUT + ")").isLessThan(15_000L);
      assertNothingLeft(x);
      assertThat(pool.stats().total()).as("browsers after the failed launch").isZero();
      assertThat(pool.stats().launchFailures()).as("launchFailures").isEqualTo(e == null ? 0 : 1);
      return e;
    }
  }

  interface PoolAction {
    Throwable run(BrowserPool pool) throws Exception;
  }

  private static Throwable withPool(Ctx x, PoolConfig.Builder b, PoolAction a) throws Exception {
    try (BrowserPool pool = BrowserPool.start(b.build())) {
      return a.run(pool);
    }
  }

  interface LeaseAction {
    Throwable run(BrowserLease lease, ChromeDevToolsService page) throws Exception;
  }

  /** Acquires a lease and opens a page, closes the pool, then runs {@code a} on the leftovers. */
  private static Throwable afterPoolClose(Ctx x, LeaseAction a) throws Exception {
    BrowserPool pool = BrowserPool.start(x.base().build());
    BrowserLease lease;
    ChromeDevToolsService page;
    try {
      lease = pool.acquire();
      page = lease.newPage();
      assertThat(SoakPages.evaluate(page, "1+1")).isEqualTo(2);
    } finally {
      pool.close();
    }
    assertThat(lease.isActive()).as("lease active after pool.close()").isFalse();
    assertNothingLeft(x);
    return a.run(lease, page);
  }

  private static Path script(Ctx x, String name, String body) throws IOException {
    Path f = Files.writeString(x.scratch().resolve(name), "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f;
  }

  private static void assertNothingLeft(Ctx x) {
    assertThat(Procs.referencing(x.tempRoot())).as("processes under " + x.tempRoot()).isEmpty();
    assertThat(Procs.profileDirs(x.tempRoot())).as("profile dirs under " + x.tempRoot()).isEmpty();
  }

  private static String normalise(String message, Ctx x) {
    String m = message.replace(x.scratch().toString(), "<scratch>").replace(x.tempRoot().toString(), "<tempRoot>")
        .replaceAll("chromelambda-[0-9a-f-]{8,}", "chromelambda-<uuid>")
        .replaceAll("pid \\d+", "pid <n>");
    return m.length() > 400 ? m.substring(0, 400) + " …" : m;
  }

  private static String md(String s) {
    return s.replace("|", "\\|").replace("\r", "").replace("\n", " ⏎ ");
  }
}
