package io.github.browserpool.context;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.sun.net.httpserver.HttpServer;
import io.github.browserpool.ChromiumLeaks;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.local.LocalBrowserLauncher;
import io.github.browserpool.session.StorageState;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import io.github.browserpool.spi.LaunchedBrowser.LeaseContext;
import io.github.browserpool.test.Binaries;
import io.github.browserpool.test.Pages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collecting and restoring a context's state over CDP, on real Chromium: cookies (httpOnly, secure, with an
 * expiry, and a session cookie), localStorage and IndexedDB of two origins (127.0.0.1 and localhost of one
 * local server) between two contexts of one browser, without touching a third; the helper page never
 * outlives a call. Each test proves that it left no process and no dir behind.
 */
@Tag("chromium")
public class StateTransferChromiumTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration T = Duration.ofSeconds(20);

  @TempDir Path tempRoot;
  final List<LaunchedBrowser> browsers = new ArrayList<>();
  HttpServer server;
  /** The Cookie header of each request, by path. */
  final Map<String, String> cookieHeaders = new ConcurrentHashMap<>();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      String path = x.getRequestURI().getPath();
      String cookie = x.getRequestHeaders().getFirst("Cookie");
      cookieHeaders.put(path, cookie == null ? "" : cookie);
      if (path.equals("/login")) {
        x.getResponseHeaders().add("Set-Cookie", "sid=s3cr3t; HttpOnly; Secure; Path=/; Max-Age=86400; SameSite=Strict");
        x.getResponseHeaders().add("Set-Cookie", "pref=dark; Path=/");
      }
      byte[] body = ("<!doctype html><title>t</title><p>" + path).getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      x.getResponseHeaders().add("Cache-Control", "no-store");
      x.sendResponseHeaders(200, body.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void closeAndCheck() {
    server.stop(0);
    browsers.forEach(b -> b.close(CloseReason.SHUTDOWN));
    ChromiumLeaks.assertNothingLeftUnder(tempRoot);
  }

  String ip() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String localhost() {
    return "http://localhost:" + server.getAddress().getPort();
  }

  LaunchedBrowser launch(Path exe) {
    PoolConfig config = PoolConfig.builder().maxContextsPerBrowser(4).poolName("state-test").tempRoot(tempRoot)
        .chromeExecutable(exe).build();
    LaunchedBrowser b = LocalBrowserLauncher.create(config).launch(new BrowserLauncher.BrowserEvents() {
      @Override
      public void activity() {}

      @Override
      public void exitedUnexpectedly() {}
    });
    browsers.add(b);
    return b;
  }

  static ChromeDevToolsService open(LeaseContext ctx, String url) {
    ChromeDevToolsService page = ctx.newPage(CallGuard.NONE);
    Pages.navigate(page, url);
    return page;
  }

  /** A script that fills IndexedDB as an app would: a keyPath store with an index, an autoIncrement store, a Date. */
  static final String FILL_INDEXED_DB = """
      new Promise((ok, fail) => {
        const open = indexedDB.open('app', 2);
        open.onupgradeneeded = () => {
          const db = open.result;
          const users = db.createObjectStore('users', { keyPath: 'id' });
          users.createIndex('byName', 'name', { unique: true });
          db.createObjectStore('log', { autoIncrement: true });
        };
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['users', 'log'], 'readwrite');
          tx.objectStore('users').put({ id: 1, name: 'alice', token: 'idb-token' });
          tx.objectStore('users').put({ id: 2, name: 'bob', since: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
          tx.objectStore('log').add('first');
          tx.objectStore('log').add({ at: new Date(0), n: 2 });
          const kinds = { ta: new Uint8Array([1, 2, 3]), ab: new Uint16Array([7]).buffer, big: 10n, u: undefined,
            nan: NaN, inf: -Infinity, negz: -0, re: /a+/gi };
          kinds.self = kinds;
          tx.objectStore('log').add(kinds);
          indexedDB.open('empty', 1).onsuccess = e => e.target.result.close();
          tx.oncomplete = () => { db.close(); ok('filled'); };
          tx.onerror = () => fail(tx.error);
        };
      })""";

  /** Reads back what FILL_INDEXED_DB wrote, as one string. */
  static final String READ_INDEXED_DB = """
      new Promise((ok, fail) => {
        const open = indexedDB.open('app');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['users', 'log']);
          const out = [db.version];
          const byName = tx.objectStore('users').index('byName').get('bob');
          byName.onsuccess = () => out.push(byName.result.id, byName.result.since instanceof Date,
              byName.result.since.toISOString());
          const alice = tx.objectStore('users').get(1);
          alice.onsuccess = () => out.push(alice.result.token);
          const log = tx.objectStore('log').getAll();
          log.onsuccess = () => {
            const k = log.result[2];
            out.push(log.result[0], log.result[1].at instanceof Date, log.result[1].at.getTime(),
              k.ta instanceof Uint8Array && k.ta.join('.'), new Uint16Array(k.ab)[0], k.big === 10n, 'u' in k && k.u === undefined,
              Number.isNaN(k.nan), k.inf === -Infinity, Object.is(k.negz, -0), k.re.source + '/' + k.re.flags, k.self === k);
          };
          const keys = tx.objectStore('log').getAllKeys();
          keys.onsuccess = () => out.push(keys.result.join('+'));
          tx.oncomplete = () => { db.close();
            indexedDB.databases().then(all => ok(out.join(',') + ',' + all.map(d => d.name + ' ' + d.version).sort().join('+'))); };
        };
      })""";

  static final String INDEXED_DB_READ_BACK = "2,2,true,2024-01-02T03:04:05.000Z,idb-token,first,true,0,1.2.3,7,true,true,"
      + "true,true,true,a+/gi,true,1+2+3,app 2+empty 1";

  /** The page targets of {@code ctx}'s context now (of the default context for a keyed one), by id. */
  static TreeSet<String> pages(LeaseContext ctx) throws Exception {
    PipeConnection conn = ctx.rawCdp().connection();
    JsonNode targets = conn.send("Target.getTargets", null).get(10, SECONDS).path("targetInfos");
    // A keyed lease's default context is the keeper page's: named by id, not as "no isolated context",
    // which a context the browser prepares in the background meanwhile would also seem to be.
    String contextId = ctx.rawCdp().contextId();
    if (contextId == null) {
      String keeper = ctx.rawCdp().keeperTargetId();
      for (JsonNode t : targets) {
        if (t.path("targetId").asText().equals(keeper)) {
          contextId = t.path("browserContextId").asText();
        }
      }
      assertThat(contextId).as("the keeper page of the default context").isNotNull();
    }
    TreeSet<String> ids = new TreeSet<>();
    for (JsonNode t : targets) {
      if (t.path("type").asText().equals("page") && contextId.equals(t.path("browserContextId").asText())) {
        ids.add(t.path("targetId").asText());
      }
    }
    return ids;
  }

  @Test
  void aStateMovesBetweenTwoContextsOfTheHeadlessShellAndLeavesAThirdAlone() throws Exception {
    roundTrip(Path.of("/usr/bin/chromium-headless-shell"));
  }

  @Test
  void aStateMovesBetweenTwoContextsOfTheFullChromium() throws Exception {
    roundTrip(Binaries.chromium());
  }

  private void roundTrip(Path exe) throws Exception {
    LaunchedBrowser browser = launch(exe);
    LeaseContext a = browser.openContext(true, T);
    ChromeDevToolsService onIp = open(a, ip() + "/login");
    assertThat(Pages.evaluate(onIp, "localStorage.setItem('token', 'ls-token'); " + FILL_INDEXED_DB)).isEqualTo("filled");
    ChromeDevToolsService onLocalhost = open(a, localhost() + "/page");
    Pages.evaluate(onLocalhost, "localStorage.setItem('other', 'origin two'); 1");

    TreeSet<String> before = pages(a);
    StorageState state = StorageState.parse(a.collectStorageState(T), "test");
    assertThat(pages(a)).as("no helper page is left, and the lease's pages are kept").isEqualTo(before);

    StorageState.Cookie sid = state.cookies().stream().filter(c -> c.name().equals("sid")).findFirst().orElseThrow();
    assertThat(sid.httpOnly()).isTrue();
    assertThat(sid.secure()).isTrue();
    assertThat(sid.sameSite()).isEqualTo("Strict");
    assertThat(sid.expires()).isBetween(System.currentTimeMillis() / 1000.0 + 86000, System.currentTimeMillis() / 1000.0 + 86500);
    StorageState.Cookie pref = state.cookies().stream().filter(c -> c.name().equals("pref")).findFirst().orElseThrow();
    assertThat(pref.session()).isTrue();
    assertThat(state.origins()).extracting(StorageState.Origin::origin).containsExactlyInAnyOrder(ip(), localhost());
    StorageState.Origin ipOrigin = state.origins().stream().filter(o -> o.origin().equals(ip())).findFirst().orElseThrow();
    assertThat(ipOrigin.localStorage()).containsExactly(new StorageState.Item("token", "ls-token"));
    assertThat(ipOrigin.indexedDbJson()).contains("\"valueEncoded\"").contains("{\"d\":\"2024-01-02T03:04:05.000Z\"}")
        .contains("\"keyPath\":\"id\"").contains("\"token\":\"idb-token\"");

    LeaseContext b = browser.openContext(true, T);
    LeaseContext c = browser.openContext(true, T);
    ChromeDevToolsService cPage = open(c, ip() + "/page");
    Pages.evaluate(cPage, "localStorage.setItem('mine', 'c'); 1");
    before = pages(b);
    b.restoreStorageState(state, T);
    assertThat(pages(b)).as("no helper page is left after a restore").isEqualTo(before);

    ChromeDevToolsService bPage = open(b, ip() + "/page");
    assertThat(cookieHeaders.get("/page")).contains("sid=s3cr3t").contains("pref=dark");
    assertThat(Pages.evaluate(bPage, "document.cookie")).isEqualTo("pref=dark"); // sid stays httpOnly
    assertThat(Pages.evaluate(bPage, "localStorage.getItem('token') + ',' + localStorage.length")).isEqualTo("ls-token,1");
    assertThat(Pages.evaluate(bPage, READ_INDEXED_DB)).isEqualTo(INDEXED_DB_READ_BACK);
    Pages.navigate(bPage, localhost() + "/page");
    assertThat(Pages.evaluate(bPage, "localStorage.getItem('other')")).isEqualTo("origin two");

    assertThat(StorageState.parse(b.collectStorageState(T), "test b").toJson()).as("b holds what a held")
        .isEqualTo(state.toJson());
    // c, in the same browser, got nothing of it
    Pages.navigate(cPage, ip() + "/page");
    assertThat(cookieHeaders.get("/page")).isEmpty();
    assertThat(Pages.evaluate(cPage, "localStorage.getItem('token') + ',' + localStorage.getItem('mine')")).isEqualTo("null,c");
    StorageState cState = StorageState.parse(c.collectStorageState(T), "test c");
    assertThat(cState.cookies()).isEmpty();
    assertThat(cState.origins()).singleElement().satisfies(o -> {
      assertThat(o.localStorage()).containsExactly(new StorageState.Item("mine", "c"));
      assertThat(o.hasIndexedDb()).isFalse();
    });
    for (LeaseContext ctx : List.of(a, b, c)) {
      assertThat(ctx.release()).isTrue();
    }
  }

  @Test
  void theDefaultContextOfAKeyedLeaseIsCollectedAndRestoredToo() throws Exception {
    LaunchedBrowser browser = launch(Path.of("/usr/bin/chromium-headless-shell"));
    LeaseContext keyed = browser.openContext(false, T);
    StorageState state = StorageState.parse("{\"cookies\":[{\"name\":\"k\",\"value\":\"v\",\"domain\":\"127.0.0.1\","
        + "\"path\":\"/\",\"expires\":-1,\"httpOnly\":false,\"secure\":false,\"sameSite\":\"Lax\"}],\"origins\":[{"
        + "\"origin\":\"" + ip() + "\",\"localStorage\":[{\"name\":\"a\",\"value\":\"b\"}]}]}", "test");
    TreeSet<String> before = pages(keyed);
    keyed.restoreStorageState(state, T);
    assertThat(pages(keyed)).isEqualTo(before);
    assertThat(StorageState.parse(keyed.collectStorageState(T), "keyed")).isEqualTo(state);
    ChromeDevToolsService page = open(keyed, ip() + "/page");
    assertThat(Pages.evaluate(page, "document.cookie + ',' + localStorage.getItem('a')")).isEqualTo("k=v,b");
    LeaseContext isolated = browser.openContext(true, T);
    assertThat(StorageState.parse(isolated.collectStorageState(T), "isolated").isEmpty()).isTrue();
    isolated.release();
    keyed.release();
  }

  @Test
  void aRestoreThatRunsOutOfTimeThrowsAndLeavesNoHelperPage() throws Exception {
    LaunchedBrowser browser = launch(Path.of("/usr/bin/chromium-headless-shell"));
    LeaseContext ctx = browser.openContext(true, T);
    TreeSet<String> before = pages(ctx);
    StorageState state = StorageState.parse("{\"origins\":[{\"origin\":\"" + ip() + "\",\"localStorage\":[{\"name\":"
        + "\"a\",\"value\":\"" + "x".repeat(1_000_000) + "\"}]},{\"origin\":\"" + localhost() + "\",\"localStorage\":"
        + "[{\"name\":\"a\",\"value\":\"b\"}]}]}", "test");
    assertThatThrownBy(() -> ctx.restoreStorageState(state, Duration.ofMillis(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("restoring a storage state (StorageState[0 cookies, 2 origins]) into [state-test]")
        .hasMessageContaining("failed within its 30 ms");
    // A helper page whose creation was under way at the deadline is closed as soon as Chromium reports it.
    await("the helper page closed after a timeout").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> pages(ctx).equals(before));
    // The browser serves the next context as before.
    // The default context of a keyed lease has no prepared page to borrow: the pool opens its own, and
    // closes it on a timeout too.
    LeaseContext keyed = browser.openContext(false, T);
    TreeSet<String> keyedPages = pages(keyed);
    assertThatThrownBy(() -> keyed.restoreStorageState(state, Duration.ofMillis(30)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed within its 30 ms");
    await("the keyed helper page closed after a timeout").atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20)).until(() -> pages(keyed).equals(keyedPages));
    keyed.release();
    LeaseContext next = browser.openContext(true, T);
    TreeSet<String> withNext = pages(next);
    next.restoreStorageState(state, T);
    assertThat(pages(next)).isEqualTo(withNext);
    ctx.release();
    next.release();
  }

  /** Playwright-Java on the headless shell, its driver from the class path and no browser download. */
  static Playwright playwright() {
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  static Browser playwrightBrowser(Playwright pw) {
    return pw.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(Path.of("/usr/bin/chromium-headless-shell")).setArgs(List.of("--no-sandbox")));
  }

  @Test
  void aStateCollectedHereOpensInPlaywrightLoggedIn() throws Exception {
    LaunchedBrowser browser = launch(Path.of("/usr/bin/chromium-headless-shell"));
    LeaseContext a = browser.openContext(true, T);
    ChromeDevToolsService page = open(a, ip() + "/login");
    assertThat(Pages.evaluate(page, "localStorage.setItem('token', 'ls-token'); " + FILL_INDEXED_DB)).isEqualTo("filled");
    String json = a.collectStorageState(T);
    a.release();
    try (Playwright pw = playwright()) {
      Browser pb = playwrightBrowser(pw);
      try {
        BrowserContext pc = pb.newContext(new Browser.NewContextOptions().setStorageState(json));
        Page p = pc.newPage();
        p.navigate(ip() + "/page");
        assertThat(cookieHeaders.get("/page")).contains("sid=s3cr3t").contains("pref=dark");
        assertThat(p.evaluate("localStorage.getItem('token')")).isEqualTo("ls-token");
        assertThat(p.evaluate(READ_INDEXED_DB)).isEqualTo(INDEXED_DB_READ_BACK);
      } finally {
        pb.close();
      }
    }
  }

  @Test
  void aStateSavedByPlaywrightRestoresHere() throws Exception {
    String json;
    try (Playwright pw = playwright()) {
      Browser pb = playwrightBrowser(pw);
      try {
        BrowserContext pc = pb.newContext();
        Page p = pc.newPage();
        p.navigate(ip() + "/login");
        assertThat(p.evaluate("localStorage.setItem('token', 'ls-token'); " + FILL_INDEXED_DB)).isEqualTo("filled");
        json = pc.storageState(new BrowserContext.StorageStateOptions().setIndexedDB(true));
      } finally {
        pb.close();
      }
    }
    StorageState state = StorageState.parse(json, "Playwright's storageState");
    assertThat(state.hasIndexedDb()).isTrue();
    LaunchedBrowser browser = launch(Path.of("/usr/bin/chromium-headless-shell"));
    LeaseContext b = browser.openContext(true, T);
    b.restoreStorageState(state, T);
    ChromeDevToolsService page = open(b, ip() + "/page");
    assertThat(cookieHeaders.get("/page")).contains("sid=s3cr3t").contains("pref=dark");
    assertThat(Pages.evaluate(page, "localStorage.getItem('token')")).isEqualTo("ls-token");
    assertThat(Pages.evaluate(page, READ_INDEXED_DB)).isEqualTo(INDEXED_DB_READ_BACK);
    StorageState back = StorageState.parse(b.collectStorageState(T), "b");
    assertThat(back.cookies()).containsExactlyInAnyOrderElementsOf(state.cookies());
    assertThat(back.origins()).isEqualTo(state.origins()); // IndexedDB written as Playwright writes it
    b.release();
  }
}
