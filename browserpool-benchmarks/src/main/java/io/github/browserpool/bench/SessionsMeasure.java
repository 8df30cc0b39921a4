package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.PW;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.SessionStore;
import io.github.browserpool.test.Pages;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Measure "sessions" (issue 20, not part of "all"): keyed leases restored from a {@link SessionStore}.
 * A warm keyed lease with a restored state of 50 cookies and 20 KB of localStorage on one origin, acquire to
 * first evaluate, beside Playwright's {@code newContext(storageState)} + newPage + evaluate on the headless
 * shell; the heap cost per key of that state in {@code SessionStore.inMemory()}; and keys served
 * round-robin by {@code maxBrowsers(2)} beside anonymous leases.
 */
final class SessionsMeasure implements Measure {
  static final String M_WARM = "sessions warm keyed";
  static final String M_HEAP = "sessions heap/key";
  static final String M_TPUT = "sessions tput";
  static final String KEYED = "browserpool, keyed lease restored from inMemory()";
  static final String PW_STATE = PW + ", newContext(storageState)";
  static final String HEAP = "SessionStore.inMemory(), per key";
  static final String ROUND_ROBIN = "browserpool, keyed, round-robin";
  static final String ANONYMOUS = "browserpool, anonymous";
  static final int COOKIES = 50;
  static final int LOCAL_STORAGE_CHARS = 20 * 1024;
  /** Keys the warm part rotates over (one pool of one browser). */
  static final int WARM_KEYS = 8;
  static final int WORK_MS = 100;
  static final int TPUT_WORKERS = 4;

  private final BenchRun run;
  private final Env env;

  SessionsMeasure(BenchRun run) {
    this.run = run;
    this.env = run.env();
  }

  @Override
  public void run() throws Exception {
    try (Site site = new Site(20)) {
      warm(site, run.get(Knob.SESSION_REPS));
      heap(site, run.get(Knob.SESSION_KEYS));
      throughput(site, run.get(Knob.SESSION_KEYS));
    }
  }

  /** A Playwright storageState of {@code COOKIES} cookies and {@code LOCAL_STORAGE_CHARS} of localStorage. */
  static String state(Site site, int key) {
    String origin = site.origin();
    String host = origin.replaceFirst("^https?://", "").replaceFirst(":.*$", "");
    ObjectNode root = RawChrome.JSON.createObjectNode();
    ArrayNode cookies = root.putArray("cookies");
    long tomorrow = System.currentTimeMillis() / 1000 + 86_400; // persistent cookies, kept by every restore
    for (int i = 0; i < COOKIES; i++) {
      cookies.addObject().put("name", "c" + i).put("value", "k" + key + "-v" + i).put("domain", host)
          .put("path", "/").put("expires", tomorrow).put("httpOnly", i % 2 == 0).put("secure", false)
          .put("sameSite", "Lax");
    }
    ObjectNode o = root.putArray("origins").addObject().put("origin", origin);
    ArrayNode ls = o.putArray("localStorage");
    int per = LOCAL_STORAGE_CHARS / 20;
    for (int i = 0; i < 20; i++) {
      ls.addObject().put("name", "item" + i).put("value", ("k" + key + "-").repeat(per).substring(0, per));
    }
    return root.toString();
  }

  /** 30 warm keyed leases (rotating over a few keys) against Playwright's newContext(storageState). */
  private void warm(Site site, int reps) throws Exception {
    SessionStore store = SessionStore.inMemory();
    List<String> states = new ArrayList<>();
    for (int k = 0; k < WARM_KEYS; k++) {
      states.add(state(site, k));
      store.save("key-" + k, states.get(k));
    }
    try (BrowserPool bp = BrowserPool.start(env.pool().maxBrowsers(1).sessionStore(store).build());
        Pw pw = env.playwright()) {
      Browser own = pw.launch();
      try {
        for (int i = -3; i < reps; i++) { // 3 untimed first
          boolean check = i == -3 || i == reps - 1;
          Procs.sleep(WORK_MS);
          double keyed = keyedLease(bp, "key-" + Math.floorMod(i, WARM_KEYS), site, check);
          Procs.sleep(WORK_MS);
          double pwState = playwright(own, states.get(Math.floorMod(i, WARM_KEYS)), site, check);
          if (i >= 0) {
            run.results().add(M_WARM, KEYED, keyed);
            run.results().add(M_WARM, PW_STATE, pwState);
          }
        }
      } finally {
        own.close();
      }
    }
  }

