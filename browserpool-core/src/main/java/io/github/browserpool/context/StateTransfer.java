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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
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
  /** How long a helper page's close is awaited once the caller's deadline is spent. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final PipeConnection conn;
  private final String contextId;
  private final String who;
  private final long deadline;
  private Helper helper;

  private StateTransfer(PipeConnection conn, String contextId, String who, Duration timeout) {
    this.conn = conn;
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
    StateTransfer t = new StateTransfer(conn, contextId, who, timeout);
    try {
      return t.collect(knownOrigins);
    } catch (RuntimeException e) {
      throw failed("collecting the storage state of " + who, timeout, e);
    } finally {
      t.closeHelper();
    }
  }

  /** Restores {@code state} into the context (cookies, then each origin's storage). */
  static void restore(PipeConnection conn, String contextId, StorageState state, Duration timeout, String who) {
    StateTransfer t = new StateTransfer(conn, contextId, who, timeout);
    try {
      t.restore(state);
    } catch (RuntimeException e) {
      throw failed("restoring a storage state (" + state + ") into " + who, timeout, e);
    } finally {
      t.closeHelper();
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
      JsonNode dbs = storage.path("indexedDB");
      if (!items.isEmpty() || dbs.size() > 0) {
        collected.add(new Origin(origin, items, dbs.size() > 0 ? dbs.toString() : null));
      }
    }
    collected.sort(java.util.Comparator.comparing(Origin::origin));
    return StorageState.of(cookies, collected, "the state collected from " + who).toJson();
  }

  private void restore(StorageState state) {
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
      call(null, "Storage.setCookies", params);
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

  private String evaluate(String sessionId, String frameId, String script) {
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

  private Helper helper() {
    if (helper == null) {
      helper = new Helper();
    }
    return helper;
  }

  private void closeHelper() {
    if (helper != null) {
      helper.close();
    }
  }

  /**
   * The pool's own page in the context, whose every request gets an empty document, navigated to the
   * origins that have no live page. Its Fetch pauses are answered by the thread that waits for the
   * navigation, never on the pipe's reader.
   */
  private final class Helper {
    private final String targetId;
    private CdpSession session;
    private final BlockingQueue<String> paused = new LinkedBlockingQueue<>();

    Helper() {
      ObjectNode create = withContext(JSON.createObjectNode().put("url", "about:blank").put("background", true));
      CompletableFuture<JsonNode> made = conn.send("Target.createTarget", create);
      try {
        targetId = made.get(remainingNanos(), TimeUnit.NANOSECONDS).path("targetId").asText();
      } catch (TimeoutException e) {
        // The page may still be made: close it when it is, so that no page of the pool's is left behind.
        made.thenAccept(r -> conn.sendQuietly("Target.closeTarget", JSON.createObjectNode()
            .put("targetId", r.path("targetId").asText())));
        throw timedOut("Target.createTarget");
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the storage page of " + who + " was made", e);
      }
      try {
        session = conn.attach(targetId, remaining());
        session.addMessageHandler(message -> {
          if (message.contains("\"Fetch.requestPaused\"")) {
            try {
              paused.add(JSON.readTree(message).path("params").path("requestId").asText());
            } catch (IOException e) {
              // not JSON: nothing to answer
            }
          }
        });
        ObjectNode enable = JSON.createObjectNode();
        enable.putArray("patterns").addObject().put("urlPattern", "*").put("requestStage", "Request");
        call(session.sessionId(), "Fetch.enable", enable);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    String evaluateAt(String origin, String script) {
      CompletableFuture<JsonNode> nav = conn.send(session.sessionId(), "Page.navigate",
          JSON.createObjectNode().put("url", origin + "/"));
      nav.whenComplete((r, e) -> paused.add(""));
      while (!nav.isDone()) {
        String requestId;
        try {
          requestId = paused.poll(remainingNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while " + who + "'s storage page loaded " + origin, e);
        }
        if (requestId == null) {
          nav.cancel(false);
          throw timedOut("Page.navigate to " + origin);
        }
        if (!requestId.isEmpty()) {
          conn.send(session.sessionId(), "Fetch.fulfillRequest", JSON.createObjectNode().put("requestId", requestId)
              .put("responseCode", 200).put("body", "PGh0bWw+PC9odG1sPg==") // <html></html>
              .set("responseHeaders", JSON.createArrayNode().add(JSON.createObjectNode()
                  .put("name", "Content-Type").put("value", "text/html"))));
        }
      }
      JsonNode r = await(nav, "Page.navigate to " + origin);
      if (r.hasNonNull("errorText")) {
        throw new IllegalStateException("the storage page of " + who + " could not open " + origin + ": "
            + r.path("errorText").asText());
      }
      return evaluate(session.sessionId(), targetId, script);
    }

    /**
     * Closes the page and waits until the browser no longer lists it, within the deadline or, when that is
     * spent, {@link #CLOSE_WAIT}: a page the browser cannot close in that time goes with its browser.
     */
    void close() {
      if (session != null) {
        session.close(); // marks it gone, its calls fail, and Target.closeTarget is sent
      } else {
        conn.sendQuietly("Target.closeTarget", JSON.createObjectNode().put("targetId", targetId));
      }
      long until = System.nanoTime() + Math.max(remainingNanos(), CLOSE_WAIT.toNanos());
      ObjectNode info = JSON.createObjectNode().put("targetId", targetId);
      try {
        while (until - System.nanoTime() > 0) {
          try {
            conn.send("Target.getTargetInfo", info).get(until - System.nanoTime(), TimeUnit.NANOSECONDS);
          } catch (ExecutionException gone) {
            return; // "No target with given id found"
          }
          Thread.sleep(5);
        }
      } catch (TimeoutException e) {
        // the browser does not answer: it is retired with its page
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private ObjectNode withContext(ObjectNode params) {
    if (contextId != null) {
      params.put("browserContextId", contextId);
    }
    return params;
  }

  private JsonNode call(String sessionId, String method, JsonNode params) {
    CompletableFuture<JsonNode> f = sessionId == null ? conn.send(method, params) : conn.send(sessionId, method, params);
    return await(f, method);
  }

  private JsonNode await(CompletableFuture<JsonNode> f, String what) {
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

  private IllegalStateException timedOut(String what) {
    return new IllegalStateException(what + " for the storage state of " + who + " got no answer in time");
  }

  private long remainingNanos() {
    return Math.max(0, deadline - System.nanoTime());
  }

  private Duration remaining() {
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
