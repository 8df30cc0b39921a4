package io.github.browserpool.e2e;

import io.github.browserpool.test.CdpTestClient;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.e2e.MixedFaultSoakTest.Abandoned;
import io.github.browserpool.e2e.MixedFaultSoakTest.Fault;
import io.github.browserpool.e2e.MixedFaultSoakTest.Faulted;
import io.github.browserpool.e2e.MixedFaultSoakTest.Outcome;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's leases driven through {@code lease.cdpEndpoint()} by a raw CDP client, as Playwright and
 * Puppeteer users drive them, and the endpoint's own faults: a client killed mid-command, a client that
 * stops reading while its page floods console events, endpoint traffic on a browser that is SIGSTOPped or
 * killed. Each lease ends as the soak's cdt leases do: the right title, or the documented exception of its
 * fault (the lease's own, read with {@code touch()} once the endpoint closed the client); the close codes
 * are checked here and anything else is a violation.
 */
final class SoakEndpoint {
  private SoakEndpoint() {}

  /** How long one endpoint command may take before the soak gives up on it (the soak's NAV_TIMEOUT). */
  private static final Duration CALL = Duration.ofSeconds(30);
  /** From close() of a frozen lease, or the kill of a browser, to its clients' close frame. */
  private static final Duration CLOSED_WITHIN = Duration.ofSeconds(15);
  /** How long a client that stops reading may flood before the endpoint must have closed it (1008). */
  private static final Duration FLOOD_BOUND = Duration.ofSeconds(60);
  /** 20 KB console lines, 50 per task, as fast as the page can log them (EndpointFlowChromiumTest's flood). */
  private static final String FLOOD = "const s = 'y'.repeat(20000); setInterval(() => { for (let i = 0; i < 50; i++)"
      + " console.log(s); }, 0); 1";

  /** What the endpoint leases saw, for the summary and the checks. */
  static final class Tally {
    final AtomicInteger driven = new AtomicInteger();
    final AtomicInteger completed = new AtomicInteger();
    final AtomicInteger aborted = new AtomicInteger(); // clients killed mid-command
    final AtomicInteger slowClosed1008 = new AtomicInteger(); // slow readers closed with 1008, lease kept
    final AtomicInteger frozen1001 = new AtomicInteger();
    final AtomicInteger frozen1011 = new AtomicInteger();
    final AtomicInteger killed1001 = new AtomicInteger();
    final AtomicInteger abandonedClosed = new AtomicInteger(); // clients of abandoned leases, closed 1001/1008
    final AtomicLong slowestFlood = new AtomicLong(); // ms from the flood's start to the 1008
    final AtomicLong slowestFrozenClose = new AtomicLong(); // ms from close() to the client's close frame

    @Override
    public String toString() {
      return "driven=" + driven + " completed=" + completed + " clientsAborted=" + aborted + " slowReaders1008="
          + slowClosed1008 + " (slowest " + slowestFlood + " ms) frozen{1001=" + frozen1001 + ", 1011=" + frozen1011
          + ", slowest close frame " + slowestFrozenClose + " ms after close()} killed1001=" + killed1001
          + " abandonedClientsClosed=" + abandonedClosed;
    }
  }

  /** One endpoint lease and what the soak keeps for it. */
  record Lease(BrowserLease lease, int index, Fault fault, boolean variant, int killDelayMs, String url, long pid,
      String browser, Duration callTimeout, boolean exclusive, ExecutorService killer, Faulted faulted, Set<String> stoppedPids, List<Abandoned> abandoned,
      List<String> violations, AtomicLong slowestStopCloseMs, Tally tally) {}

  /** The lease's outcome, and whether the lease was abandoned (kept, never closed). */
  record Driven(Outcome outcome, boolean kept) {}

  /** Drives one lease through its endpoint with its fault. Throws the lease's own exception when it ended. */
  static Driven drive(Lease c) throws Exception {
    c.tally.driven.incrementAndGet();
    URI uri = c.lease.cdpEndpoint();
    CdpTestClient client = connect(c, uri);
    boolean keepClient = false;
    try {
      String session = newPage(c, client);
      JsonNode two = call(c, client, session, "Runtime.evaluate", CdpTestClient.params().put("expression", "1+1")
          .put("returnByValue", true)).path("result").path("value");
      if (two.asInt() != 2) {
        c.violations.add("lease " + c.index + " (endpoint): 1+1 evaluated to " + two);
      }
      switch (c.fault) {
        case KILL -> {
          return new Driven(kill(c, client, session, uri), false);
        }
        case CLIENT_ABORT -> {
          return new Driven(outcome(c, clientAborted(c, client, session, uri)), false);
        }
        case SLOW_READER -> {
          String title = navigate(c, client, session);
          String target = targetOf(c, client, session); // while it still reads its replies
          call(c, client, session, "Runtime.enable", null);
          client.stopReading();
          client.sendText(command(session, 1_000_000, FLOOD));
          if (c.variant) { // abandoned: the reaper must revoke it, the client sees 1001 (or 1008 first)
            c.abandoned.add(new Abandoned(c.index, c.lease, c.browser, client));
            keepClient = true;
            return new Driven(outcome(c, title), true);
          }
          return new Driven(outcome(c, slowReaderClosed(c, client, target, uri, title)), false);
        }
        case NONE, ABANDON, STOP -> {
          String title = navigate(c, client, session);
          if (c.fault == Fault.ABANDON) {
            if (c.variant) { // a page that never stops talking to a client that reads it: not activity
              call(c, client, session, "Runtime.enable", null);
              client.sendText(command(session, 1_000_000, "setInterval(() => console.log('tick'), 50), 0"));
            }
            c.abandoned.add(new Abandoned(c.index, c.lease, c.browser, client));
            keepClient = true;
            return new Driven(outcome(c, title), true);
          }
          if (c.fault == Fault.STOP) {
            frozen(c, client, session);
          }
          return new Driven(outcome(c, title), false);
        }
        default -> throw new IllegalStateException(c.fault.toString());
      }
    } finally {
      if (!keepClient) {
        client.close();
      }
    }
  }

  private static Outcome outcome(Lease c, String title) {
    if (("page " + c.index).equals(title)) {
      c.tally.completed.incrementAndGet();
    }
    return new Outcome(c.index, c.fault, c.browser, title, null);
  }

  /**
   * SIGSTOP of the browser tree with endpoint commands outstanding (the variant also fills the pipe with
   * 1 MiB commands): close() keeps its bound, the client is closed with 1001 (the lease ended) or 1011
   * (callTimeout) within {@link #CLOSED_WITHIN}, and its outstanding command fails instead of hanging.
   * With a lease per browser ({@code exclusive}), the variant keeps the lease busy (a command every
   * 500 ms, each one activity) until the endpoint closes the client with 1011 at callTimeout, and only then
   * closes the lease; shared, a frozen browser must not stay leased that long (other leases would be
   * handed it), so it is closed at once and its clients get 1001.
   */
  private static void frozen(Lease c, CdpTestClient client, String session) throws Exception {
    MixedFaultSoakTest.stopTree(c.lease, c.pid, c.browser, c.index, c.faulted, c.stoppedPids);
    long sentAt = System.nanoTime(); // the relay's callTimeout for it starts later: when it gets it
    CompletableFuture<JsonNode> pending = client.send(session, "Runtime.evaluate",
        CdpTestClient.params().put("expression", "2+2"));
    if (c.variant) {
      String mib = "'" + "x".repeat(1 << 20) + "'.length";
      for (int k = 0; k < 4; k++) {
        client.sendText(command(session, 1_000_000 + k, mib));
      }
    }
    Thread.sleep(200); // let them reach the relay and the frozen pipe
    if (c.variant && c.exclusive) {
      long bound = c.callTimeout.plus(CLOSED_WITHIN).toNanos();
      while (!client.closeCode.isDone() && System.nanoTime() - sentAt < bound) {
        client.send(session, "Runtime.evaluate", CdpTestClient.params().put("expression", "3+3"));
        Thread.sleep(500);
      }
      int code = closeCode(c, client, Duration.ofSeconds(1), "on a SIGSTOPped browser");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt); // an upper bound: checked every 500 ms
      if (code == 1011 && client.closeReason.contains("did not answer") && ms >= c.callTimeout.toMillis()) {
        c.tally.frozen1011.incrementAndGet();
      } else if (code != 0) {
        c.violations.add("lease " + c.index + " (endpoint): a busy client of a SIGSTOPped browser was closed with "
            + code + " " + client.closeReason + " after " + ms + " ms, expected 1011 at callTimeout " + c.callTimeout);
      }
    }
    long t = System.nanoTime();
    c.lease.close(); // must not hang on a frozen browser with endpoint commands on its pipe
    long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t);
    c.slowestStopCloseMs.accumulateAndGet(closeMs, Math::max);
    if (closeMs > 15_000) {
      c.violations.add("lease " + c.index + " (endpoint): close() of a SIGSTOPped browser took " + closeMs + " ms");
    }
    int code = closeCode(c, client, CLOSED_WITHIN, "after close() of its SIGSTOPped browser");
    c.tally.slowestFrozenClose.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t), Math::max);
    if (code == 1001) {
      c.tally.frozen1001.incrementAndGet();
    } else if (code == 1011) {
      if (!(c.variant && c.exclusive)) {
        c.tally.frozen1011.incrementAndGet();
      }
    } else if (code != 0) {
      c.violations.add("lease " + c.index + " (endpoint): a client of a SIGSTOPped browser was closed with " + code
          + " " + client.closeReason + ", expected 1001 (lease ended) or 1011 (callTimeout)");
    }
    if (!pending.isDone()) {
      c.violations.add("lease " + c.index + " (endpoint): a command sent to a SIGSTOPped browser still waits after"
          + " its client was closed");
    }
  }

  /**
   * SIGKILL of the browser while an endpoint command is in flight: the client is closed with 1001, the
   * lease fails with BrowserCrashedException (its outcome), and the token is dead (404).
   */
  private static Outcome kill(Lease c, CdpTestClient client, String session, URI uri) throws Exception {
    c.faulted.mark(c.browser, c.index, Fault.KILL);
    c.killer.execute(() -> {
      sleepQuietly(c.killDelayMs);
      if (c.browser != null && c.browser.equals(Procs.identity(c.pid))) { // not a reused PID
        Procs.signal(c.pid, "KILL");
      }
      c.faulted.signalled(c.browser);
    });
    CompletableFuture<JsonNode> inFlight = client.send(session, "Runtime.evaluate", CdpTestClient.params()
        .put("expression", "new Promise(r => setTimeout(() => r('late'), 60000))").put("awaitPromise", true));
    int code = closeCode(c, client, CLOSED_WITHIN, "after its browser was killed");
    if (code == 1001) {
      c.tally.killed1001.incrementAndGet();
    } else if (code != 0) {
      c.violations.add("lease " + c.index + " (endpoint): a client of a killed browser was closed with " + code + " "
          + client.closeReason + ", expected 1001");
    }
    if (!inFlight.isCompletedExceptionally()) {
      c.violations.add("lease " + c.index + " (endpoint): the in-flight command of a killed browser did not fail: "
          + (inFlight.isDone() ? inFlight.join() : "still waiting"));
    }
    Throwable error = leaseError(c.lease);
    if (error == null) {
      return new Outcome(c.index, c.fault, c.browser, "the lease is still active after its browser was killed", null);
    }
    Throwable refused = catchThrowable(() -> CdpTestClient.connect(uri).close());
    Throwable again = refused instanceof java.util.concurrent.CompletionException ? refused.getCause() : refused;
    if (!(again instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 404)) {
      c.violations.add("lease " + c.index + " (endpoint): connecting to the token of a crashed lease gave " + again
          + ", expected HTTP 404");
    }
    return new Outcome(c.index, c.fault, c.browser, null, error, SoakPages.longestStallMs());
  }

  /**
   * A client dies with a command outstanding (a promise the browser settles later, or, in the variant, a
   * 2 MiB command perhaps half sent): the lease goes on, and a new client navigates a new page.
   */
  private static String clientAborted(Lease c, CdpTestClient client, String session, URI uri) throws Exception {
    if (c.variant) {
      client.sendText(command(session, 1_000_000, "'" + "z".repeat(2 << 20) + "'.length"));
    } else {
      client.send(session, "Runtime.evaluate", CdpTestClient.params()
          .put("expression", "new Promise(r => setTimeout(() => r(1), 300))").put("awaitPromise", true));
    }
    client.abort();
    c.tally.aborted.incrementAndGet();
    try (CdpTestClient fresh = connect(c, uri)) {
      return navigate(c, fresh, newPage(c, fresh));
    }
  }

  /**
   * A client that stops reading while its page floods 20 KB console lines: the endpoint must close it with
   * 1008 (its page is detached, which another client of the lease sees), and the lease stays usable: a new
   * client closes the flooding page and navigates a new one.
   */
  private static String slowReaderClosed(Lease c, CdpTestClient slow, String target, URI uri, String title)
      throws Exception {
    long start = System.nanoTime();
    try (CdpTestClient watcher = connect(c, uri)) {
      // The watcher's commands keep the lease active: the slow client sends nothing.
      while (attached(c, watcher, target) && System.nanoTime() - start < FLOOD_BOUND.toNanos()) {
        Thread.sleep(200);
      }
    }
    long floodMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    slow.readAgain();
    int code = closeCode(c, slow, Duration.ofSeconds(20), "after it stopped reading a flood for " + floodMs + " ms");
    if (code == 1008 && slow.closeReason.contains("behind")) {
      c.tally.slowClosed1008.incrementAndGet();
      c.tally.slowestFlood.accumulateAndGet(floodMs, Math::max);
    } else if (code != 0) {
      c.violations.add("lease " + c.index + " (endpoint): a client that stopped reading a flood was closed with "
          + code + " " + slow.closeReason + " after " + floodMs + " ms, expected 1008 \"... behind ...\"");
    }
    try (CdpTestClient fresh = connect(c, uri)) {
      call(c, fresh, null, "Target.closeTarget", CdpTestClient.params().put("targetId", target));
      String again = navigate(c, fresh, newPage(c, fresh));
      return title.equals(again) ? title : "after the 1008: " + again;
    }
  }

  /** The end of an abandoned lease's client: 1001 (revoked), or 1008 for a slow reader that got there first. */
  static void checkAbandoned(Abandoned a, Tally tally, List<String> violations) {
    CdpTestClient client = a.client();
    client.readAgain();
    int code;
    try {
      code = client.closeCode.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      code = 0;
    }
    if (code == 1001 || (code == 1008 && client.closeReason.contains("behind"))) {
      tally.abandonedClosed.incrementAndGet();
    } else if (client.stoppedReading() && (code == 1006 || code == -1)) {
      // A slow reader that read neither close frame (1008, or 1001 at the revoke) before the check: the
      // endpoint drops (TCP reset) a client that has not answered its close frame 30 s after its relay ended
      // (docs/endpoint.md), and the check comes minutes later.
      tally.abandonedClosed.incrementAndGet();
    } else {
      violations.add("abandoned lease " + a.index() + " (endpoint): its client was closed with " + code + " "
          + client.closeReason + ", expected 1001 (revoked), or for a slow reader 1008 or its socket dropped after 30 s unread");
    }
    client.abort();
  }

  /** The close code within {@code within}; a violation and 0 when none came. */
  private static int closeCode(Lease c, CdpTestClient client, Duration within, String when) throws InterruptedException {
    try {
      return client.closeCode.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      c.violations.add("lease " + c.index + " (endpoint): its client was not closed within " + within + " " + when);
    } catch (java.util.concurrent.ExecutionException e) {
      c.violations.add("lease " + c.index + " (endpoint): " + e.getCause());
    }
    client.abort();
    return 0;
  }

  private static CdpTestClient connect(Lease c, URI uri) throws Exception {
    try {
      CdpTestClient client = CdpTestClient.connectCountingEvents(uri);
      SoakPages.markReply();
      return client;
    } catch (Exception e) {
      throw failure(c, "connecting to the endpoint", e);
    }
  }

  /** One command and its result; a failure becomes the lease's own exception when the lease has ended. */
  private static JsonNode call(Lease c, CdpTestClient client, String session, String method,
      com.fasterxml.jackson.databind.node.ObjectNode params) {
    try {
      JsonNode result = client.result(session, method, params, CALL);
      SoakPages.markReply();
      return result;
    } catch (RuntimeException e) {
      throw failure(c, method, e);
    }
  }

  /**
   * Why an endpoint call failed: the lease's own exception (LeaseRevokedException, BrowserCrashedException)
   * once it has ended, which the soak checks as it checks cdt leases; else an EndpointFailure, never
   * allowed.
   */
  private static RuntimeException failure(Lease c, String what, Exception e) {
    Throwable ended = leaseError(c.lease);
    if (ended instanceof RuntimeException r) {
      r.addSuppressed(e);
      return r;
    }
    return new EndpointFailure("lease " + c.index + ": " + what + " failed on an active lease: " + e, e);
  }

  /** The lease's exception once it has ended (waiting up to 10 s for the pool to notice), or null. */
  private static Throwable leaseError(BrowserLease lease) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lease.isActive() && System.nanoTime() - deadline < 0) {
      sleepQuietly(50);
    }
    return catchThrowable(lease::touch);
  }

  /** A new page of the client's lease, attached: its session id. */
  private static String newPage(Lease c, CdpTestClient client) {
    String target = call(c, client, null, "Target.createTarget", CdpTestClient.params().put("url", "about:blank"))
        .path("targetId").asText();
    return call(c, client, null, "Target.attachToTarget", CdpTestClient.params().put("targetId", target)
        .put("flatten", true)).path("sessionId").asText();
  }

  private static String targetOf(Lease c, CdpTestClient client, String session) {
    return call(c, client, session, "Target.getTargetInfo", null).path("targetInfo").path("targetId").asText();
  }

  private static boolean attached(Lease c, CdpTestClient client, String target) {
    for (JsonNode info : call(c, client, null, "Target.getTargets", null).path("targetInfos")) {
      if (info.path("targetId").asText().equals(target)) {
        return info.path("attached").asBoolean();
      }
    }
    return false;
  }

  /** Navigates the page to the lease's URL and returns its title once loaded. */
  private static String navigate(Lease c, CdpTestClient client, String session) {
    JsonNode nav = call(c, client, session, "Page.navigate", CdpTestClient.params().put("url", c.url));
    if (nav.has("errorText")) {
      throw new EndpointFailure("lease " + c.index + ": Page.navigate " + c.url + ": " + nav.get("errorText"), null);
    }
    // The new document, loaded: the evaluation may still meet the old one, or its context being replaced.
    String expression = "new Promise(r => { const done = () => r(location.href === " + quote(c.url)
        + " ? document.title : null); document.readyState === 'complete' ? done() : addEventListener('load', done); })";
    long deadline = System.nanoTime() + CALL.toNanos();
    while (true) {
      JsonNode value;
      try {
        value = client.result(session, "Runtime.evaluate", CdpTestClient.params().put("expression", expression)
            .put("awaitPromise", true).put("returnByValue", true), CALL).path("result").path("value");
        SoakPages.markReply();
      } catch (RuntimeException e) {
        if (client.closeCode.isDone() || System.nanoTime() - deadline > 0) {
          throw failure(c, "reading the title", e);
        }
        value = null; // the context was destroyed by the navigation: ask the new one
      }
      if (value != null && value.isTextual()) {
        return value.asText();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new EndpointFailure("lease " + c.index + ": " + c.url + " did not load within " + CALL, null);
      }
      sleepQuietly(50);
    }
  }

  /** A Runtime.evaluate frame with an id far above the client's own (its reply is never awaited). */
  private static String command(String session, int id, String expression) {
    return "{\"id\":" + id + ",\"sessionId\":\"" + session + "\",\"method\":\"Runtime.evaluate\",\"params\":"
        + "{\"expression\":" + quote(expression) + "}}";
  }

  private static String quote(String s) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
  }

  /**
   * What the JVM retains after a full collection: the heap, plus the direct memory that holds bytes on
   * their way to a socket, as the JDK's BufferPoolMXBean or Netty's pooled allocator counts it, whichever
   * says more (Netty's pool may sit on the JDK's direct buffers).
   */
  static long retainedBytes() {
    for (int k = 0; k < 3; k++) {
      System.gc();
    }
    long jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    long nettyDirect = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + Math.max(jdkDirect, nettyDirect);
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An endpoint lease failed while the lease was still active: never one of the documented outcomes. */
  static final class EndpointFailure extends RuntimeException {
    EndpointFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