  /** acquire(key) + newPage + evaluate (ms); with {@code check}, then the state is checked on the origin. */
  private static double keyedLease(BrowserPool bp, String key, Site site, boolean check) throws Exception {
    long t0 = System.nanoTime();
    try (BrowserLease lease = bp.acquire(key)) {
      ChromeDevToolsService page = lease.newPage();
      Leases.eval1(page);
      double ms = Stats.ms(System.nanoTime() - t0);
      if (lease.isNewSession()) {
        throw new IllegalStateException("key " + key + " was not restored (isNewSession)");
      }
      if (check) {
        Pages.navigate(page, site.url(0));
        requireRestored("browserpool " + key, page.getRuntime().evaluate(CHECK).getResult().getValue());
      }
      return ms;
    }
  }

  private static final String CHECK = "document.cookie.split(';').filter(c => c.trim()).length + '/'"
      + " + Object.keys(localStorage).map(k => localStorage.getItem(k).length).reduce((a, b) => a + b, 0)";

  private static void requireRestored(String who, Object seen) {
    // httpOnly cookies are not in document.cookie: half of them
    String want = (COOKIES / 2) + "/" + (LOCAL_STORAGE_CHARS / 20 * 20);
    if (!want.equals(String.valueOf(seen))) {
      throw new IllegalStateException(who + ": restored state reads " + seen + ", expected " + want
          + " (non-httpOnly cookies / localStorage chars)");
    }
  }

  private static double playwright(Browser own, String state, Site site, boolean check) {
    long t0 = System.nanoTime();
    BrowserContext ctx = own.newContext(new Browser.NewContextOptions().setStorageState(state));
    try {
      com.microsoft.playwright.Page p = ctx.newPage();
      Leases.checkEval(p.evaluate("1"));
      double ms = Stats.ms(System.nanoTime() - t0);
      if (check) {
        p.navigate(site.url(0));
        requireRestored("Playwright", p.evaluate(CHECK));
      }
      return ms;
    } finally {
      ctx.close();
    }
  }

