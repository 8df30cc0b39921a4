package io.github.browserpool.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.pool.BrowserLauncher;
import io.github.browserpool.pool.LaunchedBrowser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches the pool's browsers as Selenium Grid 4 sessions: a W3C {@code POST /session} for a headless
 * Chromium labelled with its owner ({@link GridOwner}), then CDP over the session's {@code se:cdp}
 * websocket with the JDK's {@link WebSocket}. Nothing of Selenium's client is used.
 *
 * <p>{@link #create} checks that the Grid answers, reads the nodes' session-timeout (the probe keeps
 * sessions alive well within it), and runs the remote startup sweep: it deletes the sessions whose
 * owner label names a dead JVM on this machine.
 */
public final class GridBrowserLauncher implements BrowserLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(GridBrowserLauncher.class);
  /** How often each session is probed (keep-alive and liveness), unless the Grid's session-timeout is shorter. */
  static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
  /** Assumed when no node reports its session-timeout: Grid's default. */
  static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(300);
  /** How long sessions of requests the pool gave up on are hunted for (and deleted) in the Grid. */
  static final Duration ORPHAN_HUNT = Duration.ofMinutes(10);
  private static final Duration ORPHAN_HUNT_PERIOD = Duration.ofSeconds(2);
  /** The earliest look at the Grid's queue, so that even acquireTimeout 0 lets a request reach a free slot. */
  private static final Duration QUEUE_FIRST_LOOK = Duration.ofMillis(250);
  private static final Duration QUEUE_LOOK_PERIOD = Duration.ofMillis(500);
  static final List<String> DEFAULT_ARGS = List.of("--headless", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-sync", "--disable-component-update",
      "--disable-default-apps", "--disable-gpu", "--disable-breakpad", "--disable-crash-reporter",
      "--mute-audio");
  private static final ScheduledExecutorService HUNTER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "browserpool-grid-orphans");
    t.setDaemon(true);
    return t;
  });

  private final PoolConfig config;
  private final String prefix;
  private final GridClient client;
  private final Duration sessionTimeout;
  private final Duration probeInterval;
  /** Request ids of session requests given up on, with when to stop hunting for their session (nanoTime). */
  private final Map<String, Long> orphans = new ConcurrentHashMap<>();
  private final Object huntLock = new Object();
  private boolean hunting; // guarded by huntLock

  private GridBrowserLauncher(PoolConfig config, GridClient client, Duration sessionTimeout) {
    this.config = config;
    this.prefix = "[" + config.poolName() + "] ";
    this.client = client;
    this.sessionTimeout = sessionTimeout;
    Duration third = sessionTimeout.dividedBy(3);
    Duration interval = third.compareTo(DEFAULT_PROBE_INTERVAL) < 0 ? third : DEFAULT_PROBE_INTERVAL;
    this.probeInterval = interval.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : interval;
  }

  /**
   * Connects to the Grid of {@code config}, reads its nodes' session-timeout and deletes the sessions of
   * dead owners on this machine.
   *
   * @throws BrowserLaunchException when the Grid does not answer {@code GET /status} as Grid 4 does
   */
  public static GridBrowserLauncher create(PoolConfig config) {
    String prefix = "[" + config.poolName() + "] ";
    URI grid = config.seleniumGrid();
    Duration connect = min(config.launchTimeout(), Duration.ofSeconds(10));
    GridClient client = new GridClient(grid, connect);
    JsonNode status = status(client, prefix, config.launchTimeout());
    Duration timeout = null;
    for (JsonNode node : status.path("nodes")) {
      if (node.path("sessionTimeout").canConvertToLong()) {
        Duration t = Duration.ofMillis(node.path("sessionTimeout").asLong());
        timeout = timeout == null || t.compareTo(timeout) < 0 ? t : timeout;
      }
    }
    GridBrowserLauncher launcher = new GridBrowserLauncher(config, client,
        timeout != null && !timeout.isZero() && !timeout.isNegative() ? timeout : DEFAULT_SESSION_TIMEOUT);
    launcher.sweep(status);
    LOG.info("{}using Selenium Grid {} ({} nodes, session-timeout {}; probing each session every {})",
        prefix, grid, status.path("nodes").size(), launcher.sessionTimeout, launcher.probeInterval);
    return launcher;
  }

  /** {@code GET /status}'s value, or a BrowserLaunchException saying why the Grid cannot be used. */
  private static JsonNode status(GridClient client, String prefix, Duration timeout) {
    GridClient.Reply reply;
    try {
      reply = client.get("/status", timeout);
    } catch (IOException e) {
      throw unreachable(client, prefix, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrowserLaunchException(prefix + "interrupted while asking Selenium Grid " + client.base()
          + " for its status", e);
    }
    if (!reply.ok() || !reply.value().isObject() || !reply.value().has("ready")) {
      throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " answered GET /status with "
          + reply.message() + ", not a Grid 4 status. Check that PoolConfig.seleniumGrid(...) points to the"
          + " Grid's router or standalone server, e.g. http://127.0.0.1:4444.");
    }
    return reply.value();
  }

  private static BrowserLaunchException unreachable(GridClient client, String prefix, IOException e) {
    String what = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
        ? "is unreachable" : "failed to answer";
    return new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " " + what + " (" + e
        + "). Check that the Grid runs and that PoolConfig.seleniumGrid(...) points to its router or"
        + " standalone server, e.g. http://127.0.0.1:4444.", e);
  }

  /** Every session the Grid's nodes hold: {@code [sessionId, owner label or null]}. */
  private static List<JsonNode[]> sessions(JsonNode status) {
    List<JsonNode[]> out = new ArrayList<>();
    for (JsonNode node : status.path("nodes")) {
      for (JsonNode slot : node.path("slots")) {
        JsonNode session = slot.path("session");
        if (session.hasNonNull("sessionId")) {
          out.add(new JsonNode[] {session.get("sessionId"),
              session.path("capabilities").get(PoolConfig.GRID_OWNER_CAPABILITY)});
        }
      }
    }
    return out;
  }

  /** The remote startup sweep: deletes the sessions of dead owners on this machine. */
  private void sweep(JsonNode status) {
    int deleted = 0;
    for (JsonNode[] s : sessions(status)) {
      if (GridOwner.isDeadOwnerOnThisMachine(s[1])) {
        String id = s[0].asText();
        if (delete(id)) {
          deleted++;
          LOG.warn("{}startup sweep: deleted Grid session {} of a dead owner ({})", prefix, id, s[1]);
        }
      }
    }
    if (deleted > 0) {
      LOG.warn("{}startup sweep of Selenium Grid {} deleted {} sessions left by dead owners on this host",
          prefix, client.base(), deleted);
    }
  }

  private boolean delete(String sessionId) {
    try {
      GridClient.Reply r = client.delete("/session/" + sessionId, config.closeTimeout());
      return r.ok();
    } catch (IOException e) {
      LOG.warn("{}could not delete Grid session {}: {}", prefix, sessionId, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The Grid's session-timeout as the nodes reported it at start (the smallest one). */
  Duration sessionTimeout() {
    return sessionTimeout;
  }

  // ---------------------------------------------------------------------------------------------
  // Launch

  @Override
  public LaunchedBrowser launch(BrowserEvents events) {
    long start = System.nanoTime();
    String requestId = UUID.randomUUID().toString();
    GridClient.Reply reply = requestSession(requestId, start);
    if (!reply.ok()) {
      String grid = reply.message();
      String advice = grid.contains("No nodes support the capabilities")
          ? "Check PoolConfig.gridCapabilities(" + config.gridCapabilities() + ") against the stereotypes of the"
              + " Grid's nodes (GET " + client.base() + "/status)"
          : "The node could not start the browser; its log says why (chromedriver and Chromium installed, and"
              + " of the same version?)";
      throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " refused the session request"
          + " (HTTP " + reply.status() + (reply.error() != null ? ", " + reply.error() : "") + "): "
          + grid + "\n" + advice + "; nothing was left behind.");
    }
    String sessionId = reply.value().path("sessionId").asText(null);
    String cdp = reply.value().path("capabilities").path("se:cdp").asText(null);
    if (sessionId == null) {
      throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " answered POST /session"
          + " without a sessionId: " + abbreviate(reply.body().toString()));
    }
    if (cdp == null) {
      delete(sessionId);
      throw new BrowserLaunchException(prefix + "Selenium Grid session " + sessionId + " has no se:cdp websocket"
          + " address, so the pool cannot speak CDP to it. Use nodes that run Chrome or Chromium with CDP"
          + " enabled (Grid 4); the session was deleted.");
    }
    try {
      return connect(sessionId, URI.create(cdp), events, start);
    } catch (RuntimeException e) {
      delete(sessionId);
      throw e;
    }
  }

  /**
   * {@code POST /session}, waiting as the capacity settings say. While the Grid keeps the request in its
   * queue (every slot busy) the wait ends at {@code acquireTimeout}, with an {@link AcquireTimeoutException};
   * once a node is creating the session it may take until {@code launchTimeout}. A request given up on is
   * cancelled, which drops it from the Grid's queue, and is hunted for in case the Grid created it anyway.
   */
  private GridClient.Reply requestSession(String requestId, long start) {
    long launchDeadline = start + config.launchTimeout().toNanos();
    long queueDeadline = start + Math.max(config.acquireTimeout().toNanos(), QUEUE_FIRST_LOOK.toNanos());
    CompletableFuture<GridClient.Reply> post =
        client.postAsync("/session", newSessionRequest(requestId), config.launchTimeout().plusSeconds(5));
    try {
      long checkAt = queueDeadline;
      while (true) {
        long now = System.nanoTime();
        long waitUntil = Math.min(checkAt, launchDeadline);
        try {
          return post.get(Math.max(0, waitUntil - now), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          if (System.nanoTime() - launchDeadline >= 0) {
            throw giveUp(post, requestId, new BrowserLaunchException(prefix + "Selenium Grid " + client.base()
                + " created no session within launchTimeout " + config.launchTimeout() + slotSummary()
                + ". Raise launchTimeout, or check the Grid's nodes (their logs say why a session is slow).", e));
          }
          if (queued(requestId)) {
            throw giveUp(post, requestId, new AcquireTimeoutException(prefix + "Selenium Grid " + client.base()
                + " kept the session request in its queue for acquireTimeout " + config.acquireTimeout()
                + slotSummary() + ". Raise acquireTimeout, add nodes or slots, or lower maxBrowsers.", e));
          }
          checkAt = System.nanoTime() + QUEUE_LOOK_PERIOD.toNanos(); // a node is creating it: keep waiting
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof HttpConnectTimeoutException || c instanceof ConnectException) {
        throw unreachable(client, prefix, (IOException) c);
      }
      hunt(requestId);
      if (c instanceof java.net.http.HttpTimeoutException) {
        throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " created no session within"
            + " launchTimeout " + config.launchTimeout() + ". Raise launchTimeout, or check the Grid's nodes.", c);
      }
      if (c instanceof IOException io) {
        throw unreachable(client, prefix, io);
      }
      throw new BrowserLaunchException(prefix + "POST /session to Selenium Grid " + client.base() + " failed: " + c, c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw giveUp(post, requestId, new BrowserLaunchException(prefix + "interrupted while Selenium Grid "
          + client.base() + " created a session", e));
    }
  }

  private RuntimeException giveUp(CompletableFuture<GridClient.Reply> post, String requestId, RuntimeException e) {
    post.cancel(true); // aborts the exchange: the Grid drops a request whose client went away
    hunt(requestId);
    return e;
  }

  /** Whether the Grid's new-session queue still holds the request; false when it cannot tell. */
  private boolean queued(String requestId) {
    try {
      GridClient.Reply r = client.get("/se/grid/newsessionqueue/queue", Duration.ofSeconds(2));
      return r.ok() && r.body().toString().contains(requestId);
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private GridBrowser connect(String sessionId, URI cdp, BrowserEvents events, long start) {
    Duration left = config.launchTimeout().minusNanos(System.nanoTime() - start);
    if (left.compareTo(Duration.ofSeconds(1)) < 0) {
      left = Duration.ofSeconds(1);
    }
    WebSocketPipe pipe = new WebSocketPipe(config.launchTimeout());
    try {
      client.http().newWebSocketBuilder().connectTimeout(left).buildAsync(cdp, pipe)
          .get(left.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      pipe.abort("connect failed");
      throw new BrowserLaunchException(prefix + "could not open the se:cdp websocket " + cdp + " of Selenium Grid"
          + " session " + sessionId + " (" + (e instanceof TimeoutException ? "no answer within " + left
          : e.getCause()) + "). A Grid behind a proxy must pass websockets through; the session was deleted.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pipe.abort("interrupted");
      throw new BrowserLaunchException(prefix + "interrupted while connecting to " + cdp, e);
    }
    PipeConnection conn = new PipeConnection(config.poolName() + " grid " + sessionId, pipe.in(), pipe.out(),
        events::activity);
    conn.start();
    CompletableFuture<JsonNode> version = conn.send("Browser.getVersion", null);
    try {
      version.get(left.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      conn.close();
      throw new BrowserLaunchException(prefix + "Selenium Grid session " + sessionId + " gave no CDP reply on "
          + cdp + " within " + left + " (" + (e instanceof TimeoutException ? "timeout" : e.getCause())
          + "); the session was deleted.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      conn.close();
      throw new BrowserLaunchException(prefix + "interrupted while connecting to " + cdp, e);
    }
    GridBrowser browser = new GridBrowser(config, client, sessionId, conn, pipe, events, probeInterval);
    browser.start();
    browser.prepareNext();
    LOG.debug("{}created Grid session {} in {} ms", prefix, sessionId,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return browser;
  }

  /** {@link #newSessionRequest} for a config, without a Grid (unit tests). */
  static ObjectNode requestBodyForTest(PoolConfig config, String requestId) {
    return new GridBrowserLauncher(config, null, DEFAULT_SESSION_TIMEOUT).newSessionRequest(requestId);
  }

  /** The W3C new-session body: headless Chromium, the owner label, and the user's capabilities merged in. */
  ObjectNode newSessionRequest(String requestId) {
    ObjectNode caps = GridClient.JSON.createObjectNode();
    caps.put("browserName", "chrome");
    ObjectNode chrome = caps.putObject("goog:chromeOptions");
    ArrayNode args = chrome.putArray("args");
    DEFAULT_ARGS.forEach(args::add);
    if (!Boolean.FALSE.equals(config.noSandbox())) {
      args.add("--no-sandbox"); // the node's user is unknown; Chromium as root needs it
    }
    for (Map.Entry<String, Object> e : config.gridCapabilities().entrySet()) {
      JsonNode value = GridClient.JSON.valueToTree(e.getValue());
      if (e.getKey().equals("goog:chromeOptions") && value.isObject()) {
        value.fields().forEachRemaining(f -> {
          if (f.getKey().equals("args") && f.getValue().isArray()) {
            args.addAll((ArrayNode) f.getValue());
          } else {
            chrome.set(f.getKey(), f.getValue());
          }
        });
      } else {
        caps.set(e.getKey(), value);
      }
    }
    config.chromeArguments().forEach(args::add);
    caps.set(PoolConfig.GRID_OWNER_CAPABILITY, GridOwner.label(config.poolName(), requestId));
    ObjectNode body = GridClient.JSON.createObjectNode();
    body.putObject("capabilities").set("alwaysMatch", caps);
    return body;
  }

  /** ", where N of the M slots hold sessions", or "" when the status cannot be read. */
  private String slotSummary() {
    try {
      GridClient.Reply r = client.get("/status", Duration.ofSeconds(2));
      int slots = 0;
      int busy = 0;
      for (JsonNode node : r.value().path("nodes")) {
        for (JsonNode slot : node.path("slots")) {
          slots++;
          busy += slot.path("session").hasNonNull("sessionId") ? 1 : 0;
        }
      }
      return " (" + busy + " of its " + slots + " slots hold sessions)";
    } catch (IOException | RuntimeException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions of requests the pool gave up on

  /**
   * Remembers a request the pool gave up on: Grid may still create its session from its queue, and
   * nobody would use it. Such sessions carry the request's id in their owner label and are deleted
   * when seen, for {@link #ORPHAN_HUNT}.
   */
  private void hunt(String requestId) {
    orphans.put(requestId, System.nanoTime() + ORPHAN_HUNT.toNanos());
    synchronized (huntLock) {
      if (!hunting) {
        hunting = true;
        HUNTER.schedule(this::huntOnce, ORPHAN_HUNT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void huntOnce() {
    try {
      long now = System.nanoTime();
      orphans.values().removeIf(until -> now - until > 0);
      if (!orphans.isEmpty()) {
        GridClient.Reply r = client.get("/status", Duration.ofSeconds(5));
        for (JsonNode[] s : sessions(r.value())) {
          String request = s[1] == null ? null : s[1].path("request").asText(null);
          if (request != null && GridOwner.isThisJvm(s[1]) && orphans.remove(request) != null) {
            LOG.warn("{}deleting Grid session {}: the Grid created it after the pool gave up on its request",
                prefix, s[0].asText());
            delete(s[0].asText());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}looking for orphaned Grid sessions failed: {}", prefix, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      synchronized (huntLock) {
        if (orphans.isEmpty()) {
          hunting = false;
        } else {
          HUNTER.schedule(this::huntOnce, ORPHAN_HUNT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
