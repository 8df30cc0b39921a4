package io.github.browserpool.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.session.StorageState;
import io.github.browserpool.session.StorageState.Cookie;
import io.github.browserpool.session.StorageState.Item;
import io.github.browserpool.session.StorageState.Origin;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Moves one browser context's state in and out over CDP, within one deadline for all its calls.
 *
 * <p>Cookies go through the browser-level {@code Storage.getCookies}/{@code setCookies} (with the
 * context's id; without one for the default context). localStorage and IndexedDB can only be reached from
 * a frame at their origin ({@code DOMStorage} answers "Frame not found" for any other), so each origin is
 * read in a live page of the context already at that origin, or else in one helper page the pool opens
 * in the context: every request it makes is answered with an empty document by {@code Fetch} (nothing
 * leaves the browser), it is navigated to each origin in turn, and it is closed on every path. The
 * scripts ({@link StorageScripts}) run in an isolated world, unseen by the page's own scripts.
 */
final class StateTransfer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WORLD = "browserpool-storage";

  final PipeConnection conn;
  private final String contextId;
  final String who;
  private final long deadline;
  /** The page in which origins without a live page are read or written; made on first use. */
  private StoragePage helper;
  /** A page of the context that nobody uses yet, which a restore may borrow instead of making one. */
  private final CdpSession spare;

  private StateTransfer(PipeConnection conn, String contextId, String who, Duration timeout, CdpSession spare) {
    this.conn = conn;
    this.spare = spare;
    this.contextId = contextId;
    this.who = who;
    this.deadline = System.nanoTime() + Math.max(0, saturated(timeout));
  }

  /**
   * The context's state as Playwright JSON: its cookies, and the storage of {@code knownOrigins} and of the
   * http(s) origins its pages and frames are at now; origins without storage are left out.
   */
  static String collect(PipeConnection conn, String contextId, Set<String> knownOrigins, Duration timeout,
      String who) {
    StateTransfer t = new StateTransfer(conn, contextId, who, timeout, null);
    try {
      String state = t.collect(knownOrigins);
      t.finish();
      return state;
    } catch (RuntimeException e) {
      throw failed("collecting the storage state of " + who, timeout, e);
    } finally {
      t.abandon();
    }
  }

  /**
   * Restores {@code state} into the context (cookies, then each origin's storage). {@code spare}, a page of
   * the context nobody uses yet (null if none), is borrowed for the origins and left at about:blank: its
   * renderer runs already, so this spares making a page and starting a renderer for it.
   */
  static void restore(PipeConnection conn, String contextId, StorageState state, Duration timeout, String who,
      CdpSession spare) {
    StateTransfer t = new StateTransfer(conn, contextId, who, timeout, spare);
    try {
      t.restore(state);
      t.finish();
    } catch (RuntimeException e) {
      throw failed("restoring a storage state (" + state + ") into " + who, timeout, e);
    } finally {
      t.abandon();
    }
  }

  /** One failure of a whole transfer, saying what was done, within what time, and why it failed. */
  private static IllegalStateException failed(String what, Duration timeout, RuntimeException cause) {
    return new IllegalStateException(what + " failed within its " + timeout.toMillis() + " ms: " + cause.getMessage(),
        cause);
  }

  private String collect(Set<String> knownOrigins) {
    List<Cookie> cookies = new ArrayList<>();
    for (JsonNode c : call(null, "Storage.getCookies", withContext(JSON.createObjectNode())).path("cookies")) {
      JsonNode pk = c.path("partitionKey");
      cookies.add(new Cookie(c.path("name").asText(), c.path("value").asText(), c.path("domain").asText(),
          c.path("path").asText(), c.path("session").asBoolean(false) ? -1 : c.path("expires").asDouble(-1),
          c.path("httpOnly").asBoolean(), c.path("secure").asBoolean(), c.path("sameSite").asText("Lax"),
          pk.isObject() ? pk.path("topLevelSite").asText(null) : null,
          pk.isObject() ? pk.path("hasCrossSiteAncestor").asBoolean() : null));
    }
    Map<String, String> livePages = new LinkedHashMap<>(); // origin -> a page of the context at it
    Set<String> origins = new LinkedHashSet<>(knownOrigins);
    Set<String> others = contextId == null ? otherContexts() : Set.of();
    for (JsonNode t : call(null, "Target.getTargets", JSON.createObjectNode()).path("targetInfos")) {
      String ctx = t.path("browserContextId").asText(null);
      boolean ours = contextId != null ? contextId.equals(ctx) : ctx != null && !others.contains(ctx);
      String type = t.path("type").asText();
      String origin = originOf(t.path("url").asText(""));
      if (ours && origin != null && (type.equals("page") || type.equals("iframe"))) {
        origins.add(origin);
        if (type.equals("page")) {
          livePages.putIfAbsent(origin, t.path("targetId").asText());
        }
      }
    }
    List<Origin> collected = new ArrayList<>();
    for (String origin : origins) {
      String page = livePages.get(origin);
      String json = page != null ? evaluateInLivePage(page, StorageScripts.collect(origin))
          : helper().evaluateAt(origin, StorageScripts.collect(origin));
      JsonNode storage = parse(json, origin);
      List<Item> items = new ArrayList<>();
      for (JsonNode i : storage.path("localStorage")) {
        items.add(new Item(i.path("name").asText(), i.path("value").asText()));
      }
      items.sort(java.util.Comparator.comparing(Item::name)); // the browser's order is its hash order
      JsonNode dbs = storage.path("indexedDB");
      if (!items.isEmpty() || dbs.size() > 0) {
        collected.add(new Origin(origin, items, dbs.size() > 0 ? dbs.toString() : null));
      }
    }
    collected.sort(java.util.Comparator.comparing(Origin::origin));
    cookies.sort(java.util.Comparator.comparing(Cookie::domain).thenComparing(Cookie::path).thenComparing(Cookie::name));
    return StorageState.of(cookies, collected, "the state collected from " + who).toJson();
  }

  private void restore(StorageState state) {
    // Sent first and awaited last: Chromium sets the cookies while the storage page loads the origins.
    CompletableFuture<JsonNode> cookiesSet = null;
    if (!state.cookies().isEmpty()) {
      ObjectNode params = withContext(JSON.createObjectNode());
      ArrayNode list = params.putArray("cookies");
      for (Cookie c : state.cookies()) {
        ObjectNode p = list.addObject().put("name", c.name()).put("value", c.value()).put("domain", c.domain())
            .put("path", c.path()).put("httpOnly", c.httpOnly()).put("secure", c.secure()).put("sameSite", c.sameSite());
        if (!c.session()) {
          p.put("expires", c.expires());
        }
        if (c.partitionKey() != null) {
          p.putObject("partitionKey").put("topLevelSite", c.partitionKey())
              .put("hasCrossSiteAncestor", Boolean.TRUE.equals(c.crHasCrossSiteAncestor()));
        }
      }
      cookiesSet = conn.send("Storage.setCookies", params);
    }
    for (Origin o : state.origins()) {
      if (o.localStorage().isEmpty() && !o.hasIndexedDb()) {
        continue;
      }
      ArrayNode items = JSON.createArrayNode();
      for (Item i : o.localStorage()) {
        items.addObject().put("name", i.name()).put("value", i.value());
      }
      String result = helper().evaluateAt(o.origin(), StorageScripts.restore(o.origin(), items.toString(),
          o.indexedDbJson() == null ? "[]" : o.indexedDbJson()));
      if (!"true".equals(result)) {
        throw new IllegalStateException("restoring the storage of " + o.origin() + " into " + who
            + " did not finish (" + result + ")");
      }
    }
    if (cookiesSet != null) {
      await(cookiesSet, "Storage.setCookies");
    }
  }

  /** The ids of the browser's isolated contexts: for the default context, its targets are the others. */
  private Set<String> otherContexts() {
    Set<String> ids = new HashSet<>();
    call(null, "Target.getBrowserContexts", JSON.createObjectNode()).path("browserContextIds")
        .forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** Runs {@code script} in an isolated world of a live page's main frame; the page is left as it was. */
  private String evaluateInLivePage(String targetId, String script) {
    CdpSession s = conn.attach(targetId, remaining());
    try {
      return evaluate(s.sessionId(), targetId, script);
    } finally {
      conn.sendQuietly("Target.detachFromTarget", JSON.createObjectNode().put("sessionId", s.sessionId()));
    }
  }

  String evaluate(String sessionId, String frameId, String script) {
    long world = call(sessionId, "Page.createIsolatedWorld", JSON.createObjectNode().put("frameId", frameId)
        .put("worldName", WORLD)).path("executionContextId").asLong();
    JsonNode r = call(sessionId, "Runtime.evaluate", JSON.createObjectNode().put("expression", script)
        .put("contextId", world).put("awaitPromise", true).put("returnByValue", true));
    if (r.has("exceptionDetails")) {
      JsonNode d = r.path("exceptionDetails");
      String text = d.path("exception").path("description").asText(d.path("text").asText("an exception"));
      throw new IllegalStateException("the storage script failed in " + who + ": " + firstLine(text));
    }
    JsonNode value = r.path("result").path("value");
    return value.isTextual() ? value.asText() : value.toString();
  }

  private JsonNode parse(String json, String origin) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("the storage of " + origin + " in " + who + " came back as no JSON", e);
    }
  }

  private StoragePage helper() {
    if (helper == null) {
      helper = spare != null && !spare.closed() ? StoragePage.borrow(this, spare) : StoragePage.open(this);
    }
    return helper;
  }

  /** Ends the storage page's use after a success: a borrowed page goes back to about:blank. */
  private void finish() {
    StoragePage h = helper;
    helper = null;
    if (h != null) {
      h.close(true);
    }
  }

  /** Ends the storage page's use after a failure: the pool's own page is closed. */
  private void abandon() {
    StoragePage h = helper;
    helper = null;
    if (h != null) {
      h.close(false);
    }
  }

  ObjectNode withContext(ObjectNode params) {
    if (contextId != null) {
      params.put("browserContextId", contextId);
    }
    return params;
  }

  JsonNode call(String sessionId, String method, JsonNode params) {
    CompletableFuture<JsonNode> f = sessionId == null ? conn.send(method, params) : conn.send(sessionId, method, params);
    return await(f, method);
  }

  JsonNode await(CompletableFuture<JsonNode> f, String what) {
    try {
      return f.get(remainingNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw timedOut(what);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException r ? r : new IllegalStateException(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " for " + who + " was interrupted", e);
    }
  }

  IllegalStateException timedOut(String what) {
    return new IllegalStateException(what + " for the storage state of " + who + " got no answer in time");
  }

  long remainingNanos() {
    return Math.max(0, deadline - System.nanoTime());
  }

  Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  private static long saturated(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  /** The http(s) origin of a URL, as {@code location.origin} says it; null for any other URL. */
  static String originOf(String url) {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme();
      if (u.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
        return null;
      }
      int port = u.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      return scheme + "://" + u.getHost() + (defaultPort ? "" : ":" + port);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
