package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions kept in a store, against real Chromium and a login site that keeps its session in an httpOnly
 * cookie, a localStorage token and an IndexedDB record: the login survives its browser's retirement and a
 * {@code kill -9}, each key sees only its own state, and states move between browserpool and Playwright.
 * Every test ends with nothing left under its tempRoot.
 */
class SessionsChromiumTest extends OnRealChromium {
  private SessionSite site;

  @BeforeEach
  void startSite() throws IOException {
    site = new SessionSite();
  }

  @AfterEach
  void stopSite() {
    site.close();
  }

  private PoolConfig.Builder stored(String name, SessionStore store) {
    return config(name).maxBrowsers(1).maxContextsPerBrowser(8).sessionStore(store)
        .acquireTimeout(Duration.ofMinutes(1));
  }

  @Test
  void theLoginSurvivesItsBrowsersRetirement() {
    try (BrowserPool pool = BrowserPool.start(stored("sessions-retire", SessionStore.inMemory())
        .maxLeasesPerBrowser(1).build())) {
      long firstPid;
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.isNewSession()).isTrue();
        site.logIn(lease, "alice");
        firstPid = lease.browserPid();
      } // saved, then the browser retires: it served its one lease
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.browserPid()).as("a new browser").isNotEqualTo(firstPid);
        assertThat(lease.isNewSession()).isFalse();
        assertThat(site.seen(lease)).isEqualTo(SessionSite.loggedIn("alice"));
      }
      try (BrowserLease anonymous = pool.acquire()) {
        assertThat(site.seen(anonymous)).isEqualTo(new SessionSite.Seen("Please log in", null, null));
      }
      assertThat(site.logins).as("alice logged in once").hasValue(1);
    }
  }

  /**
   * The first lease closes normally (its state is saved); the second is open, restored, when its browser
   * is killed with SIGKILL. The second lease fails as crashed and saves nothing (it never read its state),
   * so the store keeps the first lease's state, and the third lease is logged in from it.
   */
  @Test
  void theLoginSurvivesKillNineOfTheBrowserFromTheLastSave() throws Exception {
    try (BrowserPool pool = BrowserPool.start(stored("sessions-kill", SessionStore.inMemory()).build())) {
      try (BrowserLease lease = pool.acquire("alice")) {
        site.logIn(lease, "alice");
      }
      BrowserLease second = pool.acquire("alice");
      assertThat(second.isNewSession()).isFalse();
      long pid = second.browserPid();
      assertThat(new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor()).isZero();
      await("the lease fails as crashed").atMost(Duration.ofSeconds(15))
          .until(() -> !second.isActive());
      assertThatThrownBy(second::newPage).isInstanceOf(BrowserCrashedException.class);
      second.close();
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(lease.browserPid()).isNotEqualTo(pid);
        assertThat(lease.isNewSession()).isFalse();
        assertThat(site.seen(lease)).isEqualTo(SessionSite.loggedIn("alice"));
      }
      assertThat(site.logins).hasValue(1);
    }
  }

  /**
   * A pool in a child JVM logs alice in and closes (its state saved in a directory store); the child
   * exits, and a new pool in this JVM on the same directory serves alice logged in.
   */
  @Test
  void theLoginSurvivesAPoolRestartInANewJvm() throws Exception {
    Path sessions = tempRoot.resolve("sessions");
    String javaBin = ProcessHandle.current().info().command().orElseThrow();
    Path err = tempRoot.resolve("child.log");
    Process child = new ProcessBuilder(javaBin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), Child.class.getName(), sessions.toString(),
        tempRoot.toString(), site.url("/login?user=alice"))
        .redirectErrorStream(true).redirectOutput(err.toFile()).start();
    try {
      assertThat(child.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).as("the child finished").isTrue();
      assertThat(child.exitValue()).as(java.nio.file.Files.readString(err)).isZero();
    } finally {
      child.destroyForcibly();
      java.nio.file.Files.deleteIfExists(err);
    }
    assertThat(site.logins).hasValue(1);
    try (BrowserPool pool = BrowserPool.start(stored("sessions-restarted", SessionStore.directory(sessions)).build());
        BrowserLease lease = pool.acquire("alice")) {
      assertThat(lease.isNewSession()).isFalse();
      assertThat(site.seen(lease)).isEqualTo(SessionSite.loggedIn("alice"));
    }
    assertThat(site.logins).as("not logged in again").hasValue(1);
  }

  /** The child JVM: a pool on a directory store logs alice in at the URL given, closes, and exits 0. */
  public static final class Child {
    public static void main(String[] args) {
      try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName("sessions-child")
          .tempRoot(Path.of(args[1])).maxBrowsers(1).sessionStore(SessionStore.directory(Path.of(args[0])))
          .build())) {
        try (BrowserLease lease = pool.acquire("alice")) {
          SessionSite.logInAt(lease, args[2]);
        }
      }
      System.exit(0);
    }
  }

  @Test
  void manyKeysOverOneBrowserEachSeeOnlyTheirOwnState() throws Exception {
    int keys = 200;
    int rounds = 3;
    try (BrowserPool pool = BrowserPool.start(stored("sessions-many", SessionStore.inMemory()).build())) {
      List<Integer> ids = java.util.stream.IntStream.range(0, keys).boxed().toList();
      for (int round = 0; round < rounds; round++) {
        int r = round;
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
          List<java.util.concurrent.Future<String>> done = new java.util.ArrayList<>();
          for (int id : ids) {
            done.add(workers.submit(() -> visit(pool, "key-" + id, r)));
          }
          for (java.util.concurrent.Future<String> f : done) {
            assertThat(f.get(5, java.util.concurrent.TimeUnit.MINUTES)).isEqualTo("ok");
          }
        } finally {
          workers.shutdownNow();
        }
      }
      assertThat(pool.stats().launched()).as("one browser served every key").isEqualTo(1);
    }
  }

  /** One lease of {@code key} in round {@code round}: sees exactly what its own previous round wrote, then writes. */
  private String visit(BrowserPool pool, String key, int round) {
    try (BrowserLease lease = pool.acquire(key)) {
      com.github.kklisura.cdt.services.ChromeDevToolsService page = lease.newPage();
      io.github.browserpool.test.Pages.navigate(page, site.url("/page"));
      Object seen = LocalSite.eval(page, "JSON.stringify([document.cookie, localStorage.getItem('v')])");
      String expected = round == 0 ? "[\"\",null]"
          : "[\"v=" + key + "-" + (round - 1) + "\",\"" + key + "-" + (round - 1) + "\"]";
      if (!expected.equals(seen)) {
        return key + " in round " + round + " saw " + seen + ", expected " + expected;
      }
      if (lease.isNewSession() != (round == 0)) {
        return key + " in round " + round + ": isNewSession " + lease.isNewSession();
      }
      String v = key + "-" + round;
      // The cookie comes from the server: once fetch() resolves it is in the browser's cookie store (a
      // document.cookie write reaches it asynchronously, and a close right after may read the store first).
      LocalSite.eval(page, "localStorage.setItem('v', '" + v + "'); fetch('/set?v=" + v + "').then(r => r.text())");
      return "ok";
    }
  }

  @Test
  void playwrightOpensALeasesStateAndALeaseOpensPlaywrightsState() {
    SessionStore store = SessionStore.inMemory();
    Playwright playwright = Playwright.create(new Playwright.CreateOptions()
        // No TMPDIR of this test's: Playwright-Java keeps the first create's environment for every later
        // driver of the JVM, whose artifacts would then go to this test's deleted dir.
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try (playwright; BrowserPool pool = BrowserPool.start(stored("sessions-playwright", store).build())) {
      Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
          .setExecutablePath(Path.of("/usr/bin/chromium-headless-shell")).setHeadless(true)
          .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-breakpad")));
      try {
        String fromLease;
        try (BrowserLease lease = pool.acquire("alice")) {
          site.logIn(lease, "alice");
          fromLease = lease.storageState();
        }
        try (BrowserContext ctx = browser.newContext(new Browser.NewContextOptions().setStorageState(fromLease))) {
          Page page = ctx.newPage();
          page.navigate(site.url("/account"));
          assertThat(page.textContent("#greeting")).isEqualTo("Welcome, alice");
          assertThat(page.evaluate("localStorage.getItem('token')")).isEqualTo("token-of-alice");
        }

        String fromPlaywright;
        try (BrowserContext ctx = browser.newContext()) {
          Page page = ctx.newPage();
          page.navigate(site.url("/login?user=bob"));
          assertThat(page.evaluate("window.ready")).isEqualTo("saved");
          fromPlaywright = ctx.storageState(new BrowserContext.StorageStateOptions().setIndexedDB(true));
        }
        try (BrowserLease lease = pool.acquire(LeaseOptions.builder().storageState(fromPlaywright).build())) {
          assertThat(lease.isNewSession()).isFalse();
          assertThat(site.seen(lease)).isEqualTo(SessionSite.loggedIn("bob"));
        }
        store.save("bob", fromPlaywright);
        try (BrowserLease lease = pool.acquire("bob")) {
          assertThat(lease.isNewSession()).isFalse();
          assertThat(site.seen(lease)).isEqualTo(SessionSite.loggedIn("bob"));
        }
        assertThat(site.logins).as("alice and bob logged in once each").hasValue(2);
      } catch (IOException e) {
        throw new AssertionError(e);
      } finally {
        browser.close();
      }
    }
  }

  /** A store that fails each kind of call, to show a failing store costs only what it must. */
  static final class BrokenStore implements SessionStore {
    final SessionStore inner = SessionStore.inMemory();
    volatile boolean broken;

    @Override
    public Optional<String> load(String key) throws IOException {
      if (broken) {
        throw new IOException("store down");
      }
      return inner.load(key);
    }

    @Override
    public void save(String key, String json) throws IOException {
      if (broken) {
        throw new IOException("store down");
      }
      inner.save(key, json);
    }

    @Override
    public boolean delete(String key) throws IOException {
      return inner.delete(key);
    }
  }

  @Test
  void aStoreThatFailsCostsOnlyItsKeysAcquireAndLeavesOtherKeysAlone() {
    BrokenStore store = new BrokenStore();
    try (BrowserPool pool = BrowserPool.start(stored("sessions-broken", store).build())) {
      try (BrowserLease lease = pool.acquire("alice")) {
        site.logIn(lease, "alice");
      }
      store.broken = true;
      assertThatThrownBy(() -> pool.acquire("alice")).isInstanceOf(SessionStateException.class)
          .hasMessageContaining("load(\"alice\")").hasMessageContaining("store down");
      try (BrowserLease lease = pool.acquire()) {
        lease.newPage(); // the pool goes on
      }
      store.broken = false;
      try (BrowserLease lease = pool.acquire("alice")) {
        assertThat(site.seen(lease)).isEqualTo(SessionSite.loggedIn("alice"));
      }
      assertThat(pool.stats().activeLeases()).isZero();
    }
  }
}
