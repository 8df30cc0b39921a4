package io.github.browserpool.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.AcquireTimeoutException;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.chrome.ChromeFlags;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The W3C new-session request for one of the pool's browsers: its body (headless Chromium, the owner
 * label, the user's capabilities merged in) and the {@code POST /session} that waits as the capacity
 * settings say. The result is a session with an {@code se:cdp} address, or an exception that carries
 * the Grid's own message.
 */
final class NewSession {
  /** The earliest look at the Grid's queue, so that even acquireTimeout 0 lets a request reach a free slot. */
  private static final Duration QUEUE_FIRST_LOOK = Duration.ofMillis(250);
  private static final Duration QUEUE_LOOK_PERIOD = Duration.ofMillis(500);
  /** How long before acquireTimeout ends the queue is looked at first. */
  private static final Duration QUEUE_LOOK_AHEAD = Duration.ofMillis(500);
  static final List<String> DEFAULT_ARGS = List.of("--headless", "--no-first-run", "--no-default-browser-check",
      "--disable-background-networking", "--disable-sync", "--disable-component-update",
      "--disable-default-apps", "--disable-gpu", "--disable-breakpad", "--disable-crash-reporter",
      "--mute-audio");

  /** A session the Grid created: its id and its CDP websocket. */
  record Created(String sessionId, URI cdp) {}

  private final PoolConfig config;
  private final String prefix;
  private final GridClient client;
  private final OrphanHunter hunter;

  NewSession(PoolConfig config, GridClient client, OrphanHunter hunter) {
    this.config = config;
    this.prefix = "[" + config.poolName() + "] ";
    this.client = client;
    this.hunter = hunter;
  }

  /**
   * Asks the Grid for a session, labelled with {@code requestId}.
   *
   * @throws BrowserLaunchException when the Grid refuses, is unreachable, or creates no session in time
   * @throws AcquireTimeoutException when the Grid keeps the request in its queue beyond acquireTimeout
   */
  Created create(String requestId, long start) {
    GridClient.Reply reply = post(requestId, start);
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
      String body = reply.body().toString();
      throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " answered POST /session"
          + " without a sessionId: " + (body.length() <= 300 ? body : body.substring(0, 300) + "..."));
    }
    if (cdp == null) {
      client.deleteSession(prefix, sessionId, config.closeTimeout());
      throw new BrowserLaunchException(prefix + "Selenium Grid session " + sessionId + " has no se:cdp websocket"
          + " address, so the pool cannot speak CDP to it. Use nodes that run Chrome or Chromium with CDP"
          + " enabled (Grid 4); the session was deleted.");
    }
    return new Created(sessionId, URI.create(cdp));
  }

  /**
   * {@code POST /session}, waiting as the capacity settings say. While the Grid keeps the request in its
   * queue (every slot busy) the wait ends at {@code acquireTimeout}, with an {@link AcquireTimeoutException};
   * once a node is creating the session it may take until {@code launchTimeout}. A request given up on is
   * cancelled, which drops it from the Grid's queue, and is hunted for in case the Grid created it anyway.
   */
  private GridClient.Reply post(String requestId, long start) {
    long launchDeadline = start + config.launchTimeout().toNanos();
    long queueDeadline = start + Math.max(config.acquireTimeout().toNanos(), QUEUE_FIRST_LOOK.toNanos());
    CompletableFuture<GridClient.Reply> post =
        client.postAsync("/session", body(config, requestId), config.launchTimeout().plusSeconds(5));
    try {
      // The first look at the queue comes a little before acquireTimeout ends, so that a queued request
      // fails at that deadline with the Grid's counts, not after two more HTTP calls on a loaded machine.
      long checkAt = Math.max(start + QUEUE_FIRST_LOOK.toNanos(), queueDeadline - QUEUE_LOOK_AHEAD.toNanos());
      String queuedWith = null; // the slot summary of the look that found the request queued
      while (true) {
        long now = System.nanoTime();
        long waitUntil = Math.min(checkAt, launchDeadline);
        try {
          return post.get(Math.max(0, waitUntil - now), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          if (System.nanoTime() - launchDeadline >= 0) {
            throw giveUp(post, requestId, new BrowserLaunchException(prefix + "Selenium Grid " + client.base()
                + " created no session within launchTimeout " + config.launchTimeout()
                + GridStatus.slotSummary(client)
                + ". Raise launchTimeout, or check the Grid's nodes (their logs say why a session is slow).", e));
          }
          if (queuedWith != null && System.nanoTime() - queueDeadline >= 0) {
            throw giveUp(post, requestId, new AcquireTimeoutException(prefix + "Selenium Grid " + client.base()
                + " kept the session request in its queue for acquireTimeout " + config.acquireTimeout()
                + queuedWith + ". Raise acquireTimeout, add nodes or slots, or lower maxBrowsers.", e));
          }
          if (queuedWith == null && queued(requestId)) {
            queuedWith = GridStatus.slotSummary(client);
            checkAt = queueDeadline; // still queued then: give up at acquireTimeout
          } else {
            checkAt = System.nanoTime() + QUEUE_LOOK_PERIOD.toNanos(); // a node is creating it: keep waiting
          }
        }
      }
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof HttpConnectTimeoutException || c instanceof ConnectException) {
        throw client.unreachable(prefix, (IOException) c);
      }
      hunter.hunt(requestId);
      if (c instanceof HttpTimeoutException) {
        throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " created no session within"
            + " launchTimeout " + config.launchTimeout() + ". Raise launchTimeout, or check the Grid's nodes.", c);
      }
      if (c instanceof IOException io) {
        throw client.unreachable(prefix, io);
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
    hunter.hunt(requestId);
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

  /** The W3C new-session body: headless Chromium, the owner label, and the user's capabilities merged in. */
  static ObjectNode body(PoolConfig config, String requestId) {
    ObjectNode caps = GridClient.JSON.createObjectNode();
    caps.put("browserName", "chrome");
    ObjectNode chrome = caps.putObject("goog:chromeOptions");
    ArrayNode args = chrome.putArray("args");
    DEFAULT_ARGS.forEach(args::add);
    if (!Boolean.FALSE.equals(config.noSandbox())) {
      args.add("--no-sandbox"); // the node's user is unknown; Chromium as root needs it
    }
    args.add("--disable-features="); // ChromeFlags.DISABLED_FEATURES, merged with the user's own below
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
    List<String> all = new ArrayList<>();
    args.forEach(a -> all.add(a.asText()));
    args.removeAll();
    ChromeFlags.withDisabledFeatures(all).forEach(args::add);
    caps.set(PoolConfig.GRID_OWNER_CAPABILITY, GridOwner.label(config.poolName(), requestId));
    ObjectNode body = GridClient.JSON.createObjectNode();
    body.putObject("capabilities").set("alwaysMatch", caps);
    return body;
  }
}
