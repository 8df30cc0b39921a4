package io.github.browserpool.grid;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.DaemonThreads;
import io.github.browserpool.cdp.PipeConnection;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches the pool's browsers as Selenium Grid 4 sessions: a W3C {@code POST /session} for a headless
 * Chromium labelled with its owner ({@link NewSession}, {@link GridOwner}), then CDP over the session's
 * {@code se:cdp} websocket with the JDK's {@link WebSocket}. Nothing of Selenium's client is used.
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
  /** Past the acquire deadline, how long a new-session request that Grid kept queued takes to say so. */
  static final Duration FAILURE_REPORT_GRACE = Duration.ofMillis(200);

  private final PoolConfig config;
  private final String prefix;
  private final GridClient client;
  private final NewSession sessions;
  private final Duration sessionTimeout;
  private final Duration probeInterval;
  /** The pool's threads: its connections', its HTTP client's, the probe's and the orphan hunt's. */
  private final Threads threads;

  /**
   * The threads a Grid pool owns, named after it, all ended by {@link #shutdown}: its sessions'
   * connections ({@link DaemonThreads}); {@code <pool>-grid-http-N}, the HTTP client's, one per session
   * (its websocket and its probe's answers) plus two for the pool's own calls; one {@code <pool>-grid-probe}
   * that schedules every session's probe; one {@code <pool>-grid-orphans} that hunts orphaned sessions.
   */
  private record Threads(DaemonThreads connections, ThreadPoolExecutor http, ScheduledThreadPoolExecutor probes,
      ScheduledThreadPoolExecutor orphans) {
    static Threads forPool(PoolConfig config) {
      String pool = config.poolName();
      int http = (int) Math.min(Integer.MAX_VALUE, config.maxBrowsers() + 2L);
      return new Threads(BrowserLauncher.connectionThreads(config), DaemonThreads.bounded(pool + "-grid-http-", http),
          DaemonThreads.timer(pool + "-grid-probe"), DaemonThreads.timer(pool + "-grid-orphans"));
    }

    private List<ExecutorService> own() {
      return List.of(http, probes, orphans);
    }

    /** Ends them all without waiting. */
    void stop() {
      connections.shutdown();
      own().forEach(ExecutorService::shutdownNow);
    }

    boolean shutdown(long deadlineNanos) throws InterruptedException {
      stop();
      return connections.awaitTermination(deadlineNanos) && DaemonThreads.awaitAll(own(), deadlineNanos);
    }
  }

  private GridBrowserLauncher(PoolConfig config, GridClient client, Duration sessionTimeout, Threads threads) {
    this.config = config;
    this.prefix = "[" + config.poolName() + "] ";
    this.client = client;
    this.threads = threads;
    this.sessions = new NewSession(config, client, new OrphanHunter(prefix, client, config.closeTimeout(),
        threads.orphans()));
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
    Duration connect = config.launchTimeout().compareTo(Duration.ofSeconds(10)) <= 0
        ? config.launchTimeout() : Duration.ofSeconds(10);
    Threads threads = Threads.forPool(config);
    GridClient client = new GridClient(grid, connect, threads.http());
    GridStatus status;
    try {
      status = GridStatus.read(client, prefix, config.launchTimeout());
    } catch (RuntimeException e) {
      threads.stop();
      throw e;
    }
    GridBrowserLauncher launcher = new GridBrowserLauncher(config, client,
        status.sessionTimeout(DEFAULT_SESSION_TIMEOUT), threads);
    launcher.sweep(status);
    LOG.info("{}using Selenium Grid {} ({} nodes, session-timeout {}; probing each session every {})",
        prefix, grid, status.nodes(), launcher.sessionTimeout, launcher.probeInterval);
    return launcher;
  }

  /** The remote startup sweep: deletes the sessions of dead owners on this machine. */
  private void sweep(GridStatus status) {
    int deleted = 0;
    for (GridStatus.Session s : status.sessions()) {
      if (GridOwner.isDeadOwnerOnThisMachine(s.owner()) && client.deleteSession(prefix, s.id(), config.closeTimeout())) {
        deleted++;
        LOG.warn("{}startup sweep: deleted Grid session {} of a dead owner ({})", prefix, s.id(), s.owner());
      }
    }
    if (deleted > 0) {
      LOG.warn("{}startup sweep of Selenium Grid {} deleted {} sessions left by dead owners on this host",
          prefix, client.base(), deleted);
    }
  }

  /** The Grid's session-timeout as the nodes reported it at start (the smallest one). */
  Duration sessionTimeout() {
    return sessionTimeout;
  }

  /** A request Grid keeps in its queue gives up at acquireTimeout, with Grid's slot summary in its error. */
  @Override
  public Duration failureReportGrace() {
    return FAILURE_REPORT_GRACE;
  }

  @Override
  public boolean shutdown(long deadlineNanos) throws InterruptedException {
    return threads.shutdown(deadlineNanos);
  }

  @Override
  public LaunchedBrowser launch(BrowserEvents events) {
    long start = System.nanoTime();
    NewSession.Created session = sessions.create(UUID.randomUUID().toString(), start);
    try {
      return connect(session.sessionId(), session.cdp(), events, start);
    } catch (RuntimeException e) {
      client.deleteSession(prefix, session.sessionId(), config.closeTimeout());
      throw e;
    }
  }

  /**
   * Opens the session's {@code se:cdp} websocket, waits for the first CDP reply, starts watching the
   * session and the preparation of its first isolated context.
   */
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
        events::activity, threads.connections());
    conn.start();
    firstCall(conn, "Browser.getVersion", sessionId, cdp, left);
    GridBrowser browser = new GridBrowser(config, client, sessionId, conn, pipe, events, probeInterval,
        driverTab(firstCall(conn, "Target.getTargets", sessionId, cdp, left), sessionId), threads.probes());
    browser.start();
    browser.prepareNext();
    LOG.debug("{}created Grid session {} in {} ms", prefix, sessionId,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    return browser;
  }

  /** One call of the connect, which fails the launch (its caller deletes the session) when it gets no reply. */
  private JsonNode firstCall(PipeConnection conn, String method, String sessionId, URI cdp, Duration timeout) {
    try {
      return conn.send(method, null).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      conn.close();
      throw new BrowserLaunchException(prefix + "Selenium Grid session " + sessionId + " gave no reply to " + method
          + " on " + cdp + " within " + timeout + " (" + (e instanceof TimeoutException ? "timeout" : e.getCause())
          + "); the session was deleted.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      conn.close();
      throw new BrowserLaunchException(prefix + "interrupted while connecting to " + cdp, e);
    }
  }

  /**
   * chromedriver's own tab: the one page of a new session, before the pool opened any. It keeps the
   * default profile alive for keyed leases, whose endpoint clients must neither see nor close it. Null
   * (logged) when the session shows no page; a keyed lease's endpoint clients then cannot connect.
   */
  private String driverTab(JsonNode targets, String sessionId) {
    for (JsonNode info : targets.path("targetInfos")) {
      if ("page".equals(info.path("type").asText())) {
        return info.path("targetId").asText(null);
      }
    }
    LOG.warn("{}Selenium Grid session {} shows no page of chromedriver's; keyed leases of it get no cdpEndpoint()"
        + " clients", prefix, sessionId);
    return null;
  }
}