  /** The heap that {@code keys} states of that size cost in inMemory(), per key (KiB). */
  private void heap(Site site, int keys) {
    long before = MemoryMeasure.usedHeapAfterGc();
    SessionStore store = SessionStore.inMemory();
    try {
      for (int k = 0; k < keys; k++) {
        store.save("key-" + k, state(site, k));
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    long after = MemoryMeasure.usedHeapAfterGc();
    Reference.reachabilityFence(store);
    run.results().add(M_HEAP, HEAP, (after - before) / 1024.0 / keys);
    run.results().note(M_HEAP, HEAP, "(" + keys + " keys, a state of " + state(site, 0).length() + " chars each)");
  }

  /** {@code keys} leases, one per key round-robin, on maxBrowsers(2), beside as many anonymous leases (pages/s). */
  private void throughput(Site site, int keys) throws Exception {
    SessionStore store = SessionStore.inMemory();
    for (int k = 0; k < keys; k++) {
      store.save("key-" + k, state(site, k));
    }
    LinkedHashMap<String, Callable<Double>> c = new LinkedHashMap<>();
    c.put(ROUND_ROBIN, () -> tput(env.pool().maxBrowsers(2).sessionStore(store), site, keys, true));
    c.put(ANONYMOUS, () -> tput(env.pool().maxBrowsers(2), site, keys, false));
    run.turns().isolated(M_TPUT, 1, c);
  }

  private static double tput(io.github.browserpool.PoolConfig.Builder config, Site site, int keys, boolean keyed)
      throws Exception {
    try (BrowserPool bp = BrowserPool.start(config.build())) {
      Leases.prewarm(bp, 2);
      java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
      List<PageRuns.Worker> ws = new ArrayList<>();
      for (int w = 0; w < TPUT_WORKERS; w++) {
        ws.add(url -> {
          int i = next.getAndIncrement();
          try (BrowserLease lease = keyed ? bp.acquire("key-" + (i % keys)) : bp.acquire()) {
            if (keyed && lease.isNewSession()) {
              throw new IllegalStateException("key-" + (i % keys) + " was not restored");
            }
            return Leases.visit(lease.newPage(), url);
          }
        });
      }
      return PageRuns.pagesPerSecond(site, keys, ws);
    }
  }

  @Override
  public void report(Tables t) {
    Results r = t.results();
    if (!r.ran(M_WARM) && !r.ran(M_HEAP) && !r.ran(M_TPUT)) {
      return;
    }
    t.text(goals(r));
    t.percentiles("10a. Warm keyed lease, restored (" + COOKIES + " cookies, " + LOCAL_STORAGE_CHARS / 1024
        + " KB localStorage, one origin): acquire to first evaluate, " + WORK_MS + " ms of caller work before (ms)",
        M_WARM, List.of(KEYED, PW_STATE), "browserpool: acquire(key) + newPage() + evaluate(\"1\") on a pool of one"
            + " browser with SessionStore.inMemory(), " + WARM_KEYS + " keys in turn. Playwright-Java:"
            + " newContext(setStorageState(json)) + newPage + evaluate on a headless shell it launched. The first"
            + " and last leases of each are checked on the origin (cookies and localStorage restored).");
    t.table("10b. JVM heap per key in SessionStore.inMemory() (KiB, used heap after GC)", M_HEAP, List.of(HEAP), null,
        false, null);
    t.table("10c. Keys round-robin on maxBrowsers(2), " + TPUT_WORKERS + " workers, a page of the site per lease"
        + " (pages/s)", M_TPUT, List.of(ROUND_ROBIN, ANONYMOUS), ANONYMOUS, true, "Each key once, restored from"
        + " inMemory() and saved back at close; beside as many anonymous leases.");
  }

  private static String goals(Results r) {
    Double k = r.median(M_WARM, KEYED);
    Double p = r.median(M_WARM, PW_STATE);
    StringBuilder sb = new StringBuilder("### 10. Sessions (issue 20): the goal table\n\n| measure | goal | browserpool"
        + " | reference, same run | met? |\n|---|---|---:|---|---|\n");
    if (k != null && p != null) {
      List<String> missed = new ArrayList<>();
      if (k > 20) {
        missed.add("median over 20 ms by " + Stats.fmt(k - 20));
      }
      if (k / p > 0.2) {
        missed.add(Stats.ratio(k, p) + " Playwright, not <= 0.20x");
      }
      sb.append("| warm keyed lease, restored, acquire to first evaluate (ms, median) | <= 20, and <= 0.2x Playwright | ")
          .append(Stats.fmt(k)).append(" (").append(Stats.ratio(k, p)).append(") | Playwright newContext(storageState)")
          .append(" + newPage + evaluate: ").append(Stats.fmt(p)).append(" | ")
          .append(missed.isEmpty() ? "yes" : "no: " + String.join(", ", missed)).append(" |\n");
    }
    Double h = r.median(M_HEAP, HEAP);
    if (h != null) {
      sb.append("| heap per key in inMemory() (KiB) | reported | ").append(Stats.fmt(h)).append(" | | |\n");
    }
    Double rr = r.median(M_TPUT, ROUND_ROBIN);
    Double an = r.median(M_TPUT, ANONYMOUS);
    if (rr != null) {
      sb.append("| keys round-robin on maxBrowsers(2) (pages/s) | reported beside anonymous | ").append(Stats.fmt(rr))
          .append(an != null ? " (" + Stats.ratio(rr, an) + ")" : "").append(" | anonymous: ")
          .append(an != null ? Stats.fmt(an) : "not measured").append(" | |\n");
    }
    return sb.append('\n').toString();
  }
}
